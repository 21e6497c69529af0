"""A plan's roll-up (the province's plan and those implementing it) counts, in the new commune's row, the tasks it
received from a merged commune's plan that implements nothing — as the new commune's own figures do
(services/merger.py ``counted_tasks``) — and each task once: the year's roll-up of every plan is unchanged."""

import pytest

from motcua.accounts.permissions import forget_roles
from motcua.transformation.models import Plan, Task
from motcua.transformation.services import budget, plans, rollup
from motcua.transformation.services.merger import counted_tasks
from motcua.units.models import Agency
from motcua.units.reorganization import apply

pytestmark = pytest.mark.django_db


def test_the_new_communes_row_counts_the_tasks_it_received_from_a_plan_outside_the_rollup(merger):
    m = merger
    a, admin, year = m["a"], m["admin"], m["rnd"].year
    la = m["leaders"][a.code]
    budget.add_budget_line(la, m["tasks"]["led"], planned="120", sources="NSX")
    budget.add_budget_line(la, m["tasks"]["owned"], planned="30", sources="CTX")
    province = Plan.objects.get(agency__code="H51", year=year, kind=Plan.PLAN)
    # A's and B's plans implement nothing: they are not in the province plan's roll-up
    assert not Plan.objects.filter(agency__in=[a, m["b"]], parent__isnull=False).exists()
    apply(m["plan"], admin)
    new = Agency.objects.get(admin_unit__code="99001")
    forget_roles(la)  # A's leader leads the new commune now
    own = plans.create_plan(la, agency=new, year=year, parent=province)
    portal = plans.add_task(la, own, section=plans.add_section(la, own, title="Chính quyền số"),
                            content="Cổng thông tin điện tử xã", lead_agencies=[new])
    budget.add_budget_line(la, portal, planned="50", sources="NSX")

    up = rollup.rollup_plan(province)
    rows = {r.plan: r for r in up.rows}
    assert set(rows) == {province, own}
    # the new commune's row: its own task, the two unfinished ones of A's plan (A's done one stays A's) and B's one
    assert (rows[own].tasks, rows[own].planned_vnd) == (4, 200_000_000)
    assert rows[own].tasks == len(counted_tasks(own))
    assert (rows[province].tasks, rows[province].planned_vnd) == (1, 0)  # C's task: the province's plan keeps it
    assert (up.tasks, up.planned_vnd) == (5, 200_000_000)
    assert dict(up.by_source) == {"NSX": 170_000_000, "CTX": 30_000_000}  # the totals by source add up to the total

    # the year's roll-up, every plan in it: the same rows, each task counted once
    year_up = rollup.rollup_year(Plan.objects.all(), year)
    year_rows = {r.plan: r for r in year_up.rows}
    assert (year_rows[own].tasks, year_rows[own].planned_vnd) == (4, 200_000_000)
    assert (year_rows[m["plan_a"]].tasks, year_rows[m["plan_a"]].planned_vnd) == (1, 0)  # the done one
    assert all(r.tasks == 0 for r in year_up.rows if r.plan and r.plan.agency == m["b"])
    every = Task.objects.filter(plan__year=year, plan__kind=Plan.PLAN).count()
    assert year_up.tasks == every and year_up.planned_vnd == 200_000_000
