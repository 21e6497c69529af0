"""The statistics report (reporting's printed paper): the annual-report section on the one-stop counter and
online services as a Decree 30/2020 .docx (motcua.papers.decree30 builder), and every table as .xlsx
(openpyxl). The figures come from motcua.reporting; this module only lays them out."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone

from motcua.catalog.models import Field, Procedure
from motcua.core.money import format_number
from motcua.reporting import decision766, indicators
from motcua.reporting.continuity import LINEAGE
from motcua.reporting.indicators import Indicators, format_count, format_percent, period_label
from motcua.units.models import Agency
from motcua.units.reorganization import predecessors

from .decree30 import Decree30Document

Progress = Callable[[int, str], None]


def _noop(pct: int, message: str) -> None:
    pass


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


def agency_names() -> dict[str, str]:
    return dict(Agency.objects.values_list("code", "name"))


def _group_rows(grouped: dict[tuple, Indicators], names: dict[str, str] | None = None) -> list[list[str]]:
    rows = []
    for i, (key, ind) in enumerate(sorted(grouped.items(), key=lambda kv: -kv[1]["received"]), start=1):
        r = ind.rates
        label = (names or {}).get(key[0], key[0])
        rows.append([str(i), label, format_count(ind["received"]), format_count(ind["received_online"]),
                     format_count(ind["resolved"]), format_percent(r["resolved_rate"]),
                     format_percent(r["on_time_rate"]), format_count(ind["in_progress_overdue"]),
                     format_percent(r["digitized_at_receipt_rate"]), format_percent(r["results_digitized_rate"])])
    return rows


GROUP_HEADERS = ["STT", "Đơn vị", "Tiếp nhận", "Trực tuyến", "Đã giải quyết", "Tỷ lệ giải quyết", "Đúng hạn",
                 "Đang quá hạn", "Số hóa khi tiếp nhận", "Số hóa kết quả"]


def build_docx(scope: str | None, start: dt.date, end: dt.date, *, number: str = "", signer_title: str = "",
               signer_name: str = "", progress: Progress = _noop) -> bytes:
    agency, parent, place = scope_names(scope)
    label = period_label(start, end)
    progress(5, "Tổng hợp số liệu")
    total = indicators.totals(start, end, scope)
    doc = Decree30Document(
        agency=agency, parent_agency=parent, number=number or "      /BC", place=place,
        date=timezone.localdate(), title="BÁO CÁO",
        summary=f"Kết quả giải quyết thủ tục hành chính và cung cấp dịch vụ công trực tuyến {label}")
    doc.heading("I. KẾT QUẢ TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ TẠI BỘ PHẬN MỘT CỬA")
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
    if len(by_agency) > 1 or scope in (None, "province"):
        doc.heading("II. KẾT QUẢ THEO ĐƠN VỊ")
        doc.table(GROUP_HEADERS, _group_rows(by_agency, agency_names()), size=10)
    progress(55, "Số liệu theo lĩnh vực")
    by_field = indicators.compute(start, end, scope, group_by="field")
    doc.heading("III. KẾT QUẢ THEO LĨNH VỰC")
    doc.table(["STT", "Lĩnh vực", *GROUP_HEADERS[2:]],
              _group_rows(by_field, dict(Field.objects.values_list("code", "name"))), size=10)
    progress(75, "Chỉ số phục vụ người dân, doanh nghiệp (QĐ 766)")
    index = decision766.evaluate(start, end, scope)
    doc.heading("IV. CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP (QUYẾT ĐỊNH 766/QĐ-TTg)")
    rows = []
    for g in index["groups"]:
        rows.append([g["code"], g["name"], f"{g['max']}", format_number(g["score"], 2)])
        for item in g["indicators"]:
            rows.append([item["code"], item["name"], format_number(item["max"], 0),
                         item["display"] if item["status"] == "ok" else decision766.NO_DATA])
    doc.table(["Mã", "Chỉ số", "Điểm tối đa", "Kết quả"], rows, widths=[14, 96, 22, 48], size=10)
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


# ---- .xlsx: every table ----

def build_xlsx(scope: str | None, start: dt.date, end: dt.date, progress: Progress = _noop) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    bold = Font(bold=True)

    def sheet(title, headers, rows, first=False):
        ws = wb.active if first else wb.create_sheet()
        ws.title = title
        ws.append(headers)
        for c in ws[1]:
            c.font = bold
        for row in rows:
            ws.append(row)
        for col, width in zip("ABCDEFGHIJKLMN", [8, 48] + [16] * 12, strict=False):
            ws.column_dimensions[col].width = width
        for row in ws.iter_rows(min_row=2):
            for c in row:
                if isinstance(c.value, float):
                    c.number_format = "0.00%"
                elif isinstance(c.value, int):
                    c.number_format = "#,##0"
        return ws

    def pct(x):
        return None if x is None else round(x, 6)

    progress(5, "Tổng hợp")
    total = indicators.totals(start, end, scope)
    rates = total.rates
    sheet("Tổng hợp", ["Mã", "Chỉ tiêu", "Số hồ sơ", "Tỷ lệ"],
          [[m, label, total[m], pct(rates[r]) if r else None] for m, label, r in indicators.SUMMARY_ROWS], first=True)
    metrics = ["received", "received_online", "received_counter", "received_post", "resolved", "resolved_early",
               "resolved_on_time", "resolved_late", "in_progress_on_time", "in_progress_overdue", "returned",
               "withdrawn", "refused", "supplement_dossiers", "apology_slips", "received_digitized",
               "results_digitized", "results_electronic", "paid_online", "paid_online_vnd", "rated",
               "rated_satisfied"]
    headers = ["Mã", "Tên", *metrics, "resolved_rate", "online_rate_partial", "online_rate_full"]
    for i, (group, title, names) in enumerate([
            ("agency", "Theo đơn vị", agency_names()),
            ("field", "Theo lĩnh vực", dict(Field.objects.values_list("code", "name"))),
            ("procedure", "Theo thủ tục", dict(Procedure.objects.values_list("code", "name"))),
            ("channel", "Theo kênh nộp", {"online": "Trực tuyến", "counter": "Trực tiếp", "post": "Bưu chính"}),
            ("online_level", "Theo mức độ DVC", {"full": "Toàn trình", "partial": "Một phần",
                                                  "none": "Không trực tuyến"})]):
        progress(10 + i * 12, title)
        grouped = indicators.compute(start, end, scope, group_by=group)
        rows = []
        for key, ind in sorted(grouped.items()):
            r = ind.rates
            rows.append([key[0], names.get(key[0], key[0]), *(ind[m] for m in metrics),
                         pct(r["resolved_rate"]), pct(r["online_rate_partial"]), pct(r["online_rate_full"])])
        sheet(title, headers, rows)
    progress(75, "Theo tháng")
    rows = []
    cur = dt.date(start.year, start.month, 1)
    while cur <= end:
        nxt = (cur.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        lo, hi = max(cur, start), min(nxt - dt.timedelta(days=1), end)
        ind = indicators.totals(lo, hi, scope)
        rows.append([f"{cur:%m/%Y}", f"{lo:%d/%m/%Y} – {hi:%d/%m/%Y}", *(ind[m] for m in metrics),
                     pct(ind.rates["resolved_rate"]), pct(ind.rates["online_rate_partial"]),
                     pct(ind.rates["online_rate_full"])])
        cur = nxt
    sheet("Theo tháng", ["Tháng", "Kỳ", *metrics, "resolved_rate", "online_rate_partial", "online_rate_full"], rows)
    progress(85, "Chỉ số 766")
    index = decision766.evaluate(start, end, scope)
    sheet("Chỉ số 766", ["Mã", "Chỉ số", "Điểm tối đa", "Tử số", "Mẫu số", "Tỷ lệ", "Điểm", "Ghi chú"],
          [[i["code"], i["name"], i["max"], i["numerator"], i["denominator"], pct(i["rate"]),
            i["score"] if i["score"] is not None else decision766.NO_DATA, i["note"]]
           for g in index["groups"] for i in g["indicators"]])
    lost = decision766.costly_dossiers(start, end, scope)
    sheet("Hồ sơ bị trừ điểm", ["Lý do", "Mã hồ sơ", "Cơ quan", "Thủ tục"],
          [[decision766.LOSS_REASONS[reason], r["code"], r["agency_code"], r["procedure_code"]]
           for reason, rows_ in lost.items() for r in rows_])
    buf = io.BytesIO()
    wb.save(buf)
    progress(100, "Hoàn thành")
    return buf.getvalue()
