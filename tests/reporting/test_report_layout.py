"""The printed report as officials lay it out: wide tables on landscape pages whose column widths LibreOffice and
Word both follow (unit names not wrapped word by word), the number line "Số: …/BC-UBND", percentages printed
as the province chooses."""

import datetime as dt
import io
import shutil
import subprocess

import pytest
from django.test import override_settings
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Mm

from motcua.papers import statistics
from motcua.reporting import indicators
from motcua.reporting.consumer import upsert_counters
from motcua.units.models import Agency
from tests.factories import AgencyFactory
from tests.vietnamese import docx_text

from .test_seed_figures import _seed_2023

pytestmark = pytest.mark.django_db
NAMES = ["UBND phường Cẩm Thành", "UBND xã Bình Sơn", "UBND đặc khu Lý Sơn", "UBND phường Trương Quang Trọng"]


def _units():
    day = dt.date(2026, 3, 10)
    rows = {}
    for i, name in enumerate(NAMES):
        agency = AgencyFactory(name=name)
        rows[(day, agency.code, "1.000001", "HT", "full", "online")] = {"received": 10 + i, "resolved": 9}
    upsert_counters(rows)


def test_wide_tables_sit_on_landscape_pages_with_their_column_widths():
    _units()
    doc = Document(io.BytesIO(statistics.build_docx(None, dt.date(2026, 3, 1), dt.date(2026, 3, 31))))
    assert [s.orientation for s in doc.sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT]
    assert abs(doc.sections[1].page_width - Mm(297)) < Mm(0.1)
    units = next(t for t in doc.tables if t.rows[0].cells[1].text == "Đơn vị")
    grid = [c.width for c in units.columns]  # the table's grid, which LibreOffice reads
    assert abs(grid[1] - Mm(252 * 72 / sum(statistics.GROUP_WIDTHS))) < Mm(1)
    assert grid[1] > 3 * grid[2]
    assert {r.cells[1].text for r in units.rows[1:]} == set(NAMES)


def test_number_line_names_the_issuing_agency():
    _units()
    text = docx_text(statistics.build_docx(None, dt.date(2026, 3, 1), dt.date(2026, 3, 31)))
    assert "Số:         /BC-UBND" in text
    department = AgencyFactory(name="Sở Khoa học và Công nghệ", kind=Agency.PROVINCIAL_DEPARTMENT)
    assert statistics.report_number(department.code).endswith("/BC-SKHCN")
    assert statistics.report_number(Agency.objects.get(name=NAMES[0]).code).endswith("/BC-UBND")


def test_percentages_print_as_configured():
    _seed_2023()
    ind = indicators.totals(dt.date(2023, 1, 1), dt.date(2023, 11, 27))
    assert indicators.format_percent(ind.rates["resolved_rate"]) == "99,77 %"  # the default keeps the space
    with override_settings(MOTCUA_PERCENT_SPACE=False):
        text = indicators.seed_sentence(ind)
        assert "(đạt 99,77%)" in text and "(đạt 33,44%)" in text  # as seed 000 prints them
    with override_settings(MOTCUA_PERCENT_DECIMALS=1, MOTCUA_PERCENT_SPACE=False):
        assert indicators.format_percent(ind.rates["online_rate_full"]) == "75,1%"  # seed 000: 11.696/15.575
        assert "75,1%" in docx_text(statistics.build_docx(None, dt.date(2023, 1, 1), dt.date(2023, 11, 27)))


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("soffice") or not shutil.which("pdftotext"), reason="LibreOffice not installed")
def test_libreoffice_prints_each_unit_name_on_one_line(tmp_path):
    _units()
    path = tmp_path / "bao-cao.docx"
    path.write_bytes(statistics.build_docx(None, dt.date(2026, 3, 1), dt.date(2026, 3, 31)))
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], check=True, capture_output=True, timeout=120)
    lines = subprocess.run(["pdftotext", "-layout", str(tmp_path / "bao-cao.pdf"), "-"], check=True,
                           capture_output=True, text=True).stdout.splitlines()
    for name in NAMES:
        assert any(name in line for line in lines), name
