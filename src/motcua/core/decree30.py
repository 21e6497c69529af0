"""Administrative documents in the Decree 30/2020/NĐ-CP layout, as .docx (python-docx) and PDF (fpdf2).

One builder, two renderers, so a report and its PDF copy never disagree::

    doc = Decree30Document(
        parent_agency="UBND TỈNH QUẢNG NGÃI", agency="SỞ KHOA HỌC VÀ CÔNG NGHỆ",
        number="45/BC-SKHCN", place="Quảng Ngãi", date=dt.date(2026, 3, 5),
        title="BÁO CÁO", summary="Kết quả giải quyết thủ tục hành chính quý I năm 2026",
    )
    doc.paragraph("Thực hiện ...").table(["STT", "Chỉ tiêu", "Số hồ sơ"], rows)
    doc.signer("GIÁM ĐỐC", "Nguyễn Văn A", on_behalf="KT. GIÁM ĐỐC")
    doc.recipients(["UBND tỉnh (b/c)", "Lưu: VT"])
    docx_bytes, pdf_bytes = doc.to_docx(), doc.to_pdf()

Layout rules (LEGAL.md §10), each with its home here:
- Decree 30/2020 App. I: A4 portrait, Times New Roman (Unicode TCVN 6909:2001), margins top/bottom
  20–25 mm, left 30–35 mm, right 15–20 mm; national title bold upper case, motto bold with a rule as
  long as the text; parent agency upper case regular, issuing agency upper case bold with a rule of
  1/3–1/2 of its width; place and date italic; document type bold upper case; body 13–14 pt with a
  first-line indent; page numbers centred at the top, not on the first page.
- PDFs embed Liberation Serif (SIL OFL 1.1, metric-compatible with Times New Roman), vendored in
  motcua/core/fonts, so a PDF looks the same on every machine.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FAMILY = "Times New Roman"  # docx: the font Decree 30/2020 App. I names
PDF_FONT = "LiberationSerif"
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

# Decree 30/2020 App. I: paper size and margins (mm). A5 is the size Circular 01/2018 art. 3 gives
# for the one-stop forms; their margins are scaled down so two header columns still fit.
PAGE_SIZES = {"A4": (210.0, 297.0), "A5": (148.0, 210.0)}
MARGINS = {"A4": {"top": 20.0, "bottom": 20.0, "left": 30.0, "right": 15.0},
           "A5": {"top": 10.0, "bottom": 10.0, "left": 15.0, "right": 10.0}}
BODY_SIZE = {"A4": 14.0, "A5": 11.0}
HEADER_SIZE = {"A4": 13.0, "A5": 10.0}
FIRST_LINE_INDENT_MM = 10.0  # Decree 30/2020 App. I: 1–1.27 cm
LEFT_HEADER_SHARE = 0.42  # width of the agency column in the two-column header
_ALIGN_PDF = {"left": "L", "center": "C", "right": "R", "justify": "J"}


def vn_long_date(day: dt.date | dt.datetime) -> str:
    """'ngày 05 tháng 3 năm 2026'.

    Decree 30/2020 App. I: dates in full, Arabic numerals, a leading zero for days 1–9 and for
    months 1 and 2 only (so "tháng 02" but "tháng 3").
    """
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def place_and_date(place: str, day: dt.date | dt.datetime) -> str:
    return f"{place}, {vn_long_date(day)}" if place else vn_long_date(day)


@dataclass
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False

    @property
    def pdf_style(self) -> str:
        return ("B" if self.bold else "") + ("I" if self.italic else "")


@dataclass
class Paragraph:
    runs: list[Run]
    align: str = "justify"
    indent: bool = False
    size: float | None = None
    space_before: float = 0.0  # pt
    space_after: float = 3.0  # pt


@dataclass
class Table:
    headers: list[str]
    rows: list[list]
    widths: list[float] | None = None  # relative
    align: list[str] | None = None  # per column: left/center/right
    size: float | None = None


@dataclass
class Image:
    png: bytes
    width_mm: float
    align: str = "right"


@dataclass
class Signer:
    title: str
    name: str = ""
    on_behalf: str = ""  # "KT. CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN", "TL. ..."
    note: str = ""  # "(Ký, ghi rõ họ tên)"
    space_mm: float = 22.0


@dataclass
class Signatures:
    """Signers side by side (a form signed by the applicant and the officer)."""

    signers: list[Signer]


def _as_runs(text, bold: bool, italic: bool) -> list[Run]:
    if isinstance(text, Run):
        return [text]
    if isinstance(text, (list, tuple)):
        return [r if isinstance(r, Run) else Run(str(r), bold=bold, italic=italic) for r in text]
    return [Run(str(text), bold=bold, italic=italic)]


@dataclass
class Decree30Document:
    agency: str
    parent_agency: str = ""
    number: str = ""  # "45/BC-UBND"; shown as "Số: 45/BC-UBND"
    place: str = ""
    date: dt.date | None = None
    title: str = ""  # document type, bold upper case ("BÁO CÁO", "GIẤY TIẾP NHẬN ...")
    summary: str = ""  # trích yếu, bold, under the title
    caption: str = ""  # form caption printed above the header ("Mẫu số 01 ...")
    page: str = "A4"
    font_size: float | None = None
    landscape: bool = False
    blocks: list = field(default_factory=list)
    _signers: list[Signer] = field(default_factory=list)
    _recipients: list[str] = field(default_factory=list)
    _corner_image: Image | None = None

    def __post_init__(self):
        if self.page not in PAGE_SIZES:
            raise ValueError(f"page must be one of {sorted(PAGE_SIZES)}")

    # --- building ---------------------------------------------------------------------------------
    @property
    def body_size(self) -> float:
        return self.font_size or BODY_SIZE[self.page]

    @property
    def header_size(self) -> float:
        return min(HEADER_SIZE[self.page], self.body_size)

    def paragraph(self, text, *, bold: bool = False, italic: bool = False, align: str = "justify",
                  indent: bool = True, size: float | None = None, space_before: float = 0.0,
                  space_after: float = 3.0) -> Decree30Document:
        """Body text; `text` may be a string, a Run or a list of strings/Runs (mixed styles)."""
        self.blocks.append(Paragraph(_as_runs(text, bold, italic), align=align, indent=indent, size=size,
                                     space_before=space_before, space_after=space_after))
        return self

    def heading(self, text: str, *, align: str = "left") -> Decree30Document:
        return self.paragraph(text, bold=True, align=align, indent=align == "left", space_before=3.0)

    def field(self, label: str, value, *, bold_value: bool = False) -> Decree30Document:
        """'label: value' line of a form."""
        value = "" if value in (None, "") else str(value)
        return self.paragraph([Run(f"{label}: "), Run(value or "…………………………", bold=bold_value and bool(value))],
                              align="left", indent=False, space_after=1.5)

    def numbered(self, items, *, start: int = 1) -> Decree30Document:
        for i, item in enumerate(items, start=start):
            self.paragraph(f"{i}. {item}", align="left", indent=True, space_after=1.5)
        return self

    def table(self, headers, rows, *, widths=None, align=None, size: float | None = None) -> Decree30Document:
        self.blocks.append(Table([str(h) for h in headers], [["" if c is None else str(c) for c in r] for r in rows],
                                 widths=list(widths) if widths else None, align=list(align) if align else None,
                                 size=size))
        return self

    def image(self, png: bytes, *, width_mm: float, align: str = "right") -> Decree30Document:
        self.blocks.append(Image(png, width_mm, align))
        return self

    def corner_image(self, png: bytes, *, width_mm: float) -> Decree30Document:
        """An image at the top right corner of the first page (the dossier code's QR code)."""
        self._corner_image = Image(png, width_mm, "right")
        return self

    def signatures(self, signers: list[Signer]) -> Decree30Document:
        self.blocks.append(Signatures(list(signers)))
        return self

    def signer(self, title: str, name: str = "", *, on_behalf: str = "", note: str = "") -> Decree30Document:
        """The signer block, bottom right, beside the recipients."""
        self._signers.append(Signer(title=title, name=name, on_behalf=on_behalf, note=note))
        return self

    def recipients(self, items) -> Decree30Document:
        self._recipients.extend(str(i) for i in items)
        return self

    # --- shared helpers ---------------------------------------------------------------------------
    def _left_header(self) -> list[tuple[str, bool]]:
        lines = []
        if self.parent_agency:
            lines.append((self.parent_agency.upper(), False))
        lines.append((self.agency.upper(), True))
        return lines

    def _recipient_lines(self) -> list[str]:
        # Decree 30/2020 App. I (cell 9b): each recipient on its own line starting "- ", ending ";",
        # the last one (the archive) ending ".".
        items = [r.strip().rstrip(";.") for r in self._recipients if r.strip()]
        return [f"- {r}{'.' if i == len(items) - 1 else ';'}" for i, r in enumerate(items)]

    def _closing_signer(self) -> Signer | None:
        return self._signers[0] if self._signers else None

    # --- PDF ----------------------------------------------------------------------------------------
    def to_pdf(self) -> bytes:
        return _PdfRenderer(self).render()

    # --- DOCX ---------------------------------------------------------------------------------------
    def to_docx(self) -> bytes:
        return _DocxRenderer(self).render()


# ================================================================================================
# PDF (fpdf2)
# ================================================================================================


class _PdfRenderer:
    def __init__(self, doc: Decree30Document):
        from fpdf import FPDF

        self.doc = doc
        width, height = PAGE_SIZES[doc.page]
        if doc.landscape:
            width, height = height, width
        margins = MARGINS[doc.page]

        class _Pdf(FPDF):
            def header(inner):  # noqa: N805 - fpdf2 hook
                # Decree 30/2020 App. I: page numbers centred at the top, from the second page on.
                if inner.page_no() > 1:
                    inner.set_font(PDF_FONT, "", doc.header_size)
                    inner.set_y(margins["top"] / 2)
                    inner.cell(0, 5, str(inner.page_no()), align="C")
                    inner.set_y(margins["top"])

        pdf = _Pdf(orientation="P", unit="mm", format=(width, height))
        pdf.set_margins(margins["left"], margins["top"], margins["right"])
        pdf.set_auto_page_break(True, margins["bottom"])
        pdf.set_title(doc.title or doc.agency)
        pdf.set_creator("Một Cửa Số")
        for style, name in (("", "Regular"), ("B", "Bold"), ("I", "Italic"), ("BI", "BoldItalic")):
            pdf.add_font(PDF_FONT, style, str(FONT_DIR / f"LiberationSerif-{name}.ttf"))
        pdf.set_text_shaping(False)
        self.pdf = pdf

    def lh(self, size: float) -> float:
        return size * 0.3528 * 1.25  # pt → mm, 1.25 line spacing

    def render(self) -> bytes:
        pdf, doc = self.pdf, self.doc
        pdf.add_page()
        if doc._corner_image:
            img = doc._corner_image
            pdf.image(io.BytesIO(img.png), x=pdf.w - pdf.r_margin - img.width_mm, y=max(2.0, pdf.t_margin - 10),
                      w=img.width_mm)
        if doc.caption:
            pdf.set_font(PDF_FONT, "I", doc.header_size - 1)
            right = doc._corner_image.width_mm + 2 if doc._corner_image else 0
            pdf.set_x(pdf.l_margin)
            pdf.multi_cell(pdf.epw - right, self.lh(doc.header_size - 1), doc.caption, align="L",
                           new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        self.header()
        for block in doc.blocks:
            getattr(self, f"block_{type(block).__name__.lower()}")(block)
        self.closing()
        return bytes(pdf.output())

    def _column(self, x: float, y: float, w: float, lines, size: float, *, rule: str | None = None,
                fit: bool = False) -> float:
        """Centred lines in a column; returns the y under the column. rule: 'third' | 'full' | None.
        fit: shrink a line (down to 7 pt) rather than wrap it — for codes that must stay whole."""
        pdf = self.pdf
        pdf.set_xy(x, y)
        last_width = 0.0
        for text, style in lines:
            pdf.set_font(PDF_FONT, style, size)
            while fit and pdf.font_size_pt > 7 and pdf.get_string_width(text) > w - 2 * pdf.c_margin:
                pdf.set_font_size(pdf.font_size_pt - 0.5)
            pdf.set_x(x)
            pdf.multi_cell(w, self.lh(size), text, align="C", new_x="LEFT", new_y="NEXT")
            last_width = min(pdf.get_string_width(text), w)
        y_end = pdf.get_y()
        if rule:
            length = last_width if rule == "full" else max(last_width / 3, 15.0)
            line_y = y_end + 0.6
            pdf.set_line_width(0.25)
            pdf.line(x + (w - length) / 2, line_y, x + (w + length) / 2, line_y)
            y_end = line_y + 1.0
        return y_end

    def header(self):
        pdf, doc = self.pdf, self.doc
        size = doc.header_size
        x0, y0 = pdf.l_margin, pdf.get_y()
        left_w = pdf.epw * LEFT_HEADER_SHARE
        right_w = pdf.epw - left_w
        left = [(t, "B" if bold else "") for t, bold in doc._left_header()]
        y_left = self._column(x0, y0, left_w, left, size, rule="third")
        # Decree 30/2020 App. I: the national title 12–13 pt; the motto one size larger.
        y_right = self._column(x0 + left_w, y0, right_w, [(NATIONAL_TITLE, "B")], size - 1)
        y_right = self._column(x0 + left_w, y_right, right_w, [(MOTTO, "B")], size, rule="full")
        y = max(y_left, y_right) + 1.5
        if doc.number or doc.date or doc.place:
            yl = yr = y
            if doc.number:
                yl = self._column(x0, y, left_w, [(f"Số: {doc.number}", "")], size, fit=True)
            if doc.date:
                yr = self._column(x0 + left_w, y, right_w, [(place_and_date(doc.place, doc.date), "I")], size)
            y = max(yl, yr)
        pdf.set_xy(x0, y + 3)
        if doc.title:
            pdf.set_font(PDF_FONT, "B", doc.body_size)
            pdf.multi_cell(0, self.lh(doc.body_size), doc.title.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
        if doc.summary:
            pdf.set_font(PDF_FONT, "B", doc.body_size)
            pdf.multi_cell(0, self.lh(doc.body_size), doc.summary, align="C", new_x="LMARGIN", new_y="NEXT")
        if doc.title or doc.summary:
            pdf.ln(3)

    def block_paragraph(self, block: Paragraph):
        pdf = self.pdf
        size = block.size or self.doc.body_size
        pdf.ln(block.space_before * 0.3528)
        pdf.set_x(pdf.l_margin)
        with pdf.text_columns(text_align=_ALIGN_PDF[block.align], line_height=1.2) as cols:
            with cols.paragraph(first_line_indent=FIRST_LINE_INDENT_MM if block.indent else 0,
                                bottom_margin=block.space_after * 0.3528) as par:
                for run in block.runs:
                    pdf.set_font(PDF_FONT, run.pdf_style, size)
                    pdf.set_text_color(0)
                    par.write(run.text)
        pdf.set_font(PDF_FONT, "", size)
        pdf.set_x(pdf.l_margin)

    def block_table(self, block: Table):
        from fpdf.fonts import FontFace

        pdf = self.pdf
        size = block.size or max(self.doc.body_size - 1.5, 9)
        pdf.set_font(PDF_FONT, "", size)
        ncols = len(block.headers)
        widths = block.widths or [1] * ncols
        align = [_ALIGN_PDF.get(a, "L") for a in (block.align or ["left"] * ncols)]
        pdf.ln(1)
        with pdf.table(col_widths=widths, text_align=align, line_height=self.lh(size),
                       headings_style=FontFace(emphasis="BOLD"), padding=1, width=pdf.epw,
                       v_align="M") as table:
            head = table.row()
            for h in block.headers:
                head.cell(h, align="C")
            for values in block.rows:
                row = table.row()
                for v in values:
                    row.cell(v)
        pdf.ln(2)
        pdf.set_font(PDF_FONT, "", self.doc.body_size)

    def block_image(self, block: Image):
        pdf = self.pdf
        x = {"left": pdf.l_margin, "center": pdf.l_margin + (pdf.epw - block.width_mm) / 2}.get(
            block.align, pdf.w - pdf.r_margin - block.width_mm)
        pdf.image(io.BytesIO(block.png), x=x, w=block.width_mm)

    def _signer(self, x: float, y: float, w: float, signer: Signer) -> float:
        size = self.doc.header_size + 0.5
        lines = []
        if signer.on_behalf:
            lines.append((signer.on_behalf.upper(), "B"))
        lines.append((signer.title.upper(), "B"))
        y = self._column(x, y, w, lines, size)
        if signer.note:
            y = self._column(x, y, w, [(signer.note, "I")], size - 1)
        y += signer.space_mm
        if signer.name:
            y = self._column(x, y, w, [(signer.name, "B")], size)
        return y

    def _ensure_room(self, needed: float):
        pdf = self.pdf
        if pdf.get_y() + needed > pdf.h - pdf.b_margin:
            pdf.add_page()

    def _signer_height(self, signer: Signer) -> float:
        size = self.doc.header_size + 0.5
        lines = 1 + bool(signer.on_behalf) + bool(signer.name)
        return lines * self.lh(size) + (self.lh(size - 1) if signer.note else 0) + signer.space_mm + 3

    def block_signatures(self, block: Signatures):
        pdf = self.pdf
        self._ensure_room(max(self._signer_height(s) for s in block.signers))
        y0 = pdf.get_y() + 2
        w = pdf.epw / max(len(block.signers), 1)
        ys = [self._signer(pdf.l_margin + i * w, y0, w, s) for i, s in enumerate(block.signers)]
        pdf.set_xy(pdf.l_margin, max(ys) + 2)

    def closing(self):
        pdf, doc = self.pdf, self.doc
        signer = doc._closing_signer()
        recipients = doc._recipient_lines()
        if not signer and not recipients:
            return
        size = max(doc.header_size - 1, 8.5)
        needed = max(self._signer_height(signer) if signer else 0, self.lh(size) * (len(recipients) + 1))
        self._ensure_room(needed + 3)
        y0 = pdf.get_y() + 3
        left_w = pdf.epw * 0.45
        y_left = y0
        if recipients:
            # Decree 30/2020 App. I (cell 9a–9b): "Nơi nhận:" bold italic 12 pt, the list 11 pt.
            pdf.set_xy(pdf.l_margin, y0)
            pdf.set_font(PDF_FONT, "BI", size)
            pdf.cell(left_w, self.lh(size), "Nơi nhận:", new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(PDF_FONT, "", size - 1)
            for line in recipients:
                pdf.multi_cell(left_w, self.lh(size - 1), line, align="L", new_x="LMARGIN", new_y="NEXT")
            y_left = pdf.get_y()
        y_right = y0
        if signer:
            y_right = self._signer(pdf.l_margin + left_w, y0, pdf.epw - left_w, signer)
        pdf.set_xy(pdf.l_margin, max(y_left, y_right) + 2)


# ================================================================================================
# DOCX (python-docx)
# ================================================================================================


class _DocxRenderer:
    def __init__(self, doc: Decree30Document):
        import docx
        from docx.enum.section import WD_ORIENT
        from docx.shared import Mm, Pt

        self.doc = doc
        self.Mm, self.Pt = Mm, Pt
        d = docx.Document()
        section = d.sections[0]
        width, height = PAGE_SIZES[doc.page]
        if doc.landscape:
            width, height = height, width
            section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(width), Mm(height)
        m = MARGINS[doc.page]
        section.top_margin, section.bottom_margin = Mm(m["top"]), Mm(m["bottom"])
        section.left_margin, section.right_margin = Mm(m["left"]), Mm(m["right"])
        section.header_distance = Mm(m["top"] / 2)
        self.text_width_mm = width - m["left"] - m["right"]
        style = d.styles["Normal"]
        style.font.name = FONT_FAMILY
        style.font.size = Pt(doc.body_size)
        rpr = style.element.get_or_add_rPr()
        rfonts = rpr.get_or_add_rFonts()
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            rfonts.set(_qn(attr), FONT_FAMILY)
        style.paragraph_format.space_after = Pt(0)
        style.paragraph_format.space_before = Pt(0)
        style.paragraph_format.line_spacing = 1.1
        d.core_properties.title = doc.title or doc.agency
        d.core_properties.author = "Một Cửa Số"
        self.d = d
        self._page_numbers(section)

    def _page_numbers(self, section):
        # Decree 30/2020 App. I: page numbers centred at the top, not on the first page.
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import OxmlElement

        section.different_first_page_header_footer = True
        p = section.header.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fld = OxmlElement("w:fldSimple")
        fld.set(_qn("w:instr"), "PAGE")
        r = OxmlElement("w:r")
        t = OxmlElement("w:t")
        t.text = "2"
        r.append(t)
        fld.append(r)
        p._p.append(fld)

    def _para(self, container, text="", *, bold=False, italic=False, underline=False, size=None, align="center",
              space_after=0.0, space_before=0.0, indent=False):
        p = container.add_paragraph()
        p.alignment = _DOCX_ALIGN[align]
        p.paragraph_format.space_after = self.Pt(space_after)
        p.paragraph_format.space_before = self.Pt(space_before)
        if indent:
            p.paragraph_format.first_line_indent = self.Mm(FIRST_LINE_INDENT_MM)
        if text:
            self._run(p, Run(text, bold, italic, underline), size)
        return p

    def _run(self, p, run: Run, size=None):
        r = p.add_run(run.text)
        r.bold, r.italic = run.bold or None, run.italic or None
        if run.underline:
            r.underline = True
        r.font.size = self.Pt(size or self.doc.body_size)
        return r

    def _short_rule(self, cell, cell_width_mm: float, text_width_mm: float):
        """An empty paragraph whose bottom border is the short rule under the agency name."""
        from docx.oxml import OxmlElement

        p = self._para(cell, size=2)
        length = max(text_width_mm / 3, 15.0)
        side = max((cell_width_mm - length) / 2, 0)
        p.paragraph_format.left_indent = self.Mm(side)
        p.paragraph_format.right_indent = self.Mm(side)
        ppr = p._p.get_or_add_pPr()
        bdr = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
            bottom.set(_qn(k), v)
        bdr.append(bottom)
        ppr.append(bdr)
        r = p.add_run("")
        r.font.size = self.Pt(2)

    def _grid(self, ncols: int, widths_mm: list[float]):
        t = self.d.add_table(rows=1, cols=ncols)
        t.autofit = False
        for i, w in enumerate(widths_mm):
            t.columns[i].width = self.Mm(w)
            t.rows[0].cells[i].width = self.Mm(w)
        return t

    def render(self) -> bytes:
        d, doc = self.d, self.doc
        size = doc.header_size
        body = d.paragraphs[0] if d.paragraphs else None
        if body is not None:
            body._p.getparent().remove(body._p)
        if doc._corner_image:
            p = self._para(d, align="right")
            p.add_run().add_picture(io.BytesIO(doc._corner_image.png), width=self.Mm(doc._corner_image.width_mm))
        if doc.caption:
            self._para(d, doc.caption, italic=True, size=size - 1, align="left", space_after=3)
        left_w = self.text_width_mm * LEFT_HEADER_SHARE
        right_w = self.text_width_mm - left_w
        table = self._grid(2, [left_w, right_w])
        lc, rc = table.rows[0].cells
        lc.paragraphs[0]._p.getparent().remove(lc.paragraphs[0]._p)
        rc.paragraphs[0]._p.getparent().remove(rc.paragraphs[0]._p)
        for text, bold in doc._left_header():
            self._para(lc, text, bold=bold, size=size)
        agency_width = min(len(doc.agency) * size * 0.3528 * 0.62, left_w)
        self._short_rule(lc, left_w, agency_width)
        self._para(rc, NATIONAL_TITLE, bold=True, size=size - 1)
        # The motto is underlined as long as its text (Decree 30/2020 App. I).
        self._para(rc, MOTTO, bold=True, underline=True, size=size)
        if doc.number or doc.date:
            self._para(lc, f"Số: {doc.number}" if doc.number else "", size=size, space_before=6)
            self._para(rc, place_and_date(doc.place, doc.date) if doc.date else "", italic=True, size=size,
                       space_before=6)
        if doc.title:
            self._para(d, doc.title.upper(), bold=True, space_before=12)
        if doc.summary:
            self._para(d, doc.summary, bold=True)
        if doc.title or doc.summary:
            self._para(d, "", size=6, space_after=6)
        for block in doc.blocks:
            getattr(self, f"block_{type(block).__name__.lower()}")(block)
        self.closing()
        out = io.BytesIO()
        d.save(out)
        return out.getvalue()

    def block_paragraph(self, block: Paragraph):
        p = self._para(self.d, align=block.align, space_after=block.space_after, space_before=block.space_before,
                       indent=block.indent)
        for run in block.runs:
            self._run(p, run, block.size)

    def block_table(self, block: Table):
        from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT

        size = block.size or max(self.doc.body_size - 1.5, 9)
        ncols = len(block.headers)
        rel = block.widths or [1] * ncols
        widths = [self.text_width_mm * w / sum(rel) for w in rel]
        aligns = block.align or ["left"] * ncols
        t = self.d.add_table(rows=1 + len(block.rows), cols=ncols)
        t.style = "Table Grid"
        t.autofit = False
        for r_i, values in enumerate([block.headers, *block.rows]):
            for c_i, value in enumerate(values):
                cell = t.rows[r_i].cells[c_i]
                cell.width = self.Mm(widths[c_i])
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
                p = cell.paragraphs[0]
                p.alignment = _DOCX_ALIGN["center" if r_i == 0 else aligns[c_i]]
                self._run(p, Run(value, bold=r_i == 0), size)
        # header row repeats on every page
        from docx.oxml import OxmlElement

        trpr = t.rows[0]._tr.get_or_add_trPr()
        el = OxmlElement("w:tblHeader")
        el.set(_qn("w:val"), "true")
        trpr.append(el)
        self._para(self.d, "", size=4, space_after=3)

    def block_image(self, block: Image):
        p = self._para(self.d, align=block.align)
        p.add_run().add_picture(io.BytesIO(block.png), width=self.Mm(block.width_mm))

    def _signer_into(self, cell, signer: Signer):
        size = self.doc.header_size + 0.5
        if signer.on_behalf:
            self._para(cell, signer.on_behalf.upper(), bold=True, size=size)
        self._para(cell, signer.title.upper(), bold=True, size=size)
        if signer.note:
            self._para(cell, signer.note, italic=True, size=size - 1)
        self._para(cell, "", size=size, space_after=signer.space_mm * 2.2)
        if signer.name:
            self._para(cell, signer.name, bold=True, size=size)

    def block_signatures(self, block: Signatures):
        n = max(len(block.signers), 1)
        t = self._grid(n, [self.text_width_mm / n] * n)
        for cell, signer in zip(t.rows[0].cells, block.signers, strict=False):
            cell._tc.remove(cell.paragraphs[0]._p)
            self._signer_into(cell, signer)
        self._para(self.d, "", size=4)

    def closing(self):
        doc = self.doc
        signer = doc._closing_signer()
        recipients = doc._recipient_lines()
        if not signer and not recipients:
            return
        self._para(self.d, "", size=6)
        left_w = self.text_width_mm * 0.45
        t = self._grid(2, [left_w, self.text_width_mm - left_w])
        lc, rc = t.rows[0].cells
        lc._tc.remove(lc.paragraphs[0]._p)
        rc._tc.remove(rc.paragraphs[0]._p)
        size = max(doc.header_size - 1, 8.5)
        if recipients:
            self._para(lc, "Nơi nhận:", bold=True, italic=True, size=size, align="left")
            for line in recipients:
                self._para(lc, line, size=size - 1, align="left")
        else:
            self._para(lc, "")
        if signer:
            self._signer_into(rc, signer)
        else:
            self._para(rc, "")


class _DocxAlign(dict):
    def __missing__(self, key):
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        return {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
                "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[key]


_DOCX_ALIGN = _DocxAlign()


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)
