"""An appendix table (headings over several columns, group rows, a total row) and its two renderings:
a landscape .docx page and an .xlsx sheet, so both always print the same rows and figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from motcua.transformation.money import format_million, million_value

TABLE_PT = 11
TITLE_PT = 13


@dataclass
class Column:
    key: str
    heading: str
    width: float
    align: str = "left"
    group: str = ""  # a heading over several neighbouring columns ("Kinh phí và nguồn vốn")


@dataclass
class Amount:
    """An amount in đồng printed in triệu đồng with its decimals (a number in the spreadsheet)."""

    vnd: int
    decimals: int | None = None

    @property
    def text(self) -> str:
        return format_million(self.vnd, self.decimals)

    @property
    def value(self) -> Decimal:
        return million_value(self.vnd)

    @property
    def number_format(self) -> str:
        shown = len(self.text.partition(",")[2])
        return "#,##0" + ("." + "0" * shown if shown else "")


@dataclass
class Row:
    kind: str  # "group" | "task" | "total"
    cells: dict
    span: tuple[str, str] | None = None  # merge the cells from one column to another (a group's title)

    def text(self, key: str) -> str:
        value = self.cells.get(key)
        return value.text if isinstance(value, Amount) else str(value or "")


@dataclass
class Appendix:
    label: str
    titles: list[str]
    attached: str
    columns: list[Column]
    rows: list[Row]
    unit: str = "Đơn vị tính: triệu đồng"
    numbering: bool = False
    closing: list[str] = field(default_factory=list)

    @property
    def grouped(self) -> bool:
        return any(c.group for c in self.columns)

    def index(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)

    def header_rows(self) -> list[list[str]]:
        """One or two heading rows; under a group heading its columns' own headings."""
        if not self.grouped:
            return [[c.heading for c in self.columns]]
        return [[c.group or c.heading for c in self.columns], [c.heading if c.group else "" for c in self.columns]]

    def header_merges(self) -> list[tuple[int, int, int, int]]:
        """(row, col, row, col) rectangles of the heading rows to merge."""
        if not self.grouped:
            return []
        merges, i = [], 0
        while i < len(self.columns):
            col = self.columns[i]
            if col.group:
                j = i
                while j + 1 < len(self.columns) and self.columns[j + 1].group == col.group:
                    j += 1
                merges.append((0, i, 0, j))
                i = j + 1
            else:
                merges.append((0, i, 1, i))
                i += 1
        return [m for m in merges if m[1] != m[3] or m[0] != m[2]]


# ---- .docx ----

def add_to_docx(d, appendix: Appendix, width_mm: float) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    align = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}

    def para(text, *, bold=False, italic=False, where="center", size=TITLE_PT, after=0):
        p = d.add_paragraph()
        p.alignment = align[where]
        p.paragraph_format.space_after = Pt(after)
        run = p.add_run(text)
        run.bold, run.italic, run.font.size = bold or None, italic or None, Pt(size)
        return p

    para(appendix.label, bold=True)
    for line in appendix.titles:
        para(line, bold=True)
    if appendix.attached:
        para(appendix.attached, italic=True, after=4)
    if appendix.unit:
        para(appendix.unit, italic=True, where="right", size=TABLE_PT, after=3)
    heads = appendix.header_rows()
    body = [[r.text(c.key) for c in appendix.columns] for r in appendix.rows]
    numbers = [[f"({i})" for i in range(1, len(appendix.columns) + 1)]] if appendix.numbering else []
    table = d.add_table(rows=len(heads) + len(numbers) + len(body), cols=len(appendix.columns))
    table.style = "Table Grid"
    table.autofit = False
    total_w = sum(c.width for c in appendix.columns)
    widths = [Mm(width_mm * c.width / total_w) for c in appendix.columns]
    for col, w in zip(table.columns, widths, strict=True):
        col.width = w

    def put(r, c, text, *, bold=False, where="left", italic=False):
        cell = table.cell(r, c)
        cell.width = widths[c]
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        p = cell.paragraphs[0]
        for extra in cell.paragraphs[1:]:
            extra._p.getparent().remove(extra._p)
        for run in list(p.runs):
            run._r.getparent().remove(run._r)
        p.alignment = align[where]
        lines = text.split("\n")
        for n, line in enumerate(lines):
            run = p.add_run(line)
            run.bold, run.italic, run.font.size = bold or None, italic or None, Pt(TABLE_PT)
            if n < len(lines) - 1:
                run.add_break()

    for r, cells in enumerate(heads):
        for c, text in enumerate(cells):
            put(r, c, text, bold=True, where="center")
    for r0, c0, r1, c1 in appendix.header_merges():
        text = heads[r0][c0]
        table.cell(r0, c0).merge(table.cell(r1, c1))
        put(r0, c0, text, bold=True, where="center")
    for n, cells in enumerate(numbers):
        for c, text in enumerate(cells):
            put(len(heads) + n, c, text, italic=True, where="center")
    start = len(heads) + len(numbers)
    for i, (row, cells) in enumerate(zip(appendix.rows, body, strict=True)):
        r = start + i
        strong = row.kind in ("group", "total")
        for c, text in enumerate(cells):
            put(r, c, text, bold=strong, where=appendix.columns[c].align)
        if row.span:
            a, b = appendix.index(row.span[0]), appendix.index(row.span[1])
            text = cells[a]
            table.cell(r, a).merge(table.cell(r, b))
            put(r, a, text, bold=strong, where="left")
    for r in range(len(heads) + len(numbers)):  # headings repeat on every page
        trpr = table.rows[r]._tr.get_or_add_trPr()
        el = OxmlElement("w:tblHeader")
        el.set(qn("w:val"), "true")
        trpr.append(el)
    for line in appendix.closing:
        p = para(line, where="left", size=TITLE_PT - 1)
        p.paragraph_format.space_before = Pt(6)


# ---- .xlsx ----

def add_to_xlsx(wb, appendix: Appendix, title: str):
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title[:31])
    n = len(appendix.columns)
    last = get_column_letter(n)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    bold = Font(bold=True)
    row = 0

    def line(text, *, font=bold, where="center"):
        nonlocal row
        row += 1
        ws.cell(row=row, column=1, value=text).font = font
        ws.cell(row=row, column=1).alignment = Alignment(horizontal=where, wrap_text=True)
        ws.merge_cells(f"A{row}:{last}{row}")

    line(appendix.label)
    for t in appendix.titles:
        line(t)
    if appendix.attached:
        line(appendix.attached, font=Font(italic=True))
    if appendix.unit:
        line(appendix.unit, font=Font(italic=True), where="right")
    first_head = row + 1
    for cells in appendix.header_rows():
        row += 1
        for c, text in enumerate(cells, start=1):
            cell = ws.cell(row=row, column=c, value=text or None)
            cell.font, cell.border = bold, box
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r0, c0, r1, c1 in appendix.header_merges():
        ws.merge_cells(start_row=first_head + r0, start_column=c0 + 1, end_row=first_head + r1, end_column=c1 + 1)
    if appendix.numbering:
        row += 1
        for c in range(1, n + 1):
            cell = ws.cell(row=row, column=c, value=f"({c})")
            cell.alignment, cell.border = Alignment(horizontal="center"), box
    last_head = row
    for r in appendix.rows:
        row += 1
        for c, col in enumerate(appendix.columns, start=1):
            value = r.cells.get(col.key)
            cell = ws.cell(row=row, column=c)
            if isinstance(value, Amount):
                cell.value, cell.number_format = value.value, value.number_format
            else:
                cell.value = value if value not in ("", None) else None
            cell.border = box
            cell.alignment = Alignment(horizontal=col.align, vertical="top", wrap_text=True)
            if r.kind in ("group", "total"):
                cell.font = bold
        if r.span:
            ws.merge_cells(start_row=row, start_column=appendix.index(r.span[0]) + 1, end_row=row,
                           end_column=appendix.index(r.span[1]) + 1)
    for text in appendix.closing:
        row += 1
        ws.cell(row=row, column=1, value=text)
    total_w = sum(c.width for c in appendix.columns)
    for c, col in enumerate(appendix.columns, start=1):
        ws.column_dimensions[get_column_letter(c)].width = max(6, round(150 * col.width / total_w))
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{first_head}:{last_head}"
    return ws
