"""The annual digital-transformation report of a unit (Decree 30/2020 BÁO CÁO, portrait) with its appendices
on landscape pages; and the same content as an .xlsx workbook.

Sections follow the seeds' order; each prints what officers typed, then the figures the system knows,
written by the system (never retyped): one-stop statistics, targets against their values, tasks,
budget by source, teams and trainings, next year's plan.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone

from motcua.core.spreadsheet import save_workbook
from motcua.reporting.indicators import format_count, format_percent, seed_sentence, summary_table
from motcua.transformation.money import format_million
from motcua.transformation.sections import RESULT_AREAS, SECTION_TITLES
from motcua.transformation.services.annual import AnnualFigures, figures

from . import appendices, builder
from .layout import Appendix, add_to_docx, add_to_xlsx

Progress = Callable[..., None]  # (pct, message): a step; (): a beat of a long step (papers.jobs.run_build)
ROMAN = ["I", "II", "III", "IV", "V", "VI"]
HEAD_TITLE = {"provincial_committee": "CHỦ TỊCH", "commune_committee": "CHỦ TỊCH",
              "provincial_department": "GIÁM ĐỐC", "service_center": "GIÁM ĐỐC"}


def _noop(pct: int | None = None, message: str = "") -> None:
    pass


def _figure_lines(f: AnnualFigures, area: str) -> list[str]:
    """The system's own sentences for one result area."""
    out = []
    if area == "direction" and (f.plan is not None or f.table.rows):
        c = f.task_counts
        states = (f"hoàn thành {c['done']}, đang thực hiện {c['in_progress']}, chưa thực hiện {c['not_started']}, "
                  f"quá hạn {c['overdue']}.")
        if f.plan is None:  # only the tasks handed over to it, as its roll-up row counts them
            out.append(f"Chưa có kế hoạch chuyển đổi số năm {f.year}; {f.received_words}; {states}")
        else:
            approved = f", phê duyệt ngày {f.plan.approved_at:%d/%m/%Y}" if f.plan.approved_at else ""
            received = f" (gồm {f.received_words})" if c["received"] else ""
            out.append(f"{f.plan.title}{f' (số {f.plan.number})' if f.plan.number else ''}{approved}: {c['tasks']} "
                       f"nhiệm vụ{received}; {states}")
    if area == "digital_government":
        out.append(f"Kết quả giải quyết thủ tục hành chính năm {f.year}: {seed_sentence(f.statistics)}")
    if area == "digital_society":
        c = f.counts
        out.append(f"Có {format_count(c.teams)} Tổ công nghệ số cộng đồng với {format_count(c.members)} thành viên; "
                   f"{format_count(c.trainings)} lớp tập huấn, hướng dẫn với {format_count(c.trained)} lượt người tham "
                   f"gia; {format_count(c.communications)} hoạt động tuyên truyền.")
    if area == "human_resources" and f.trainings:
        out += [f"{a.date:%d/%m/%Y}: {a.title} ({format_count(a.participants)} người)." for a in f.trainings[:20]]
    if area == "budget":
        table = f.spending_table
        if table.has_budget:
            disbursed = f"; đã giải ngân {format_million(table.disbursed_vnd)} triệu đồng" if table.disbursed_vnd else ""
            parts = appendices.by_sources(table)
            out.append(f"Tổng kinh phí: {table.total} triệu đồng{disbursed}; theo nguồn vốn: "
                       + "; ".join(f"{k} {format_million(v)}" for k, v in parts) + " (triệu đồng).")
    for m in f.targets_in(area):
        verdict = {True: "đạt", False: "chưa đạt", None: "chưa có số liệu"}[m.met]
        out.append(f"{m.target.name}: {m.display} (chỉ tiêu {m.target_label}, {verdict}).")
    return out


def _appendices(f: AnnualFigures) -> list[Appendix]:
    out = []
    if f.table.rows:
        out.append(appendices.task_results(f.table.plan, table=f.table))
    spend = f.spending_table
    if spend.has_budget:
        out.append(appendices.spending(spend.plan, table=spend))
    if f.next_table is not None and f.next_table.rows:
        out.append(appendices.plan_budget(f.next_plan, table=f.next_table))
    for n, a in enumerate(out):
        a.label = f"PHỤ LỤC {ROMAN[n]}"
        a.attached = f"(Kèm theo Báo cáo số      /BC ngày …… của {f.agency.name})"
    return out


def _place(unit_name: str) -> str:
    """"Phường Đức Phổ" → "Đức Phổ" (the place line of a document names the place, not its rank)."""
    for prefix in ("Tỉnh ", "Thành phố ", "Phường ", "Xã ", "Đặc khu "):
        if unit_name.startswith(prefix):
            return unit_name[len(prefix):]
    return unit_name


def _names(agency) -> tuple[str, str, str]:
    province = settings.MOTCUA_PROVINCE_NAME
    parent = agency.parent.name if agency.parent_id else ("" if agency.kind == "provincial_committee"
                                                          else f"UBND tỉnh {province}")
    return agency.name, parent, agency.admin_unit.name if agency.admin_unit_id else province


def build_docx(agency, year: int, progress: Progress = _noop) -> bytes:
    progress(5, "Tổng hợp số liệu")
    f = figures(agency, year)
    name, parent, place = _names(agency)
    doc = builder.report(agency=name, parent_agency=parent, number="      /BC", place=_place(place),
                         date=timezone.localdate(), title="BÁO CÁO",
                         summary=f"Kết quả thực hiện chuyển đổi số năm {year} và nhiệm vụ năm {year + 1}")
    if f.plan is not None and f.plan.legal_basis:
        doc.paragraph(f"Căn cứ {f.plan.legal_basis}; {name} báo cáo kết quả thực hiện chuyển đổi số năm {year} như sau:")
    progress(30, "Kết quả theo lĩnh vực")
    doc.heading(f"I. KẾT QUẢ THỰC HIỆN NĂM {year}")
    for n, (key, title) in enumerate(RESULT_AREAS, start=1):
        doc.heading(f"{n}. {title}")
        for para in filter(None, f.narratives.get(key, "").split("\n")):
            doc.paragraph(para)
        for line in _figure_lines(f, key):
            doc.paragraph(line)
        if key == "digital_government":
            rows = [[str(i), label, value, rate] for i, (_, label, value, rate) in
                    enumerate(summary_table(f.statistics), start=1)]
            doc.table(["STT", "Chỉ tiêu", "Số hồ sơ", "Tỷ lệ"], rows, widths=[12, 98, 30, 25],
                      align=["center", "left", "right", "right"], size=11)
    progress(55, "Hạn chế, nhiệm vụ năm tới")
    doc.heading(f"II. {SECTION_TITLES['shortcomings'].upper()}")
    for para in filter(None, f.narratives["shortcomings"].split("\n")):
        doc.paragraph(para)
    doc.heading(f"III. NHIỆM VỤ NĂM {year + 1}")
    for para in filter(None, f.narratives["next_year"].split("\n")):
        doc.paragraph(para)
    if f.next_table is not None and f.next_table.rows:
        doc.paragraph(f"{f.next_plan.title}: {len(f.next_table.rows)} nhiệm vụ, tổng kinh phí dự kiến "
                      f"{f.next_table.total} triệu đồng (chi tiết tại phụ lục).")
    doc.heading(f"IV. {SECTION_TITLES['proposals'].upper()}")
    for para in filter(None, f.narratives["proposals"].split("\n")):
        doc.paragraph(para)
    doc.signer(HEAD_TITLE.get(agency.kind, "THỦ TRƯỞNG CƠ QUAN"))
    doc.recipients([parent or "Bộ Khoa học và Công nghệ", "Lưu: VT"])
    progress(75, "Phụ lục")
    d = builder.open_docx(doc.to_docx())
    for appendix in _appendices(f):
        progress()  # a beat (papers.jobs): an appendix of a large plan takes a while to lay out
        section = builder.appendix_section(d, landscape=True)
        add_to_docx(d, appendix, builder.text_width_mm(section))
    out = io.BytesIO()
    d.save(out)
    progress(100, "Hoàn thành")
    return out.getvalue()


def build_xlsx(agency, year: int, progress: Progress = _noop) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    progress(5, "Tổng hợp số liệu")
    f = figures(agency, year)
    wb = Workbook()
    ws = wb.active
    ws.title = "Báo cáo"
    ws.append([f"BÁO CÁO KẾT QUẢ THỰC HIỆN CHUYỂN ĐỔI SỐ NĂM {year} — {agency.name.upper()}"])
    ws["A1"].font = Font(bold=True)
    for n, (key, title) in enumerate(RESULT_AREAS, start=1):
        ws.append([f"{n}. {title}"])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
        for text in [*filter(None, f.narratives.get(key, "").split("\n")), *_figure_lines(f, key)]:
            ws.append([text])
    for key in ("shortcomings", "next_year", "proposals"):
        ws.append([SECTION_TITLES[key]])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
        for text in filter(None, f.narratives[key].split("\n")):
            ws.append([text])
    ws.column_dimensions["A"].width = 140
    for row in ws.iter_rows():
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    progress(40, "Chỉ tiêu và thống kê")
    targets = wb.create_sheet("Chỉ tiêu")
    targets.append(["Lĩnh vực", "Chỉ tiêu", "Mục tiêu", "Đạt được", "Giá trị (số)", "Đánh giá", "Nguồn số liệu"])
    for m in f.measured:
        targets.append([SECTION_TITLES.get(m.target.area, ""), m.target.name, m.target_label, m.display,
                        float(m.value) if m.value is not None else None,
                        {True: "Đạt", False: "Chưa đạt", None: ""}[m.met], m.source_label])
    stats = wb.create_sheet("Thủ tục hành chính")
    stats.append(["Chỉ tiêu", "Số hồ sơ", "Tỷ lệ"])
    for metric, label, _, rate in summary_table(f.statistics):
        stats.append([label, f.statistics[metric], rate])
    for sheet in (targets, stats):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = 50, 50
    progress(70, "Phụ lục")
    for appendix in _appendices(f):  # the sheet "Phụ lục II" (str.title() wrote "Phụ Lục Ii")
        progress()  # a beat (papers.jobs)
        add_to_xlsx(wb, appendix, "Phụ lục " + appendix.label.removeprefix("PHỤ LỤC").strip())
    data = save_workbook(wb)
    progress(100, "Hoàn thành")
    return data


def describe(f: AnnualFigures) -> dict[str, list[str]]:
    """The figures each section will print (shown beside the narrative editor)."""
    out = {key: _figure_lines(f, key) for key, _ in RESULT_AREAS}
    out["digital_government"].append(f"Tỷ lệ giải quyết đúng hạn: {format_percent(f.statistics.rates['on_time_rate'])}; "
                                     f"hồ sơ trực tuyến: {format_percent(f.statistics.rates['online_rate'])}.")
    if f.next_table is not None:
        out["next_year"] = [f"{f.next_plan.title}: tổng kinh phí dự kiến {f.next_table.total} triệu đồng."]
    return out
