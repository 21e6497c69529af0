"""A Decree 30/2020 document drawn as PDF (fpdf2), with the vendored Liberation Serif embedded."""

from __future__ import annotations

import io

from .layout import (
    FIRST_LINE_INDENT_MM,
    FONT_DIR,
    LEFT_HEADER_SHARE,
    MARGINS,
    MOTTO,
    NATIONAL_TITLE,
    PAGE_SIZES,
    PDF_ALIGN,
    PDF_FONT,
    Image,
    Paragraph,
    Section,
    Signatures,
    Signer,
    Table,
    place_and_date,
)


class PdfRenderer:
    def __init__(self, doc):
        """`doc`: the Decree30Document to draw."""
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
        with pdf.text_columns(text_align=PDF_ALIGN[block.align], line_height=1.2) as cols:
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
        align = [PDF_ALIGN.get(a, "L") for a in (block.align or ["left"] * ncols)]
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

    def block_section(self, block: Section):
        self.pdf.add_page(orientation="L" if block.landscape != self.doc.landscape else "P")

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
