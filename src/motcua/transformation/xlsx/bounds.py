"""What the plan import reads of a sheet, and what a value may hold.

Columns: a plan's table uses a dozen columns (layout.COLUMNS) and a few the reader ignores; a sheet with thousands
of columns (within the 100 MB unzipped limit) would otherwise be parsed cell by cell — openpyxl parses every cell of
a row even with ``iter_rows(max_col=…)``. ``keep_columns`` drops, from the worksheets' XML, the cells past
``MAX_COLS`` before openpyxl sees them, so such a file costs about what a normal one does.

Values: a text longer than the column that stores it would be cut (or refused by PostgreSQL) on import; ``too_long``
names it, from the model field's own ``max_length``, so the rule follows the model.
"""

from __future__ import annotations

import io
import re
import zipfile

from django.utils.text import capfirst
from openpyxl.utils import get_column_letter

from motcua.core.money import format_number

MAX_COLS = 30  # A–AD: the layout's columns (layout.COLUMNS) with room for the ones a unit adds
LAST_COLUMN = get_column_letter(MAX_COLS)

# one cell (<c r="AE12" …/> or <c r="AE12" …>…</c>, any namespace prefix)
_CELL = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]{1,3})\d+"[^>]*?(?:/>|>.*?</(?:\w+:)?c>)', re.DOTALL)
_CELL_WITHOUT_REF = re.compile(rb'<(?:\w+:)?c(?:\s(?![^>]*\br=)[^>]*)?/?>')
_WIDE = {get_column_letter(c).encode() for c in range(1, MAX_COLS + 1)}


def _drop(match: re.Match) -> bytes:
    return match[0] if match[1] in _WIDE else b""


def keep_columns(data: bytes) -> bytes:
    """The .xlsx `data` with each worksheet's cells past MAX_COLS left out (`data` itself when it has none).

    A sheet with a cell that does not name its column (optional in the format, never written by Excel, LibreOffice
    or openpyxl) is left whole: openpyxl places such a cell after the one before it, which dropping would move."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        out, changed = io.BytesIO(), False
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
            for info in src.infolist():
                body = src.read(info)
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml") \
                        and not _CELL_WITHOUT_REF.search(body):
                    kept = _CELL.sub(_drop, body)
                    changed = changed or len(kept) != len(body)
                    body = kept
                dst.writestr(info.filename, body)
    return out.getvalue() if changed else data


def too_long(model, name: str, value: str, hint: str = "") -> str | None:
    """The error for `value` when it is longer than `model`.`name` keeps (None when it fits, or has no limit)."""
    f = model._meta.get_field(name)
    if f.max_length is None or len(value) <= f.max_length:
        return None
    shown = value if len(value) <= 60 else (value[:41].rsplit(None, 1)[0] or value[:40]) + "…"  # at a word's end
    return (f"{capfirst(f.verbose_name)} \u201c{shown}\u201d dài quá {format_number(f.max_length)} ký tự"
            f"{f' (có {format_number(len(value))} ký tự)' if len(value) > 60 else ''}{hint}.")
