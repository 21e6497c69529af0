"""Write a plan as .xlsx in the canonical layout (the columns of layout.COLUMNS); the import reads it back."""

from __future__ import annotations

from motcua.core.spreadsheet import save_workbook

from ..models import Plan
from ..money import format_million, million_value
from ..services.budget import plan_table
from .layout import COLUMNS


def number_format(decimals: int | None) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def _time(task) -> str | int | None:
    if task.deadline:
        return f"{task.deadline:%d/%m/%Y}"
    return task.year


def export_plan(plan: Plan) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    table = plan_table(plan)
    wb = Workbook()
    ws = wb.active
    ws.title = f"Kế hoạch {plan.year}" if plan.kind == Plan.PLAN else f"Báo cáo {plan.year}"
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    ws.append([plan.title.upper()])
    ws.append([plan.agency.name])
    if plan.legal_basis:
        ws.append([f"Căn cứ: {plan.legal_basis}"])
    ws.append(["Đơn vị tính: triệu đồng"])
    ws["A1"].font = bold
    ws.append([label for _, label in COLUMNS])
    header = ws.max_row
    for c in ws[header]:
        c.font, c.alignment = bold, Alignment(wrap_text=True, horizontal="center", vertical="center")
    col = {key: i for i, (key, _) in enumerate(COLUMNS)}

    def put(values: dict, *, strong=False, decimals=None):
        row = [None] * len(COLUMNS)
        for key, value in values.items():
            row[col[key]] = value
        ws.append(row)
        for c in ws[ws.max_row]:
            c.alignment = wrap
            if strong:
                c.font = bold
        for key in ("planned", "disbursed"):
            cell = ws.cell(row=ws.max_row, column=col[key] + 1)
            if cell.value is not None:
                cell.number_format = number_format(decimals.get(key) if isinstance(decimals, dict) else decimals)

    for sec in table.sections:
        put({"number": sec.section.numeral, "content": sec.section.title,
             "planned": million_value(sec.planned_vnd) if sec.has_budget else None}, strong=True,
            decimals=_decimals(sec.planned_vnd))
        for r in sec.rows:
            t = r.task
            first = r.lines[0] if r.lines else None
            put({"number": t.number, "content": t.content, "lead": t.lead_text, "explanation": t.explanation,
                 "planned": million_value(first.planned_vnd) if first else None,
                 "sources": ", ".join(s.code for s in first.sources.all()) if first else None,
                 "time": _time(t), "cooperating": t.cooperating_text,
                 "disbursed": million_value(first.disbursed_vnd) if first and first.disbursed_vnd is not None else None,
                 "result": t.result, "note": t.note},
                decimals={"planned": first.decimals if first else 0,
                          "disbursed": _decimals(first.disbursed_vnd) if first else 0})
            for line in r.lines[1:]:
                put({"planned": million_value(line.planned_vnd), "sources": ", ".join(s.code for s in line.sources.all()),
                     "time": line.year,
                     "disbursed": million_value(line.disbursed_vnd) if line.disbursed_vnd is not None else None},
                    decimals={"planned": line.decimals, "disbursed": _decimals(line.disbursed_vnd)})
    if table.has_budget:
        put({"number": "Tổng cộng", "planned": million_value(table.planned_vnd), "sources": table.source_codes},
            strong=True, decimals=_decimals(table.planned_vnd))
    widths = {"number": 8, "content": 45, "lead": 28, "explanation": 45, "planned": 14, "sources": 16, "time": 14,
              "cooperating": 24, "disbursed": 14, "result": 40, "note": 24}
    for key, i in col.items():
        ws.column_dimensions[get_column_letter(i + 1)].width = widths[key]
    ws.freeze_panes = ws.cell(row=header + 1, column=1)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.print_title_rows = f"{header}:{header}"
    return save_workbook(wb)


def _decimals(vnd: int | None) -> int:
    return len(format_million(vnd).partition(",")[2]) if vnd else 0
