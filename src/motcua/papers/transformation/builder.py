"""The one door to the Decree 30/2020 document builder: a report body, and the page set-up its appendices use.

Everything else in this package lays out tables and text; if the builder moves, only this module changes.
"""

from __future__ import annotations

import datetime as dt
import io

from motcua.papers.decree30 import Decree30Document
from motcua.papers.decree30.layout import FONT_FAMILY, MARGINS, PAGE_SIZES

__all__ = ["Decree30Document", "appendix_section", "new_document", "open_docx", "report"]


def report(*, agency: str, parent_agency: str, number: str, place: str, date: dt.date, title: str, summary: str,
           landscape: bool = False) -> Decree30Document:
    """A Decree 30/2020 document: national header, number, place and date, type and summary; A4, Times New Roman."""
    return Decree30Document(agency=agency, parent_agency=parent_agency, number=number, place=place, date=date,
                            title=title, summary=summary, landscape=landscape)


def _page_setup(section, *, landscape: bool) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    width, height = PAGE_SIZES["A4"]
    if landscape:
        width, height = height, width
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(width), Mm(height)
    m = MARGINS["A4"]  # the builder's margins, the same for portrait and landscape pages
    section.top_margin, section.bottom_margin = Mm(m["top"]), Mm(m["bottom"])
    section.left_margin, section.right_margin = Mm(m["left"]), Mm(m["right"])


def text_width_mm(section) -> float:
    return (section.page_width - section.left_margin - section.right_margin) / 36000


def new_document(*, landscape: bool = True):
    """An empty .docx with the Decree 30/2020 page and font (for a stand-alone appendix)."""
    import docx
    from docx.oxml.ns import qn
    from docx.shared import Pt

    d = docx.Document()
    _page_setup(d.sections[0], landscape=landscape)
    style = d.styles["Normal"]
    style.font.name, style.font.size = FONT_FAMILY, Pt(13)
    rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        rfonts.set(qn(attr), FONT_FAMILY)
    style.paragraph_format.space_after = Pt(0)
    d.core_properties.author = "Một Cửa Số"
    first = d.paragraphs[0] if d.paragraphs else None
    if first is not None:
        first._p.getparent().remove(first._p)
    return d


def open_docx(data: bytes):
    import docx

    return docx.Document(io.BytesIO(data))


def appendix_section(d, *, landscape: bool = True):
    """Start a new page section (landscape for wide tables) at the end of a document."""
    from docx.enum.section import WD_SECTION

    section = d.add_section(WD_SECTION.NEW_PAGE)
    _page_setup(section, landscape=landscape)
    return section
