"""Two successive mergers: commune X merges into «Xã Hợp Nhất» (Y) within the year of X's plan, then, after that year
ended, Y merges into «Xã Thống Nhất» (Z). X's unfinished task counted for Y in that year (Y carried it when the year
ended): it still does after the second merger — X's, Y's and Z's figures of that year (roll-up rows, the tasks a
plan's figures count, Y's annual report) do not change — while Z carries it from then on."""

import datetime as dt

import pytest
from django.utils import timezone

from motcua.accounts.models import Role
from motcua.accounts.permissions import forget_roles
from motcua.papers.transformation import annual
from motcua.transformation import permissions
from motcua.transformation.models import Plan, Task
from motcua.transformation.services import budget, community, merger, plans, rollup
from motcua.units.models import AdministrativeUnit, Agency
from motcua.units.services import load_agencies, load_units
from tests.factories import officer
from tests.vietnamese import docx_text

from .conftest import merge

pytestmark = pytest.mark.django_db


def _figures(year, units):
    """What a user reads of `year` for each unit: its roll-up row (tasks, money), the tasks its plan's figures count
    and those it received, its annual report."""
    rows = {r.agency.code: r for r in rollup.rollup_year(Plan.objects.filter(year=year), year).rows}
    out = {}
    for unit in units:
        row = rows.get(unit.code)
        plan = Plan.objects.filter(agency=unit, year=year, kind=Plan.PLAN).first()
        out[unit.code] = {
            "row": (row.tasks, row.done, row.planned_vnd) if row else None,
            "counted": sorted(t.content for t in merger.counted_tasks(plan)) if plan else None,
            "received": sorted(t.content for t in merger.received_tasks(unit, year)),
            "report": docx_text(annual.build_docx(unit, year)),
        }
    return out


def test_a_second_merger_after_the_plans_year_does_not_change_that_years_figures(signed_in):
    load_units("51")
    load_agencies("51", prefix="H51")
    ux, u2, u3 = AdministrativeUnit.objects.filter(level=AdministrativeUnit.COMMUNE).order_by("code")[:3]
    x = Agency.objects.get(admin_unit=ux)
    admin = officer(Role.PROVINCIAL_ADMIN, None, username="quantri.tinh")
    lx = officer(Role.LEADER, x, username="lanhdao.x")
    year = timezone.localdate().year - 1
    first, second = dt.date(year, 7, 1), dt.date(year + 1, 1, 1)  # within X's plan's year; after it ended
    plan_x = plans.create_plan(lx, agency=x, year=year)
    sec = plans.add_section(lx, plan_x, title="Chính quyền số")
    led = plans.add_task(lx, plan_x, section=sec, content="Số hóa hồ sơ một cửa", lead_agencies=[x])
    owned = plans.add_task(lx, plan_x, section=sec, content="Tập huấn kỹ năng số", lead_text="Các thôn")
    budget.add_budget_line(lx, led, planned="120", sources="NSX")
    budget.add_budget_line(lx, owned, planned="30", sources="NSX")

    y = merge(admin, [ux, u2], "99001", "Xã Hợp Nhất", first)
    forget_roles(lx)  # X's leader now leads Hợp Nhất, which writes its own plan of the year
    plan_y = plans.create_plan(lx, agency=y, year=year)
    portal = plans.add_task(lx, plan_y, section=plans.add_section(lx, plan_y, title="Hạ tầng số"),
                            content="Cổng thông tin điện tử xã", lead_agencies=[y])
    budget.add_budget_line(lx, portal, planned="50", sources="NSX")
    units = [x, y]
    before = _figures(year, units)
    # Hợp Nhất counts X's two tasks with its own; X's row keeps none of them.
    assert before[y.code]["row"] == (3, 0, 200_000_000)
    assert before[y.code]["counted"] == sorted([led.content, owned.content, portal.content])
    assert before[x.code]["row"] == (0, 0, 0) and before[x.code]["counted"] == []
    assert f"{led.content} (nhận từ {x.name} theo sắp xếp đơn vị hành chính)" in before[y.code]["report"]

    z = merge(admin, [y.admin_unit, u3], "99002", "Xã Thống Nhất", second)
    after = _figures(year, [*units, z])
    for unit in units:
        assert after[unit.code] == before[unit.code], unit.name
    assert after[z.code]["row"] is None and after[z.code]["received"] == []  # a unit created after the year

    # Thống Nhất carries the tasks from the second merger on: «Nhiệm vụ của tôi», results, trainings.
    led = Task.objects.get(pk=led.pk)
    assert [(h.from_agency, h.to_agency, h.on) for h in led.handovers.all()] == [(x, y, first), (y, z, second)]
    assert set(Task.objects.filter(permissions.carried_by([z.pk])).distinct()) >= {led, owned}
    forget_roles(lx)
    assert permissions.can_report_on_task(lx, led)
    community.add_activity(lx, z, date=second, title="Tập huấn số hóa hồ sơ", participants=20, task=led)

    # X's plan says where the task went and when; the API, which unit it counts for (that year's) and each move.
    html = signed_in(admin).get(f"/can-bo/chuyen-doi-so/ke-hoach/{plan_x.pk}/").content.decode()
    assert (f"Chuyển giao cho {y.name} từ {first:%d/%m/%Y} "
            "(Sắp xếp đơn vị hành chính theo Nghị quyết số 99001/NQ-UBTVQH15)") in html
    assert (f"Chuyển giao cho {z.name} từ {second:%d/%m/%Y} "
            "(Sắp xếp đơn vị hành chính theo Nghị quyết số 99002/NQ-UBTVQH15)") in html
    api = signed_in(admin).get(f"/api/v1/transformation/plans/{plan_x.pk}").json()
    out = {t["id"]: t for s in api["sections"] for t in s["tasks"]}[led.pk]
    assert (out["handed_over_to"], out["handed_over_on"]) == (y.code, first.isoformat())
    assert out["handovers"] == [
        {"from": x.code, "to": y.code, "on": first.isoformat(), "reason": "Sắp xếp đơn vị hành chính theo Nghị quyết số 99001/NQ-UBTVQH15"},
        {"from": y.code, "to": z.code, "on": second.isoformat(), "reason": "Sắp xếp đơn vị hành chính theo Nghị quyết số 99002/NQ-UBTVQH15"}]


def test_a_task_whose_plans_unit_merges_only_after_the_year_stays_in_that_plans_figures():
    # Commune C's task, led by C and A: A merges within the year (Hợp Nhất carries A's part), C only after it ended.
    # At the end of the year C had not merged: the task is C's in that year, before and after C's merger.
    load_units("51")
    load_agencies("51", prefix="H51")
    ua, ub, uc, ud = AdministrativeUnit.objects.filter(level=AdministrativeUnit.COMMUNE).order_by("code")[:4]
    a, c = Agency.objects.get(admin_unit=ua), Agency.objects.get(admin_unit=uc)
    admin = officer(Role.PROVINCIAL_ADMIN, None, username="quantri.tinh")
    lc = officer(Role.LEADER, c, username="lanhdao.c")
    year = timezone.localdate().year - 1
    plan_c = plans.create_plan(lc, agency=c, year=year)
    own = plans.add_task(lc, plan_c, section=plans.add_section(lc, plan_c, title="Chính quyền số"),
                         content="Số hóa sổ hộ tịch", lead_agencies=[c, a])
    budget.add_budget_line(lc, own, planned="120", sources="NSX")
    one = merge(admin, [ua, ub], "99001", "Xã Hợp Nhất", dt.date(year, 7, 1))
    before = _figures(year, [c, one])
    assert before[c.code]["row"] == (1, 0, 120_000_000) and before[one.code]["received"] == []

    two = merge(admin, [uc, ud], "99002", "Xã Thống Nhất", dt.date(year + 1, 1, 1))
    after = _figures(year, [c, one, two])
    assert {code: after[code] for code in (c.code, one.code)} == before
    assert after[two.code]["row"] is None and after[two.code]["received"] == []


@pytest.mark.parametrize("later", ["first day of the next year", "later in the next year"])
def test_a_task_another_unit_leads_stays_in_the_plans_figures_when_the_plans_unit_merges_after_the_year(later):
    # Commune P's and a department's plans of the year each hold a task commune C leads. C merges into «Xã Hợp
    # Nhất» (D) within the year: C's part moves to D, but the plans' own units had not merged when the year ended,
    # so both tasks count in their plans' figures of that year. P merging (into «Xã Thống Nhất»), or the department
    # being taken over by another one, only after the year ended does not move them into D's figures of that year.
    load_units("51")
    load_agencies("51", prefix="H51")
    up, uc, ud, ue = AdministrativeUnit.objects.filter(level=AdministrativeUnit.COMMUNE).order_by("code")[:4]
    p, c = Agency.objects.get(admin_unit=up), Agency.objects.get(admin_unit=uc)
    dept, other_dept = Agency.objects.filter(kind=Agency.PROVINCIAL_DEPARTMENT).order_by("code")[:2]
    admin = officer(Role.PROVINCIAL_ADMIN, None, username="quantri.tinh")
    lp = officer(Role.LEADER, p, username="lanhdao.p")
    year = timezone.localdate().year - 1
    on = dt.date(year + 1, 1, 1) if later.startswith("first") else timezone.localdate()
    plan_p = plans.create_plan(lp, agency=p, year=year)
    led = plans.add_task(lp, plan_p, section=plans.add_section(lp, plan_p, title="Chính quyền số"),
                         content="Số hóa sổ hộ tịch", lead_agencies=[c])
    budget.add_budget_line(lp, led, planned="120", sources="NSX")
    plan_dept = plans.create_plan(admin, agency=dept, year=year)
    led_dept = plans.add_task(admin, plan_dept, section=plans.add_section(admin, plan_dept, title="Hạ tầng số"),
                              content="Phủ sóng 4G thôn bản", lead_agencies=[c])
    budget.add_budget_line(admin, led_dept, planned="80", sources="NSTW")

    d = merge(admin, [uc, ud], "99001", "Xã Hợp Nhất", dt.date(year, 7, 1))
    led = Task.objects.get(pk=led.pk)
    assert (led.handed_over_to, led.handed_over_on) == (d, dt.date(year, 7, 1))  # C's part went to D
    before = _figures(year, [p, dept, d])
    assert before[p.code]["row"] == (1, 0, 120_000_000) and before[p.code]["counted"] == [led.content]
    assert before[dept.code]["row"] == (1, 0, 80_000_000) and before[dept.code]["counted"] == [led_dept.content]
    assert before[d.code]["row"] is None and before[d.code]["received"] == []

    e = merge(admin, [up, ue], "99002", "Xã Thống Nhất", on)
    dept.is_active, dept.successor = False, other_dept  # the administrator records the department's merger
    dept.full_clean()
    dept.save()
    after = _figures(year, [p, dept, d, e])
    assert {code: after[code] for code in (p.code, dept.code, d.code)} == before
    assert after[e.code]["row"] is None and after[e.code]["received"] == []
