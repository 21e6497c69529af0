"""A task led by several units, two of them communes merged by two successive mergers — A into «Xã Hợp Nhất», later
C into «Xã Thống Nhất»: the part of the lead that was A's goes to Hợp Nhất, the part that was C's to Thống Nhất, each
at its merger; both carry it («Nhiệm vụ của tôi», results), and the task still counts once — in the province's row
for the province's plan, for the unit that took over the plan's own commune for a merged commune's plan."""

import datetime as dt

import pytest
from django.utils import timezone

from motcua.accounts.models import Role
from motcua.accounts.permissions import forget_roles
from motcua.papers.transformation import annual
from motcua.transformation import permissions
from motcua.transformation.models import Plan, Task
from motcua.transformation.services import budget, plans, rollup
from motcua.units.models import AdministrativeUnit, Agency
from motcua.units.services import load_agencies, load_units
from tests.factories import officer
from tests.vietnamese import docx_text

from .conftest import merge

pytestmark = pytest.mark.django_db


def _rows(year):
    return {r.agency.code: r for r in rollup.rollup_year(Plan.objects.filter(year=year), year).rows}


def test_each_part_of_a_shared_lead_goes_to_the_unit_that_took_over_its_commune_and_the_task_counts_once(signed_in):
    load_units("51")
    load_agencies("51", prefix="H51")
    ua, ub, uc, ud = AdministrativeUnit.objects.filter(level=AdministrativeUnit.COMMUNE).order_by("code")[:4]
    a, c = Agency.objects.get(admin_unit=ua), Agency.objects.get(admin_unit=uc)
    admin = officer(Role.PROVINCIAL_ADMIN, None, username="quantri.tinh")
    la, lc = officer(Role.LEADER, a, username="lanhdao.a"), officer(Role.LEADER, c, username="lanhdao.c")
    today = timezone.localdate()
    year, first, second = today.year, today - dt.timedelta(days=60), today - dt.timedelta(days=20)
    # The province's plan: a task A and C lead together; C's plan: a task C leads with A (120 million).
    province = Agency.objects.get(code="H51")
    plan_p = plans.create_plan(admin, agency=province, year=year)
    shared = plans.add_task(admin, plan_p, section=plans.add_section(admin, plan_p, title="Xã hội số"),
                            content="Phủ sóng 4G thôn bản", lead_agencies=[a, c])
    plan_c = plans.create_plan(lc, agency=c, year=year)
    own = plans.add_task(lc, plan_c, section=plans.add_section(lc, plan_c, title="Chính quyền số"),
                         content="Số hóa sổ hộ tịch", lead_agencies=[c, a])
    budget.add_budget_line(lc, own, planned="120", sources="NSX")
    whole = rollup.rollup_year(Plan.objects.filter(year=year), year)

    one = merge(admin, [ua, ub], "99001", "Xã Hợp Nhất", first)  # A's part of both goes to Hợp Nhất
    two = merge(admin, [uc, ud], "99002", "Xã Thống Nhất", second)  # then C's part to Thống Nhất
    shared, own = Task.objects.get(pk=shared.pk), Task.objects.get(pk=own.pk)
    assert list(shared.lead_agencies.order_by("code")) == sorted([a, c], key=lambda x: x.code)  # as written
    # Both new communes carry both tasks: «Nhiệm vụ của tôi», results.
    for unit, leader in ((one, la), (two, lc)):
        assert set(Task.objects.filter(permissions.carried_by([unit.pk])).distinct()) == {shared, own}, unit.name
        forget_roles(leader)
        assert permissions.can_report_on_task(leader, shared) and permissions.can_report_on_task(leader, own)
    plans.update_task(lc, shared, progress=40, status=Task.IN_PROGRESS)

    # Counted once: the province's task in the province's row; C's task, C merged, for Thống Nhất (which took over C,
    # the plan's own commune), not for Hợp Nhất, which carries A's part of it.
    rows = _rows(year)
    assert rows["H51"].tasks == 1
    assert (rows[two.code].tasks, rows[two.code].planned_vnd) == (1, 120_000_000)
    assert one.code not in rows or rows[one.code].tasks == 0
    assert rows[c.code].tasks == 0
    up = rollup.rollup_year(Plan.objects.filter(year=year), year)
    assert (up.tasks, up.planned_vnd) == (whole.tasks, whole.planned_vnd)
    assert "Số hóa sổ hộ tịch (nhận từ" in docx_text(annual.build_docx(two, year))
    assert "Số hóa sổ hộ tịch" not in docx_text(annual.build_docx(one, year))

    # Each part's move is kept.
    assert [(h.from_agency, h.to_agency, h.on) for h in shared.handovers.all()] == [(a, one, first), (c, two, second)]
    assert [(h.from_agency, h.to_agency, h.on) for h in own.handovers.all()] == [(a, one, first), (c, two, second)]
    # C's plan page says where each part went.
    html = signed_in(admin).get(f"/can-bo/chuyen-doi-so/ke-hoach/{plan_c.pk}/").content.decode()
    assert (f"Phần của {a.name} chuyển giao cho {one.name} từ {first:%d/%m/%Y} "
            "(Sắp xếp đơn vị hành chính theo Nghị quyết số 99001/NQ-UBTVQH15)") in html
    assert (f"Phần của {c.name} chuyển giao cho {two.name} từ {second:%d/%m/%Y} "
            "(Sắp xếp đơn vị hành chính theo Nghị quyết số 99002/NQ-UBTVQH15)") in html
    api = signed_in(admin).get(f"/api/v1/transformation/plans/{plan_c.pk}").json()
    out = {t["id"]: t for s in api["sections"] for t in s["tasks"]}[own.pk]
    assert (sorted(out["lead_units"]), out["handed_over_to"]) == (sorted([c.code, a.code]), two.code)
    assert out["handovers"] == [
        {"from": a.code, "to": one.code, "on": first.isoformat(), "reason": "Sắp xếp đơn vị hành chính theo Nghị quyết số 99001/NQ-UBTVQH15"},
        {"from": c.code, "to": two.code, "on": second.isoformat(), "reason": "Sắp xếp đơn vị hành chính theo Nghị quyết số 99002/NQ-UBTVQH15"}]
