"""A Decree 30/2020 document drawn as .docx (python-docx), in Times New Roman."""

from __future__ import annotations

import io

from .layout import (
    FIRST_LINE_INDENT_MM,
    FONT_FAMILY,
    LEFT_HEADER_SHARE,
    MARGINS,
    MOTTO,
    NATIONAL_TITLE,
    PAGE_SIZES,
    Image,
    Paragraph,
    Run,
    Section,
    Signatures,
    Signer,
    Table,
    place_and_date,
)


class DocxRenderer:
    def __init__(self, doc):
        """`doc`: the Decree30Document to draw."""
        import docx
        from docx.shared import Mm, Pt

        self.doc = doc
        self.Mm, self.Pt = Mm, Pt
        d = docx.Document()
        section = d.sections[0]
        self._page_setup(section, doc.landscape)
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

    def _page_setup(self, section, landscape: bool) -> None:
        from docx.enum.section import WD_ORIENT

        Mm = self.Mm
        width, height = PAGE_SIZES[self.doc.page]
        if landscape:
            width, height = height, width
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(width), Mm(height)
        m = MARGINS[self.doc.page]
        section.top_margin, section.bottom_margin = Mm(m["top"]), Mm(m["bottom"])
        section.left_margin, section.right_margin = Mm(m["left"]), Mm(m["right"])
        section.header_distance = Mm(m["top"] / 2)
        self.text_width_mm = width - m["left"] - m["right"]

    def block_section(self, block: Section):
        from docx.enum.section import WD_SECTION

        section = self.d.add_section(WD_SECTION.NEW_PAGE)
        self._page_setup(section, block.landscape)
        section.different_first_page_header_footer = False  # numbered like the pages before it

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
        # The grid's column widths, not only each cell's: LibreOffice lays a table out from its grid.
        for c_i, width in enumerate(widths):
            t.columns[c_i].width = self.Mm(width)
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
