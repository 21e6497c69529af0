"""The Decree 30/2020 layout: paper, margins, fonts, dates, and the blocks a document is made of.

Layout rules (LEGAL.md §10), each with its home here:
- Decree 30/2020 App. I: A4 portrait, Times New Roman (Unicode TCVN 6909:2001), margins top/bottom
  20–25 mm, left 30–35 mm, right 15–20 mm; national title bold upper case, motto bold with a rule as
  long as the text; parent agency upper case regular, issuing agency upper case bold with a rule of
  1/3–1/2 of its width; place and date italic; document type bold upper case; body 13–14 pt with a
  first-line indent; page numbers centred at the top, not on the first page.
- PDFs embed Liberation Serif (SIL OFL 1.1, metric-compatible with Times New Roman), vendored in
  motcua/papers/fonts, so a PDF looks the same on every machine.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parents[1] / "fonts"
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
PDF_ALIGN = {"left": "L", "center": "C", "right": "R", "justify": "J"}


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
class Section:
    """A new page section from here on: landscape for wide tables (so names do not wrap word by word), or back to
    portrait. Same paper and margins (Decree 30/2020 App. I)."""

    landscape: bool = True


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
