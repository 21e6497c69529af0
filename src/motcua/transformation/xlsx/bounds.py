"""What the plan import reads of a sheet, and what a value may hold.

Columns: a plan's table uses a dozen columns (layout.COLUMNS) and a few the reader ignores; a sheet with thousands
of columns (within the 100 MB unzipped limit) would otherwise be parsed cell by cell — openpyxl parses every cell of
a row even with ``iter_rows(max_col=…)``. ``keep_columns`` drops, from the worksheets' XML, the cells past
``MAX_COLS`` before openpyxl sees them, so such a file costs about what a normal one does; it reads and writes the
sheets a piece at a time (to a temporary file), and keeps the text of the cells it drops from the first rows, where
the heading row is, so that a heading placed past ``MAX_COLS`` is told to the officer, not dropped without a word.

Values: a text longer than the column that stores it would be cut (or refused by PostgreSQL) on import; ``too_long``
names it, from the model field's own ``max_length`` (core.fields.overlong, as the catalog import does), so the
rule follows the model.
"""

from __future__ import annotations

import html
import io
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from typing import IO

from django.utils.text import capfirst
from openpyxl.utils import get_column_letter

from motcua.core.fields import overlong
from motcua.core.money import format_number

MAX_COLS = 30  # A–AD: the layout's columns (layout.COLUMNS) with room for the ones a unit adds
LAST_COLUMN = get_column_letter(MAX_COLS)
HEADER_SCAN = 20  # the rows the reader looks for the table's heading row in
HEADING_ROWS = HEADER_SCAN + 1  # …and the second heading row under it: cells left out of these are told
SHOWN = 5  # cells left out of a row that are named; the others are counted
CHUNK = 1 << 20  # a sheet is read and written this much at a time, never whole

# one cell (<c r="AE12" …/> or <c r="AE12" …>…</c>, any namespace prefix). Each part is looked for only as far as
# it can reach in a sound sheet, never back again: its attributes up to the tag's end (no "<" or ">" in a tag), its
# end up to the next cell's start. A crafted sheet (cells never closed, a tag that never ends, thousands of r=) would
# otherwise be searched from each cell to the end of its piece, again for each r= (minutes for one upload).
_CELL = re.compile(rb'<(?:\w+:)?c(?>\s[^<>]*?\br="([A-Z]{1,3})(\d+)")(?>[^<>]*)'
                   rb'(?:(?<=/)>|>(?:(?!<(?:\w+:)?c[\s/>]).)*?</(?:\w+:)?c>)', re.DOTALL)
_CELL_WITHOUT_REF = re.compile(rb'<(?:\w+:)?c(?:\s(?![^<>]*\br=)[^<>]*)?/?>')
_CELL_START = re.compile(rb'<(?:\w+:)?c[\s/>]')
_WIDE = {get_column_letter(c).encode() for c in range(1, MAX_COLS + 1)}
_VALUE = re.compile(rb'<(?:\w+:)?(?:v|is)>', re.DOTALL)


@dataclass
class _Sheet:
    """What keep_columns finds in one worksheet: whether it drops a cell, and the cells with a value it drops from
    the first HEADING_ROWS rows ({row: [count, first SHOWN (column, cell's XML)]})."""
    whole: bool = False  # a cell does not name its column: the sheet is left as it is
    drops: bool = False
    outside: dict[int, list] = field(default_factory=dict)


@dataclass
class Kept:
    """The workbook keep_columns gives openpyxl (`file`, to close after), and what it left out of each sheet."""
    file: IO[bytes]
    sheets: dict[str, _Sheet] = field(default_factory=dict)

    def outside(self, sheet: str, shared_strings) -> dict[int, tuple[int, list[tuple[str, str]]]]:
        """{row: (how many cells with a value past MAX_COLS it had, the first SHOWN as (column, text))} of the first
        HEADING_ROWS rows of `sheet` (its path in the package), `shared_strings` the workbook's."""
        found = self.sheets.get(sheet.lstrip("/"))
        if found is None or found.whole:
            return {}
        return {row: (count, [(column, _text(xml, shared_strings)) for column, xml in cells])
                for row, (count, cells) in found.outside.items()}


def _pieces(stream: IO[bytes]):
    """A worksheet's XML, CHUNK at a time, each piece cut before a cell starts, so no cell is split between two."""
    buf = b""
    while chunk := stream.read(CHUNK):
        seen = max(0, len(buf) - 64)  # what was searched already, less a cell's start the chunk may complete
        buf += chunk
        starts = [m.start() for m in _CELL_START.finditer(buf, seen)]
        if not starts and _CELL_START.match(buf):
            starts = [0]  # the cell kept from the piece before, still open
        cut = starts[-1] if starts else buf.rfind(b"<")  # the tail may begin a cell the next chunk completes
        if cut > 0:
            yield buf[:cut]
            buf = buf[cut:]
    if buf:
        yield buf


def _scan(src: zipfile.ZipFile, info: zipfile.ZipInfo) -> _Sheet:
    sheet = _Sheet()
    with src.open(info) as stream:
        for piece in _pieces(stream):
            if _CELL_WITHOUT_REF.search(piece):
                return _Sheet(whole=True)
            for m in _CELL.finditer(piece):
                if m[1] in _WIDE:
                    continue
                sheet.drops = True
                row = int(m[2])
                if row <= HEADING_ROWS and _VALUE.search(m[0]):
                    told = sheet.outside.setdefault(row, [0, []])
                    told[0] += 1
                    if len(told[1]) < SHOWN:
                        told[1].append((m[1].decode(), m[0]))
    return sheet


def _drop(match: re.Match) -> bytes:
    return match[0] if match[1] in _WIDE else b""


def _is_sheet(info: zipfile.ZipInfo) -> bool:
    return info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")


def keep_columns(data: bytes) -> Kept:
    """The .xlsx `data` with each worksheet's cells past MAX_COLS left out (`data` itself when it has none).

    The sheets are read and the new workbook written a piece at a time, to a temporary file: a sheet is never held
    whole in memory (the 100 MB unzipped limit, documents.validation). A sheet with a cell that does not name its
    column (optional in the format, never written by Excel, LibreOffice or openpyxl) is left whole: openpyxl places
    such a cell after the one before it, which dropping would move."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        sheets = {info.filename: _scan(src, info) for info in src.infolist() if _is_sheet(info)}
        if not any(s.drops and not s.whole for s in sheets.values()):
            return Kept(io.BytesIO(data), sheets)
        out = tempfile.TemporaryFile()
        try:
            with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
                for info in src.infolist():
                    with src.open(info) as stream, dst.open(info.filename, "w", force_zip64=True) as sink:
                        cut = _is_sheet(info) and sheets[info.filename].drops and not sheets[info.filename].whole
                        for piece in (_pieces(stream) if cut else iter(lambda: stream.read(CHUNK), b"")):
                            sink.write(_CELL.sub(_drop, piece) if cut else piece)
        except BaseException:
            out.close()
            raise
    out.seek(0)
    return Kept(out, sheets)


def _text(xml: bytes, shared_strings) -> str:
    """The text of a cell as its XML holds it: a shared string (t="s"), an inline one, or its value as written."""
    opening = xml[:xml.index(b">") + 1]
    kind = re.search(rb'\bt="(\w+)"', opening)
    if kind and kind[1] == b"inlineStr":
        raw = b"".join(re.findall(rb'<(?:\w+:)?t(?:\s[^>]*)?>(.*?)</(?:\w+:)?t>', xml, re.DOTALL))
        return html.unescape(raw.decode("utf-8", "replace"))
    value = re.search(rb'<(?:\w+:)?v>(.*?)</(?:\w+:)?v>', xml, re.DOTALL)
    shown = html.unescape(value[1].decode("utf-8", "replace")) if value else ""
    if kind and kind[1] == b"s":
        try:
            return str(shared_strings[int(shown)])
        except (ValueError, IndexError, TypeError):
            return ""
    return shown


def too_long(model, name: str, value: str, hint: str = "") -> str | None:
    """The error for `value` when it is longer than `model`.`name` keeps (None when it fits, or has no limit)."""
    over = overlong(model._meta.get_field(name), value)
    if over is None:
        return None
    shown = value if over.length <= 60 else (value[:41].rsplit(None, 1)[0] or value[:40]) + "…"  # at a word's end
    return (f"{capfirst(over.label)} \u201c{shown}\u201d dài quá {format_number(over.limit)} ký tự"
            f"{f' (có {format_number(over.length)} ký tự)' if over.length > 60 else ''}{hint}.")
