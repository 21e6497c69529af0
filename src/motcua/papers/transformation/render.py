"""A stand-alone appendix as .docx (landscape A4, Decree 30/2020 page and font) or .xlsx."""

from __future__ import annotations

import io

from motcua.core.spreadsheet import save_workbook
from motcua.transformation.models import Plan

from . import appendices, builder
from .layout import Appendix, add_to_docx, add_to_xlsx

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def appendix_docx(appendix: Appendix) -> bytes:
    d = builder.new_document(landscape=True)
    add_to_docx(d, appendix, builder.text_width_mm(d.sections[0]))
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def appendix_xlsx(appendix: Appendix, sheet: str = "Phụ lục") -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    add_to_xlsx(wb, appendix, sheet)
    return save_workbook(wb)


def plan_paper(kind: str, plan: Plan, fmt: str, *, number: str = "") -> bytes:
    appendix = appendices.build(kind, plan, number=number)
    return appendix_docx(appendix) if fmt == "docx" else appendix_xlsx(appendix)
