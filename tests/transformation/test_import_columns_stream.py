"""The cells past AD are left out of a sheet a piece at a time: the filtered copy is written to a temporary file, and
the sheet is never held whole in memory (it may be up to 100 MB unzipped)."""

import io
import tracemalloc
import zipfile

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from motcua.transformation.xlsx import bounds


def _workbook(rows: int, wide: int) -> bytes:
    """A workbook whose first sheet has `rows` rows of A, B and `wide` cells past AD, written as inline strings."""
    wb = Workbook()
    buf = io.BytesIO()
    wb.save(buf)
    columns = [get_column_letter(c) for c in range(31, 31 + wide)]
    body = [b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheetData>']
    for n in range(1, rows + 1):
        cells = [f'<c r="A{n}" t="inlineStr"><is><t>{n}</t></is></c><c r="B{n}" t="inlineStr"><is><t>Nhiệm vụ '
                 f'&amp; {n}</t></is></c>']
        cells += [f'<c r="{c}{n}" t="inlineStr"><is><t>thừa</t></is></c>' for c in columns]
        body.append(f'<row r="{n}">{"".join(cells)}</row>'.encode())
    body.append(b"</sheetData></worksheet>")
    src, out = zipfile.ZipFile(io.BytesIO(buf.getvalue())), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, b"".join(body) if info.filename == "xl/worksheets/sheet1.xml"
                         else src.read(info))
    return out.getvalue()


def _read(kept) -> list[tuple]:
    wb = load_workbook(kept.file, read_only=True)
    rows = [tuple(c.value for c in row) for row in wb.worksheets[0].iter_rows()]
    wb.close()
    kept.file.close()
    return rows


def test_a_wide_sheet_is_filtered_without_holding_it_in_memory(monkeypatch):
    monkeypatch.setattr(bounds, "CHUNK", 1 << 16)  # what is held is a few pieces, whatever the sheet's size
    data = _workbook(rows=400, wide=400)  # about 8 MB unzipped
    size = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml").file_size
    assert size > 5_000_000
    tracemalloc.start()
    try:
        kept = bounds.keep_columns(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < size / 8, (peak, size)
    rows = _read(kept)
    assert len(rows) == 400 and rows[0] == ("1", "Nhiệm vụ & 1") and rows[-1] == ("400", "Nhiệm vụ & 400")


def test_pieces_cut_anywhere_read_the_same(monkeypatch):
    data = _workbook(rows=30, wide=3)
    whole = _read(bounds.keep_columns(data))
    for size in (1, 7, 64, 1000):
        monkeypatch.setattr(bounds, "CHUNK", size)
        kept = bounds.keep_columns(data)
        assert kept.outside("xl/worksheets/sheet1.xml", [])[2] == (3, [("AE", "thừa"), ("AF", "thừa"),
                                                                       ("AG", "thừa")])
        assert _read(kept) == whole
    assert whole[0] == ("1", "Nhiệm vụ & 1") and len(whole) == 30 and all(len(r) == 2 for r in whole)


def _unclosed(cells: int) -> bytes:
    """A broken sheet whose cells past AD are opened and never closed (random row numbers: it compresses like a
    real file, within the ratio documents.validation allows)."""
    import random

    wb = Workbook()
    buf = io.BytesIO()
    wb.save(buf)
    rnd = random.Random(7)
    body = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheetData><row r="1">'
            + b"".join(f'<c r="AE{rnd.randrange(1, 10**6)}">'.encode() for _ in range(cells))
            + b"</row></sheetData></worksheet>")
    src, out = zipfile.ZipFile(io.BytesIO(buf.getvalue())), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, body if info.filename == "xl/worksheets/sheet1.xml" else src.read(info))
    return out.getvalue()


def test_cells_never_closed_cost_no_more_than_closed_ones():
    """Each cell is looked for up to the next one's start: a sheet of unclosed cells (a crafted upload) is not
    searched from every cell to the end of its piece (seconds per thousand cells, growing with their square)."""
    import time

    from motcua.core.errors import ValidationFailed
    from motcua.transformation.xlsx.reader import load_rows

    data = _unclosed(30_000)  # ~450 KB of XML, one piece
    started = time.perf_counter()
    try:
        load_rows(data)
    except ValidationFailed:
        pass  # refused as a broken file, or read: either way, answered at once
    assert time.perf_counter() - started < 3
