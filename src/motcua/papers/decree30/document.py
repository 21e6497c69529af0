"""The Decree 30/2020 document: what it says (header, blocks, signer, recipients), built step by step.

Layout rules live in ``layout.py``; ``render_pdf.py`` and ``render_docx.py`` draw the same document.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .layout import (
    BODY_SIZE,
    HEADER_SIZE,
    PAGE_SIZES,
    Image,
    Paragraph,
    Run,
    Section,
    Signatures,
    Signer,
    Table,
    _as_runs,
)
from .render_docx import DocxRenderer
from .render_pdf import PdfRenderer


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

    def section(self, *, landscape: bool = True) -> Decree30Document:
        """Start a new page section: landscape (wide tables) or portrait again."""
        self.blocks.append(Section(landscape))
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
        return PdfRenderer(self).render()

    # --- DOCX ---------------------------------------------------------------------------------------
    def to_docx(self) -> bytes:
        return DocxRenderer(self).render()
