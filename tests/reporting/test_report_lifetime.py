"""The statistics reports officials download and send on (.docx, .xlsx) say what the unit's statistics page says
of a unit a merger closed or created: «Đã sáp nhập vào … từ ngày …» / «Chưa thành lập trong kỳ …» under the
report's heading, beside the unit's name in the table by unit, and beside each month it did not exist in; a unit
that existed all the period says nothing."""

import datetime as dt
import io

import pytest
from docx import Document
from openpyxl import load_workbook

from motcua.papers import statistics

from . import test_statistics_lifetime
from .test_statistics_lifetime import CLOSED

pytestmark = pytest.mark.django_db
YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
Q1, Q2 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31)), (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
merged = test_statistics_lifetime.merged  # the fixture: two communes merged into Phường Hợp Nhất from 01/04/2026
NOT_YET = "Chưa thành lập trong kỳ: đơn vị được thành lập từ ngày 01/04/2026."


def _paragraphs(data: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(data)).paragraphs]


def _unit_rows(data: bytes) -> dict[str, str]:
    """{unit name: its name cell} of the .docx table by unit."""
    table = next(t for t in Document(io.BytesIO(data)).tables if t.rows[0].cells[1].text == "Đơn vị")
    return {r.cells[1].text.split("\n")[0]: r.cells[1].text for r in table.rows[1:]}


def _sheet(data: bytes, title: str) -> list[tuple]:
    return list(load_workbook(io.BytesIO(data), read_only=True)[title].iter_rows(values_only=True))


def test_the_docx_report_of_a_merged_commune_says_so_under_its_heading(merged):
    w = merged
    old = w.agency_a.code
    assert f"{CLOSED}." in _paragraphs(statistics.build_docx(old, *YEAR))
    assert f"{CLOSED}: đơn vị không còn hoạt động trong kỳ." in _paragraphs(statistics.build_docx(old, *Q2))
    assert not any("sáp nhập" in p for p in _paragraphs(statistics.build_docx(old, *Q1)))  # it existed then
    assert NOT_YET in _paragraphs(statistics.build_docx(w.new.code, *Q1))
    assert "Đơn vị được thành lập từ ngày 01/04/2026." in _paragraphs(statistics.build_docx(w.new.code, *YEAR))

    rows = _unit_rows(statistics.build_docx(None, *YEAR))  # the province's report, by unit
    assert rows[w.agency_a.name] == f"{w.agency_a.name}\n{CLOSED}."
    assert rows[w.new.name] == f"{w.new.name}\nĐơn vị được thành lập từ ngày 01/04/2026."
    assert all("\n" not in cell for name, cell in rows.items()
               if name not in (w.agency_a.name, w.agency_b.name, w.new.name))


def test_the_xlsx_workbook_says_so_on_its_summary_by_unit_and_by_month(merged):
    w = merged
    old = w.agency_a.code
    data = statistics.build_xlsx(old, *YEAR)
    assert _sheet(data, "Tổng hợp")[-1][:2] == ("Ghi chú", f"{CLOSED}.")
    months = {r[0]: r[1] for r in _sheet(data, "Theo tháng")[1:]}
    assert months["03/2026"] == "01/03/2026 – 31/03/2026"
    assert months["04/2026"] == "01/04/2026 – 30/04/2026 (đã sáp nhập)"
    assert _sheet(statistics.build_xlsx(w.new.code, *Q1), "Tổng hợp")[-1][:2] == ("Ghi chú", NOT_YET)
    assert not any(r and r[0] == "Ghi chú" for r in _sheet(statistics.build_xlsx(old, *Q1), "Tổng hợp"))

    by_unit = _sheet(statistics.build_xlsx(None, *YEAR), "Theo đơn vị")
    assert by_unit[0][-1] == "Ghi chú"
    notes = {r[1]: r[-1] for r in by_unit[1:]}
    assert notes[w.agency_a.name] == f"{CLOSED}."
    assert notes[w.new.name] == "Đơn vị được thành lập từ ngày 01/04/2026."
    assert all(not note for name, note in notes.items() if name not in (w.agency_a.name, w.agency_b.name, w.new.name))
