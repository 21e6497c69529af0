"""How statistics are written for people: numbers 1.234,5, percentages (settings MOTCUA_PERCENT_*), the labels
of every figure (never its code), the one-stop summary table and the annual report's sentence."""

from __future__ import annotations

from django.conf import settings

from motcua.core.money import format_number
from motcua.units.lifetime import Coverage, Lifetime

from .metrics import METRICS


def format_percent(rate: float | None, decimals: int | None = None) -> str:
    """A rate (0..1) as people read it: "99,77 %" by default; MOTCUA_PERCENT_DECIMALS and MOTCUA_PERCENT_SPACE
    choose the decimals and whether a space comes before "%" ("99,77%", "75,1%" as the seeds print)."""
    if rate is None:
        return "—"
    if decimals is None:
        decimals = settings.MOTCUA_PERCENT_DECIMALS
    return f"{format_number(rate * 100, decimals)}{' ' if settings.MOTCUA_PERCENT_SPACE else ''}%"


def format_count(value) -> str:
    return format_number(value or 0, 0)


# Rows of the one-stop / online-service section (the seeds' annual-report layout).
SUMMARY_ROWS = [
    ("carried_over", "Kỳ trước chuyển sang", None),
    ("received", "Tiếp nhận trong kỳ", None),
    ("received_online", "— trực tuyến", None),
    ("received_counter", "— trực tiếp", None),
    ("received_post", "— qua bưu chính công ích", None),
    ("resolved", "Đã giải quyết", "resolved_rate"),
    ("resolved_early", "— trước hạn", None),
    ("resolved_on_time", "— đúng hạn", None),
    ("resolved_late", "— quá hạn", None),
    ("in_progress_on_time", "Đang giải quyết trong hạn", None),
    ("in_progress_overdue", "Đang giải quyết quá hạn", None),
    ("returned", "Đã trả kết quả", None),
    ("withdrawn", "Rút hồ sơ", None),
    ("supplement_dossiers", "Hồ sơ phải bổ sung", None),
    ("refused", "Từ chối tiếp nhận", None),
    ("rejected", "Không giải quyết", None),
    ("apology_slips", "Phiếu xin lỗi và hẹn lại", None),
    ("received_digitized", "Số hóa hồ sơ khi tiếp nhận", "digitized_at_receipt_rate"),
    ("results_digitized", "Số hóa kết quả giải quyết", "results_digitized_rate"),
    ("results_electronic", "Kết quả điện tử", "results_electronic_rate"),
    ("received_online_partial", "DVC trực tuyến một phần: hồ sơ trực tuyến", "online_rate_partial"),
    ("received_partial", "DVC trực tuyến một phần: tổng hồ sơ", None),
    ("received_online_full", "DVC trực tuyến toàn trình: hồ sơ trực tuyến", "online_rate_full"),
    ("received_full", "DVC trực tuyến toàn trình: tổng hồ sơ", None),
    ("paid_online", "Thanh toán trực tuyến (hồ sơ)", "paid_online_rate"),
    ("paid_online_vnd", "Thanh toán trực tuyến (đồng)", None),
    ("rated", "Lượt đánh giá", None),
    ("rated_satisfied", "Hài lòng", "satisfaction_rate"),
]


def summary_table(ind) -> list[tuple[str, str, str, str]]:
    """(metric, label, value, rate) rows formatted for people."""
    rates = ind.rates
    out = []
    for metric, label, rate_key in SUMMARY_ROWS:
        out.append((metric, label, format_count(ind[metric]), format_percent(rates[rate_key]) if rate_key else ""))
    return out


# ---- a unit a reorganization created or closed (its lifetime: motcua.units.lifetime) ----

def not_yet(life: Lifetime) -> str:
    return f"Chưa thành lập trong kỳ: đơn vị được thành lập từ ngày {life.first:%d/%m/%Y}."


def ended(life: Lifetime) -> str:
    """«Đã sáp nhập vào … từ ngày … (hoạt động đến hết ngày …)», or «Đã giải thể …» for one closed without a
    successor; «Sẽ …» up to its last day (Lifetime.closure)."""
    return f"{life.closure} (hoạt động đến hết ngày {life.last:%d/%m/%Y})"


def existence_note(cover: Coverage) -> str:
    """What the statistics of a period say of a unit that did not exist for all of it ("" when it did): the same
    facts as the Decision 766 index (decision766._existence), which also narrows its counting to those days."""
    life = cover.lifetime
    if cover.not_yet:
        return not_yet(life)
    if cover.absent:
        return f"{ended(life)}: đơn vị không còn hoạt động trong kỳ."
    return " ".join(part for part in (
        f"Đơn vị được thành lập từ ngày {cover.counted_from:%d/%m/%Y}." if cover.counted_from else "",
        f"{ended(life)}." if cover.counted_until else "") if part)


def existence_word(cover: Coverage) -> str:
    """A few words beside a row (a month) the unit did not exist in: «chưa thành lập», «đã sáp nhập», «đã giải
    thể» («sẽ …» for a month after a closure still to come); "" when it existed for some of it."""
    if not cover.absent:
        return ""
    if cover.not_yet:
        return "chưa thành lập"
    return cover.lifetime.closure_word


def seed_sentence(ind) -> str:
    """The one-stop paragraph of the annual report, written from the numbers."""
    r = ind.rates
    return (
        f"Tiếp nhận {format_count(ind['received'])} hồ sơ, đã giải quyết {format_count(ind['resolved'])} hồ sơ "
        f"(đạt {format_percent(r['resolved_rate'])}); số hóa hồ sơ khi tiếp nhận "
        f"{format_count(ind['received_digitized'])} hồ sơ (đạt {format_percent(r['digitized_at_receipt_rate'])}); "
        f"số hóa kết quả giải quyết {format_count(ind['results_digitized'])} hồ sơ "
        f"(đạt {format_percent(r['results_digitized_rate'])}). Dịch vụ công trực tuyến một phần tiếp nhận "
        f"{format_count(ind['received_online_partial'])}/{format_count(ind['received_partial'])} hồ sơ trực tuyến "
        f"(đạt {format_percent(r['online_rate_partial'])}); dịch vụ công trực tuyến toàn trình tiếp nhận "
        f"{format_count(ind['received_online_full'])}/{format_count(ind['received_full'])} hồ sơ trực tuyến "
        f"(đạt {format_percent(r['online_rate_full'])})."
    )


# What each figure is called, wherever people read it (pages, drill-down titles, workbook headers).
LABELS: dict[str, str] = {
    **METRICS,
    "carried_over": "Kỳ trước chuyển sang", "to_handle": "Tổng số phải giải quyết", "in_progress": "Đang giải quyết",
    "in_progress_overdue": "Đang giải quyết quá hạn", "in_progress_on_time": "Đang giải quyết trong hạn",
    "received_online": "Tiếp nhận trực tuyến", "received_counter": "Tiếp nhận trực tiếp",
    "received_post": "Tiếp nhận qua bưu chính", "received_online_partial": "Trực tuyến (DVC một phần)",
    "received_partial": "Hồ sơ DVC một phần", "received_online_full": "Trực tuyến (DVC toàn trình)",
    "received_full": "Hồ sơ DVC toàn trình", "resolved_rate": "Tỷ lệ giải quyết", "on_time_rate": "Tỷ lệ đúng hạn",
    "online_rate": "Tỷ lệ trực tuyến", "online_rate_partial": "Tỷ lệ trực tuyến (DVC một phần)",
    "online_rate_full": "Tỷ lệ trực tuyến (DVC toàn trình)", "satisfaction_rate": "Tỷ lệ hài lòng",
    "digitized_at_receipt_rate": "Tỷ lệ số hóa khi tiếp nhận", "results_digitized_rate": "Tỷ lệ số hóa kết quả",
}
