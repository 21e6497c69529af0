"""Saving the workbooks we hand out (statistics, catalog, plans, DX reports and appendices).

What a citizen or an officer typed (a procedure name, a task, a narrative line) stays text in every cell:
openpyxl turns any string starting with "=" into a formula, so "=HYPERLINK(…)" typed as a task would run in
Excel or LibreOffice on opening (spreadsheet formula injection, OWASP "CSV injection"). Every text cell that
starts with one of FORMULA_STARTS is written as a string with Excel's quote prefix, so it stays text even when
edited in the sheet; the text itself is unchanged (the importers read back exactly what was written). Numbers,
negative ones included, and dates are left as they are.
"""

from __future__ import annotations

import io

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def keep_as_text(wb) -> None:
    """Make every cell of `wb` that is a formula, or text a spreadsheet would read as one, plain text."""
    for ws in wb.worksheets:
        # the cells written, not ws.iter_rows(): that makes a cell for every empty position of the used range (a note
        # far from the table would mean millions of them, each kept in the sheet)
        for cell in list(ws._cells.values()):
            value = cell.value
            if isinstance(value, str) and (cell.data_type == "f" or value.startswith(FORMULA_STARTS)):
                cell.data_type = "s"
                cell.quotePrefix = True


def save_workbook(wb, path=None) -> bytes | None:
    """Save `wb` with its text kept as text: to `path` when given, else return the .xlsx bytes."""
    keep_as_text(wb)
    if path is not None:
        wb.save(path)
        return None
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
