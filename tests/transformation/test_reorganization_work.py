"""Three communes merge into «Xã Hợp Nhất» (fixture `merger`, conftest.py): what the new commune's leader and the
provincial monitor see of the old communes' digital-transformation work afterwards — their community teams and
trainings, their unfinished tasks counted for the new commune (once) in the roll-up, and an approved plan that
stays as approved, the handover recorded beside it."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from motcua.accounts.permissions import forget_roles
from motcua.audit.models import AuditEntry
from motcua.transformation import permissions
from motcua.transformation.models import Plan, Task
from motcua.transformation.services import budget, community, indicators, plans, rollup, rounds
from motcua.units.models import Agency
from motcua.units.reorganization import apply, preview

pytestmark = pytest.mark.django_db

BASE = "/can-bo/chuyen-doi-so"


def _new():
    return Agency.objects.get(admin_unit__code="99001")


def test_the_new_commune_takes_over_the_old_communes_teams_and_reads_their_trainings(merger, signed_in):
    m = merger
    a, b, today = m["a"], m["b"], timezone.localdate()
    founded = today - dt.timedelta(days=400)
    team = community.add_team(m["leaders"][a.code], a, members=7, village="Thôn Phú Lộc", founded_on=founded)
    gone = community.add_team(m["leaders"][a.code], a, members=3, village="Thôn Cũ", founded_on=founded)
    gone.dissolved_on = today - dt.timedelta(days=30)
    gone.save()
    community.add_activity(m["leaders"][b.code], b, date=today, title="Tập huấn cài đặt VNeID", participants=40)
    assert preview(m["plan"]).counts["transformation.teams"] == {"moved": 1}  # the dissolved one stays
    target = indicators.add_target(m["leaders"][a.code], m["plan_a"], measure="community_teams", value=1)

    apply(m["plan"], m["admin"])
    new = _new()
    team.refresh_from_db()
    assert team.agency == new and [(m.from_agency, m.to_agency, m.on) for m in team.moves.all()] == [(a, new, today)]
    assert AuditEntry.objects.filter(action="dx.team_moved", object_id=str(team.pk)).exists()
    # The new commune counts the team from the merger on; the old commune's past stays as it was.
    year_end = dt.date(today.year, 12, 31)
    assert community.total([new.pk], dt.date(today.year, 1, 1), year_end).teams == 1
    before = today - dt.timedelta(days=31)  # both teams were A's then
    assert community.counts([a.pk], before, before)[a.pk].members == 10
    assert new.pk not in community.counts([new.pk], before, before)
    # A's plan of the year still reads the team it had when it ended (not 0 because the team moved on).
    assert [(x.target, x.value) for x in indicators.measure_targets(Plan.objects.get(pk=m["plan_a"].pk))] == [(target, 1)]

    # The new commune's leader (A's, role moved) sees the team and B's training on the new commune's page ...
    leader = m["leaders"][a.code]
    forget_roles(leader)
    html = signed_in(leader).get(f"{BASE}/to-cong-nghe-so/?don-vi={new.code}").content.decode()
    assert "Thôn Phú Lộc" in html and f"trước đây thuộc {a.name}" in html and "Thôn Cũ" not in html
    assert "Tập huấn cài đặt VNeID" in html and f"{b.name} (trước khi sáp nhập)" in html
    # ... and records a training of a task handed over to the new commune.
    task = Task.objects.get(pk=m["tasks"]["owned"].pk)
    row = community.add_activity(leader, new, date=today, title="Tập huấn kỹ năng số thôn Phú Lộc", participants=25,
                                 task=task)
    assert row.task == task and row.agency == new


def test_tasks_handed_over_count_for_the_new_commune_in_the_roll_up_and_once(merger, signed_in):
    m = merger
    a, admin, year = m["a"], m["admin"], m["rnd"].year
    la, lb = m["leaders"][a.code], m["leaders"][m["b"].code]
    budget.add_budget_line(la, m["tasks"]["led"], planned="120", sources="NSX")
    budget.add_budget_line(la, m["tasks"]["done"], planned="30", sources="NSX")
    budget.add_budget_line(lb, m["tasks"]["led_b"], planned="200", sources="NSX")
    budget.add_budget_line(admin, m["tasks"]["led_c"], planned="500", sources="NST")
    whole = rollup.rollup_year(Plan.objects.all(), year)

    apply(m["plan"], admin)
    new = _new()
    up = rollup.rollup_year(Plan.objects.all(), year)
    rows = {r.agency.code: r for r in up.rows}
    # The tasks of A's and B's plans left to do are the new commune's work now: its row, with their money.
    assert (rows[new.code].plan, rows[new.code].tasks, rows[new.code].planned_vnd) == (None, 3, 320_000_000)
    assert (rows[a.code].tasks, rows[a.code].done, rows[a.code].planned_vnd) == (1, 1, 30_000_000)
    assert (rows[m["b"].code].tasks, rows[m["b"].code].planned_vnd) == (0, 0)
    # The province's own plan keeps its task led by C (handed over, but the province's plan is not merged).
    assert rows["H51"].tasks == 1 and rows["H51"].planned_vnd == 500_000_000
    assert (up.tasks, up.planned_vnd, up.done) == (whole.tasks, whole.planned_vnd, whole.done)  # each task once

    # The monitor's page shows the row; once the new commune writes its plan, the tasks count in that plan's row.
    html = signed_in(admin).get(f"{BASE}/tong-hop/?nam={year}").content.decode()
    assert re.search(rf"{re.escape(new.name)}</td><td><span class=\"hint\">Chưa có kế hoạch", html)
    leader = m["leaders"][a.code]
    forget_roles(leader)
    own = plans.create_plan(leader, agency=new, year=year)
    mine = {r.agency.code: r for r in rollup.rollup_year(permissions.visible_plans(leader), year).rows}
    assert (mine[new.code].plan, mine[new.code].tasks, mine[new.code].planned_vnd) == (own, 3, 320_000_000)
    page = signed_in(leader).get(f"{BASE}/ke-hoach/{own.pk}/").content.decode()
    received = re.search(r'id="nhiem-vu-nhan-chuyen-giao">(.*?)</section>', page, re.S).group(1)
    assert "Số hóa hồ sơ một cửa" in received and "Camera an ninh" in received and "Lắp wifi" not in received
    # Its answer to the round counts them too, as the roll-up does.
    answer = rounds.submit_response(leader, m["rnd"], new)
    assert (answer.snapshot["tasks"], answer.snapshot["done"]) == (3, 0)
    api = signed_in(leader).get(f"/api/v1/transformation/plans/{m['plan_a'].pk}/rollup").json()
    assert {u["unit"]: u["tasks"] for u in api["units"]} == {a.code: 1, new.code: 2}


def test_an_approved_plan_stays_as_approved_and_shows_the_handover(merger, signed_in):
    m = merger
    a, la = m["a"], m["leaders"][m["a"].code]
    approved = plans.approve_plan(la, m["plan_a"])
    stamp = Plan.objects.get(pk=approved.pk).updated_at
    apply(m["plan"], m["admin"])
    new = _new()
    plan = Plan.objects.get(pk=approved.pk)
    assert plan.is_approved and plan.updated_at == stamp
    led = Task.objects.get(pk=m["tasks"]["led"].pk)
    assert list(led.lead_agencies.all()) == [a]  # the lead unit as approved
    assert AuditEntry.objects.filter(action="dx.task_lead_merged", object_id=str(led.pk),
                                     data__to=new.code).exists()
    leader = m["leaders"][a.code]
    forget_roles(leader)
    api = signed_in(leader).get(f"/api/v1/transformation/plans/{plan.pk}").json()
    out = {t["id"]: t for s in api["sections"] for t in s["tasks"]}[led.pk]
    assert (out["lead_units"], out["handed_over_to"]) == ([a.code], new.code)
    html = signed_in(leader).get(f"{BASE}/ke-hoach/{plan.pk}/").content.decode()
    on = timezone.localdate().strftime("%d/%m/%Y")
    assert (f"Chuyển giao cho {new.name} từ {on} "
            f"(Sắp xếp đơn vị hành chính theo Nghị quyết số {m['plan'].resolution_number})") in html
    # The new commune's officers report on it, as its lead now; the plan itself stays locked.
    plans.update_task(leader, led, progress=60, status=Task.IN_PROGRESS)
    assert [t.pk for t in Task.objects.filter(permissions.carried_by([new.pk])).distinct()].count(led.pk) == 1


def test_the_province_roll_up_shows_another_commune_no_row_of_the_new_commune(merger, signed_in):
    """The roll-up of the province's plan lists a unit's row only to whoever may see that unit's plan; the row of a
    commune that took over merged ones (no plan of its own yet, the tasks handed over to it) is that commune's
    figures too: not shown to an officer of another commune, shown to the new commune's and the province's."""
    m = merger
    a, other, admin, year = m["a"], m["other"], m["admin"], m["rnd"].year
    la = m["leaders"][a.code]
    province_plan = Plan.objects.get(agency__code="H51", year=year, kind=Plan.PLAN)
    plans.update_plan(la, m["plan_a"], parent=province_plan)  # A's plan implements the province's
    budget.add_budget_line(la, m["tasks"]["led"], planned="120", sources="NSX")
    apply(m["plan"], admin)
    new = _new()
    path = f"/api/v1/transformation/plans/{province_plan.pk}/rollup"

    seen = signed_in(m["leaders"][other.code]).get(path).json()
    assert new.code not in {u["unit"] for u in seen["units"]} and a.code not in {u["unit"] for u in seen["units"]}
    assert seen["planned_vnd"] == 120_000_000  # the province's total still counts every unit
    forget_roles(la)  # A's leader now works for the new commune
    assert {u["unit"]: u["planned_vnd"] for u in signed_in(la).get(path).json()["units"]}[new.code] == 120_000_000
    assert new.code in {u["unit"] for u in signed_in(admin).get(path).json()["units"]}


def test_the_dashboard_shows_an_officer_no_row_of_a_commune_they_may_not_see(merger, signed_in):
    """The back office's roll-up of the year follows the API's rule: another commune's officer, whose unit leads a
    task of A's plan (so sees that plan), sees A's row but not the row of the commune A merged into (the tasks it
    took over, their money); the new commune's officers and the province see it."""
    m = merger
    a, other, admin, year = m["a"], m["other"], m["admin"], m["rnd"].year
    la, lo = m["leaders"][a.code], m["leaders"][other.code]
    plans.add_task(la, m["plan_a"], section=m["tasks"]["led"].section, content="Kết nối camera liên xã",
                   lead_agencies=[other])
    budget.add_budget_line(la, m["tasks"]["led"], planned="120", sources="NSX")
    apply(m["plan"], admin)
    new = _new()
    path = f"{BASE}/tong-hop/?nam={year}"

    def rows(user):
        html = signed_in(user).get(path).content.decode()
        table = re.search(r'<table id="tien-do-don-vi">(.*?)</table>', html, re.S).group(1)
        return re.findall(r"<tr><td>([^<]*)</td>", table)

    seen = rows(lo)
    assert a.name in seen and new.name not in seen
    forget_roles(la)  # A's leader now works for the new commune
    assert new.name in rows(la)
    assert new.name in rows(admin)
