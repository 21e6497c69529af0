"""Three communes merge into «Xã Hợp Nhất» (fixture `merger`, conftest.py): the annual report (.docx, .xlsx, the
back-office page «báo cáo năm») and the plan's appendices count the tasks a merger handed over as the roll-up and
the round answer do — for the new commune, marked as received, and no longer for the old one — while an old
commune's report of a year before the merger stays as it was."""

import datetime as dt

import pytest
from django.utils import timezone

from motcua.papers.transformation import annual
from motcua.transformation.models import Plan
from motcua.transformation.services import budget, plans, rollup
from motcua.units.reorganization import apply
from tests.vietnamese import docx_text

pytestmark = pytest.mark.django_db

def test_an_old_communes_report_of_a_year_before_the_merger_stays_as_it_was(merger):
    m = merger
    a, admin, last = m["a"], m["admin"], m["rnd"].year - 1
    la = m["leaders"][a.code]
    old = plans.create_plan(la, agency=a, year=last)
    late = plans.add_task(la, old, section=plans.add_section(la, old, title="Hạ tầng số"),
                          content="Phần mềm quản lý văn bản", lead_agencies=[a], deadline=dt.date(last, 12, 31))
    budget.add_budget_line(la, late, planned="80", sources="NSX")
    before = docx_text(annual.build_docx(a, last))
    assert "Phần mềm quản lý văn bản" in before and "Tổng kinh phí: 80 triệu đồng" in before

    apply(m["plan"], admin)
    late.refresh_from_db()
    assert late.handed_over_on == timezone.localdate()  # the new commune carries it from now on ...
    assert docx_text(annual.build_docx(a, last)) == before  # ... A's report of last year is the same
    rows = {r.agency.code: r for r in rollup.rollup_year(Plan.objects.filter(year=last), last).rows}
    assert (rows[a.code].tasks, rows[a.code].planned_vnd) == (1, 80_000_000)
