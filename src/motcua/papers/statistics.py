"""The statistics report (reporting's printed paper): the annual-report section on the one-stop counter and
online services as a Decree 30/2020 .docx (motcua.papers.decree30 builder: wide tables on landscape pages), and
every table as .xlsx (openpyxl), headed in Vietnamese. The figures come from motcua.reporting; this module only
lays them out.
A unit a reorganization created or closed says so where its name or period is printed (the same note as its
statistics page: reporting.texts.existence_note, from motcua.units.lifetime)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone

from motcua.catalog.models import Field, Procedure
from motcua.core.money import format_number
from motcua.core.spreadsheet import save_workbook
from motcua.core.text import fold
from motcua.reporting import decision766, indicators
from motcua.reporting.continuity import LINEAGE
from motcua.reporting.indicators import LABELS, Indicators, format_count, format_percent, period_label
from motcua.reporting.texts import existence_note, existence_word
from motcua.units import lifetime
from motcua.units.models import Agency
from motcua.units.reorganization import predecessors

from .decree30 import Decree30Document

Progress = Callable[..., None]  # (pct, message): a step; (): a beat of a long step (papers.jobs.run_build)


def _noop(pct: int | None = None, message: str = "") -> None:
    pass


def scope_arg(scope: str | None) -> str | None:
    """A report's scope as the builders and ``reporting.access.check_scope`` take it: None for the whole province
    (no scope, "", or ``province`` as a build's row and the API's ``scope=province`` say it)."""
    return None if scope in (None, "", "province") else scope


def file_name(scope: str | None, start: dt.date, end: dt.date, kind: str) -> str:
    """The report file's name, the same from the page's build, the API's build and its synchronous download:
    ``bao-cao-tinh-20260101-20261231.docx`` for the province, ``bao-cao-lineage-H55.1-…`` for a scope with a colon."""
    name = "tinh" if (scope := scope_arg(scope)) is None else scope.replace(":", "-")
    return f"bao-cao-{name}-{start:%Y%m%d}-{end:%Y%m%d}.{kind}"


def scope_names(scope: str | None) -> tuple[str, str, str]:
    """(issuing agency, parent agency, place) for a scope: an agency code (with its predecessors:
    'lineage:<code>') or the province."""
    province = settings.MOTCUA_PROVINCE_NAME
    code = scope.removeprefix(LINEAGE) if scope else scope
    if code and not code.startswith(("level:", "unit:")) and code != "province":
        agency = Agency.objects.select_related("admin_unit", "parent").filter(code=code).first()
        if agency is not None:
            parent = agency.parent.name if agency.parent_id else f"UBND tỉnh {province}"
            return agency.name, parent, agency.admin_unit.name if agency.admin_unit_id else province
    return f"UBND tỉnh {province}", "", province


COMMITTEES = (Agency.PROVINCIAL_COMMITTEE, Agency.COMMUNE_COMMITTEE)


def document_symbol(scope: str | None) -> str:
    """The issuing agency's abbreviation after "BC-" in the number line (Decree 30/2020 App. I: "Số: …/BC-UBND"):
    UBND for the province and People's Committees, else the agency's short name or the initials of its name
    ("Sở Khoa học và Công nghệ" → SKHCN)."""
    if not scope or scope.startswith(("level:", "unit:")) or scope == "province":
        return "UBND"
    agency = Agency.objects.filter(code=scope.removeprefix(LINEAGE)).first()
    if agency is None or agency.kind in COMMITTEES:
        return "UBND"
    if agency.short_name and " " not in agency.short_name.strip() and agency.short_name.isupper():
        return agency.short_name.strip()
    words = [w for w in fold(agency.name).split() if w != "va"]
    return "".join(w[0] for w in words).upper() or "UBND"


def report_number(scope: str | None) -> str:
    """The number line before the clerk writes the number: a blank, then "/BC-UBND"."""
    return f"{' ' * 8}/BC-{document_symbol(scope)}"


def agency_names() -> dict[str, str]:
    return dict(Agency.objects.values_list("code", "name"))


def agency_notes(codes, start: dt.date, end: dt.date) -> dict[str, str]:
    """What each agency's row says of a unit that did not exist for all of the period (none for the others)."""
    notes = {code: existence_note(life.cover(start, end)) for code, life in lifetime.by_code(codes).items()}
    return {code: note for code, note in notes.items() if note}


def _group_rows(grouped: dict[tuple, Indicators], names: dict[str, str] | None = None,
                notes: dict[str, str] | None = None) -> list[list[str]]:
    rows = []
    for i, (key, ind) in enumerate(sorted(grouped.items(), key=lambda kv: -kv[1]["received"]), start=1):
        r = ind.rates
        label = (names or {}).get(key[0], key[0])
        if (notes or {}).get(key[0]):
            label = f"{label}\n{notes[key[0]]}"  # under the unit's name, on its own line
        rows.append([str(i), label, format_count(ind["received"]), format_count(ind["received_online"]),
                     format_count(ind["resolved"]), format_percent(r["resolved_rate"]),
                     format_percent(r["on_time_rate"]), format_count(ind["in_progress_overdue"]),
                     format_percent(r["digitized_at_receipt_rate"]), format_percent(r["results_digitized_rate"])])
    return rows


GROUP_HEADERS = ["STT", "Đơn vị", "Tiếp nhận", "Trực tuyến", "Đã giải quyết", "Tỷ lệ giải quyết", "Đúng hạn",
                 "Đang quá hạn", "Số hóa khi tiếp nhận", "Số hóa kết quả"]
# Landscape A4 (252 mm of text): the name column wide enough that unit names wrap by phrase, not by word.
GROUP_WIDTHS = [10, 72, 20, 20, 22, 20, 20, 20, 24, 22]
GROUP_ALIGN = ["center", "left", *["right"] * 8]


def build_docx(scope: str | None, start: dt.date, end: dt.date, *, number: str = "", signer_title: str = "",
               signer_name: str = "", progress: Progress = _noop) -> bytes:
    agency, parent, place = scope_names(scope)
    label = period_label(start, end)
    progress(5, "Tổng hợp số liệu")
    total = indicators.totals(start, end, scope)
    doc = Decree30Document(
        agency=agency, parent_agency=parent, number=number or report_number(scope), place=place,
        date=timezone.localdate(), title="BÁO CÁO",
        summary=f"Kết quả giải quyết thủ tục hành chính và cung cấp dịch vụ công trực tuyến {label}")
    doc.heading("I. KẾT QUẢ TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ TẠI BỘ PHẬN MỘT CỬA")
    note = existence_note(indicators.coverage(start, end, scope))  # a unit created or closed in or before it
    if note:
        doc.paragraph(note, italic=True)
    if scope and scope.startswith(LINEAGE):
        names = [a.name for a in predecessors(Agency.objects.get(code=scope.removeprefix(LINEAGE)))]
        if names:
            doc.paragraph(f"Số liệu gồm cả các đơn vị tiền thân đã sắp xếp, sáp nhập: {', '.join(names)}.",
                          italic=True)
    doc.paragraph(indicators.seed_sentence(total))
    doc.table(["STT", "Chỉ tiêu", "Số hồ sơ", "Tỷ lệ"],
              [[str(i), label_, value, rate] for i, (_, label_, value, rate) in
               enumerate(indicators.summary_table(total), start=1)],
              widths=[12, 98, 30, 25], align=["center", "left", "right", "right"], size=12)
    progress(30, "Số liệu theo đơn vị")
    by_agency = indicators.compute(start, end, scope, group_by="agency")
    doc.section(landscape=True)  # the wide tables
    if len(by_agency) > 1 or scope in (None, "province"):
        doc.heading("II. KẾT QUẢ THEO ĐƠN VỊ")
        doc.table(GROUP_HEADERS, _group_rows(by_agency, agency_names(), agency_notes(
            [k[0] for k in by_agency], start, end)), widths=GROUP_WIDTHS, align=GROUP_ALIGN, size=10)
    progress(55, "Số liệu theo lĩnh vực")
    by_field = indicators.compute(start, end, scope, group_by="field")
    doc.heading("III. KẾT QUẢ THEO LĨNH VỰC")
    doc.table(["STT", "Lĩnh vực", *GROUP_HEADERS[2:]],
              _group_rows(by_field, dict(Field.objects.values_list("code", "name"))), widths=GROUP_WIDTHS,
              align=GROUP_ALIGN, size=10)
    doc.section(landscape=False)
    progress(75, "Chỉ số phục vụ người dân, doanh nghiệp (QĐ 766)")
    index = decision766.evaluate(start, end, scope)
    doc.heading("IV. CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP (QUYẾT ĐỊNH 766/QĐ-TTg)")
    rows = []
    for g in index["groups"]:
        rows.append([g["code"], g["name"], f"{g['max']}", format_number(g["score"], 2)])
        for item in g["indicators"]:
            rows.append([item["code"], item["name"], format_number(item["max"], 0),
                         item["display"] if item["status"] == "ok" else decision766.NO_DATA])
    doc.table(["Mục", "Chỉ số", "Điểm tối đa", "Kết quả"], rows, widths=[14, 90, 20, 56],
              align=["center", "left", "right", "left"], size=10)
    measured = index["measured_max"]
    doc.paragraph(
        f"Tổng điểm trên các chỉ số đo được: {format_number(index['score'], 2)}/"
        f"{format_number(measured, 0)} điểm (quy đổi thang 100: "
        f"{format_number(index['score_100'] or 0, 2)} điểm). Các chỉ số ghi \u201c{decision766.NO_DATA}\u201d "
        f"chưa đo được trên hệ thống và không tính vào tổng.", italic=True)
    progress(90, "Định dạng văn bản")
    doc.signer(signer_title or "CHỦ TỊCH", signer_name)
    doc.recipients(["Như trên", "Lưu: VT"])
    data = doc.to_docx()
    progress(100, "Hoàn thành")
    return data


# ---- .xlsx: every table, headed in Vietnamese ----

XLSX_METRICS = ["received", "received_online", "received_counter", "received_post", "resolved", "resolved_early",
                "resolved_on_time", "resolved_late", "in_progress_on_time", "in_progress_overdue", "returned",
                "withdrawn", "refused", "supplement_dossiers", "apology_slips", "received_digitized",
                "results_digitized", "results_electronic", "paid_online", "paid_online_vnd", "rated",
                "rated_satisfied"]
XLSX_RATES = ["resolved_rate", "online_rate_partial", "online_rate_full"]
CHANNELS = {"online": "Trực tuyến", "counter": "Trực tiếp", "post": "Bưu chính công ích"}
LEVELS = {"full": "Toàn trình", "partial": "Một phần", "none": "Không trực tuyến"}


def _pct(x):
    return None if x is None else round(x, 6)


def _figures(ind: Indicators) -> list:
    return [*(ind[m] for m in XLSX_METRICS), *(_pct(ind.rates[r]) for r in XLSX_RATES)]


FIGURE_HEADERS = [LABELS[m] for m in [*XLSX_METRICS, *XLSX_RATES]]


class _Workbook:
    def __init__(self):
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font

        self.wb = Workbook()
        self.bold, self.wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
        self.first = True

    def sheet(self, title, headers, rows, widths=(8, 48)):
        from openpyxl.utils import get_column_letter

        ws = self.wb.active if self.first else self.wb.create_sheet()
        self.first = False
        ws.title = title
        ws.append(headers)
        for c in ws[1]:
            c.font, c.alignment = self.bold, self.wrap
        for row in rows:
            ws.append(row)
        for col in range(1, len(headers) + 1):
            ws.column_dimensions[get_column_letter(col)].width = widths[col - 1] if col <= len(widths) else 16
        ws.freeze_panes = "A2"
        for row in ws.iter_rows(min_row=2):
            for c in row:
                if isinstance(c.value, float):
                    c.number_format = "0.00%"
                elif isinstance(c.value, int):
                    c.number_format = "#,##0"
        return ws

    def bytes(self) -> bytes:
        return save_workbook(self.wb)


def build_xlsx(scope: str | None, start: dt.date, end: dt.date, progress: Progress = _noop) -> bytes:
    book = _Workbook()
    progress(5, "Tổng hợp")
    total = indicators.totals(start, end, scope)
    rates = total.rates
    cover = indicators.coverage(start, end, scope)  # a unit created or closed in or before the period
    note = existence_note(cover)
    book.sheet("Tổng hợp", ["STT", "Chỉ tiêu", "Số hồ sơ", "Tỷ lệ"],
               [[i, label, total[m], _pct(rates[r]) if r else None]
                for i, (m, label, r) in enumerate(indicators.SUMMARY_ROWS, start=1)]
               + ([[], ["Ghi chú", note]] if note else []))
    procedures = dict(Procedure.objects.values_list("code", "name"))
    for i, (group, title, head, names) in enumerate([
            ("agency", "Theo đơn vị", ["STT", "Đơn vị"], agency_names()),
            ("field", "Theo lĩnh vực", ["STT", "Lĩnh vực"], dict(Field.objects.values_list("code", "name"))),
            ("procedure", "Theo thủ tục", ["STT", "Mã thủ tục", "Tên thủ tục"], procedures),
            ("channel", "Theo kênh nộp", ["STT", "Kênh nộp"], CHANNELS),
            ("online_level", "Theo mức độ DVC", ["STT", "Mức độ dịch vụ công trực tuyến"], LEVELS)]):
        progress(10 + i * 12, title)
        grouped = indicators.compute(start, end, scope, group_by=group)
        notes = agency_notes([k[0] for k in grouped], start, end) if group == "agency" else None
        rows = []
        for n, (key, ind) in enumerate(sorted(grouped.items(), key=lambda kv: names.get(kv[0][0], kv[0][0])), 1):
            name = names.get(key[0], "Không còn trong danh mục")
            rows.append([n, *([key[0]] if group == "procedure" else []), name, *_figures(ind),
                         *([notes.get(key[0], "")] if notes is not None else [])])
        widths = (6, 14, 60) if group == "procedure" else (6, 48)
        book.sheet(title, [*head, *FIGURE_HEADERS, *(["Ghi chú"] if notes is not None else [])], rows, widths)
    progress(75, "Theo tháng")
    rows = []
    cur = dt.date(start.year, start.month, 1)
    while cur <= end:
        nxt = (cur.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        lo, hi = max(cur, start), min(nxt - dt.timedelta(days=1), end)
        progress()  # a query per month: years of them take long (a beat at most every few seconds)
        word = existence_word(cover.lifetime.cover(lo, hi))  # «đã sáp nhập» beside a month it did not exist in
        rows.append([f"{cur:%m/%Y}", f"{lo:%d/%m/%Y} – {hi:%d/%m/%Y}" + (f" ({word})" if word else ""),
                     *_figures(indicators.totals(lo, hi, scope))])
        cur = nxt
    book.sheet("Theo tháng", ["Tháng", "Kỳ", *FIGURE_HEADERS], rows, (10, 26))
    progress(85, "Chỉ số 766")
    index = decision766.evaluate(start, end, scope)
    book.sheet("Chỉ số 766", ["Mục", "Chỉ số", "Điểm tối đa", "Tử số", "Mẫu số", "Tỷ lệ", "Điểm", "Ghi chú",
                              "Nguồn số liệu"],
               [[i["code"], i["name"], i["max"], i["numerator"], i["denominator"], _pct(i["rate"]),
                 i["score"] if i["score"] is not None else decision766.NO_DATA, i["note"], i["source"]]
                for g in index["groups"] for i in g["indicators"]], (8, 48, 10, 10, 10, 10, 10, 60, 60))
    lost = decision766.costly_dossiers(start, end, scope)
    book.sheet("Hồ sơ bị trừ điểm", ["Chỉ số", "Lý do", "Mã hồ sơ", "Thủ tục", "Cơ quan", "Kênh nộp", "Trạng thái"],
               [[f"{code}. {decision766.LOSS_REASONS[code]}", r["reason"], r["code"], r["procedure"], r["agency"],
                 r["channel"], r["status"]] for code, rows_ in lost.items() for r in rows_],
               (40, 50, 24, 48, 36, 14, 20))
    data = book.bytes()
    progress(100, "Hoàn thành")
    return data
