"""A merged commune's report (kind «báo cáo») implementing the province's plan: a task of it handed over to the new
commune counts in the roll-up of the province's plan as the new commune's figures of that kind do
(services/merger.py ``counted_tasks``) — in its report's row, not its plan's row; the new commune's teams count once."""

import pytest

from motcua.accounts.permissions import forget_roles
from motcua.transformation.models import Plan
from motcua.transformation.services import budget, community, plans, rollup
from motcua.transformation.services.merger import counted_tasks
from motcua.units.models import Agency
from motcua.units.reorganization import apply

pytestmark = pytest.mark.django_db


def test_a_handed_over_task_of_a_report_does_not_count_in_the_new_communes_plan_row(merger):
    m = merger
    a, admin, year = m["a"], m["admin"], m["rnd"].year
    la = m["leaders"][a.code]
    province = Plan.objects.get(agency__code="H51", year=year, kind=Plan.PLAN)
    report = plans.create_plan(la, agency=a, year=year, kind=Plan.REPORT, parent=province)
    survey = plans.add_task(la, report, section=plans.add_section(la, report, title="Hạ tầng số"),
                            content="Khảo sát hạ tầng mạng", lead_agencies=[a])
    budget.add_budget_line(la, survey, planned="70", sources="NSX")
    apply(m["plan"], admin)
    new = Agency.objects.get(admin_unit__code="99001")
    forget_roles(la)
    own = plans.create_plan(la, agency=new, year=year, parent=province)
    portal = plans.add_task(la, own, section=plans.add_section(la, own, title="Chính quyền số"),
                            content="Cổng thông tin điện tử xã", lead_agencies=[new])
    budget.add_budget_line(la, portal, planned="50", sources="NSX")

    kept = plans.create_plan(la, agency=new, year=year, kind=Plan.REPORT, parent=province)

    # The new commune's plan row counts its plan's task and the plans' tasks it received (A's and B's plans, not in
    # this roll-up, handed over three), not the report's task it received: that counts in its report's row, as the
    # figures of its report count it (and A's report keeps none of it).
    rows = {r.plan: r for r in rollup.rollup_plan(province).rows}
    assert (rows[own].tasks, rows[own].planned_vnd) == (4, 50_000_000) == (len(counted_tasks(own)), 50_000_000)
    assert (rows[kept].tasks, rows[kept].planned_vnd) == (1, 70_000_000)
    assert (rows[report].tasks, rows[report].planned_vnd) == (0, 0)
    assert list(counted_tasks(kept)) == [survey] and survey not in counted_tasks(own)

    # A unit with a plan and a report in the roll-up counts its community teams once.
    community.add_team(la, new, members=7, village="Thôn Phú Lộc")
    up = rollup.rollup_plan(province)
    assert (up.teams, up.members) == (1, 7)
