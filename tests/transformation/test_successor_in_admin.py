"""A department an administrator merges into another in the Django admin («đang hoạt động» unticked, «cơ quan kế
thừa» chosen: no reorganization plan) hands its unfinished DX tasks over to that successor, as a merger's plan does
(transformation/reorganization.py ``SuccessorTakesTasks``, units.succession): the successor's officers report on them,
the old department's are told who does now; the plans stay as written, and what other units lead stays theirs."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from motcua.accounts.models import Role, RoleAssignment
from motcua.audit.models import AuditEntry
from motcua.outbox.models import OutboxEvent
from motcua.transformation.models import CommunityTeam, RoundResponse, Task, TeamMove
from motcua.transformation.services import community, plans, rounds
from motcua.transformation.services.merger import counted_tasks
from motcua.units.models import Agency
from tests.admin_forms import admin_form, errors_of
from tests.factories import officer, sign_in

from .conftest import patch_progress

pytestmark = pytest.mark.django_db


def test_a_department_merged_in_the_admin_hands_its_unfinished_tasks_to_its_successor(dx, client, django_user_model):
    dept = dx.dept
    successor = Agency.objects.create(code="H51.12", name="Sở Nội vụ tỉnh Quảng Ngãi", admin_unit=dept.admin_unit,
                                      kind=Agency.PROVINCIAL_DEPARTMENT, parent=dx.province)
    successor_head = officer(Role.DEPARTMENT_HEAD, successor, username="tp.snv")
    year, today = timezone.localdate().year, timezone.localdate()
    plan = plans.create_plan(dx.dept_head, agency=dept, year=year)
    sec = plans.add_section(dx.dept_head, plan, title="Chính quyền số")
    led = plans.add_task(dx.dept_head, plan, section=sec, content="Nền tảng số ngành", lead_agencies=[dept])
    owned = plans.add_task(dx.dept_head, plan, section=sec, content="Tập huấn công chức", lead_text="Các phòng")
    theirs = plans.add_task(dx.dept_head, plan, section=sec, content="Số hóa hộ tịch", lead_agencies=[dx.dp])
    done = plans.add_task(dx.dept_head, plan, section=sec, content="Cổng dữ liệu", lead_agencies=[dept],
                          status=Task.DONE, progress=100)
    province_plan = plans.create_plan(dx.admin, agency=dx.province, year=year)
    for_province = plans.add_task(dx.admin, province_plan, content="Trung tâm giám sát an toàn thông tin",
                                  section=plans.add_section(dx.admin, province_plan, title="An toàn thông tin"),
                                  lead_agencies=[dept])
    for task in (led, owned, for_province):  # before: the successor's officers neither see nor report on them
        assert patch_progress(successor_head, task).status_code in (403, 404)

    sign_in(client, django_user_model.objects.create_superuser("quantri", "qt@example.vn", "matkhau-123"))
    url = f"/admin/units/agency/{dept.pk}/change/"
    answer = client.post(url, admin_form(client, url, successor=str(successor.pk), is_active=""), follow=True)
    assert answer.status_code == 200 and not errors_of(answer)
    assert (f"3 nhiệm vụ chuyển đổi số chưa hoàn thành của {dept.name} chuyển giao cho {successor.name} từ ngày "
            f"{today:%d/%m/%Y}.") in [str(m) for m in get_messages(answer.wsgi_request)]

    for task in (led, owned, for_province):
        task = Task.objects.get(pk=task.pk)
        assert (task.handed_over_to, task.handed_over_on) == (successor, today)
        assert [(h.from_agency, h.to_agency) for h in task.handovers.all()] == [(dept, successor)]
        assert patch_progress(successor_head, task).status_code == 200  # the successor reports on it now
        assert Task.objects.get(pk=task.pk).progress == 40
    # the old department's head went with it (accounts.reorganization: roles follow a successor) and reports there
    assert set(RoleAssignment.objects.filter(user=dx.dept_head).values_list("agency", flat=True)) == {successor.pk}
    assert patch_progress(dx.dept_head, Task.objects.get(pk=led.pk)).status_code == 200
    # a role left at the old department (given after the succession) is told who does
    r = patch_progress(officer(Role.DEPARTMENT_HEAD, dept, username="tp.cu"), Task.objects.get(pk=led.pk))
    assert r.status_code == 403
    assert r.json()["message"] == (f"{dept.name} đã ngừng hoạt động: dữ liệu chuyển đổi số của đơn vị là lịch sử, chỉ "
                                   f"quản trị tỉnh được thay đổi. Nhiệm vụ này nay do {successor.name} thực hiện và "
                                   "cập nhật kết quả.")
    # a done task, and one another unit leads, stay where they were
    for task in (done, theirs):
        task = Task.objects.get(pk=task.pk)
        assert (task.handed_over_to, task.handovers.count()) == (None, 0)
    assert list(Task.objects.get(pk=led.pk).lead_agencies.all()) == [dept]  # the plan stays as written
    assert AuditEntry.objects.filter(action="dx.task_lead_merged").count() == 3
    # its plan's figures keep its tasks: no last day is recorded for a department (docs/transformation.md)
    assert {t.pk for t in counted_tasks(plan)} == {led.pk, owned.pk, theirs.pk, done.pk}

    # saving the department again moves nothing twice
    answer = client.post(url, admin_form(client, url, phone="0255 3822 111"), follow=True)
    assert answer.status_code == 200 and not errors_of(answer)
    assert AuditEntry.objects.filter(action="dx.task_lead_merged").count() == 3


def _successor_of(dx) -> Agency:
    return Agency.objects.create(code="H51.12", name="Sở Nội vụ tỉnh Quảng Ngãi", admin_unit=dx.dept.admin_unit,
                                 kind=Agency.PROVINCIAL_DEPARTMENT, parent=dx.province)


def _merge_in_admin(client, django_user_model, dept, successor) -> list[str]:
    """A superuser unticks «đang hoạt động» of `dept` and chooses `successor`: what the admin tells them."""
    sign_in(client, django_user_model.objects.create_superuser("quantri", "qt@example.vn", "matkhau-123"))
    url = f"/admin/units/agency/{dept.pk}/change/"
    answer = client.post(url, admin_form(client, url, successor=str(successor.pk), is_active=""), follow=True)
    assert answer.status_code == 200 and not errors_of(answer)
    return [str(m) for m in get_messages(answer.wsgi_request)]


def test_the_plan_page_says_a_task_went_to_the_successor_recorded_in_the_admin(dx, client, django_user_model,
                                                                               signed_in):
    """Not «(sắp xếp đơn vị hành chính)»: no administrative unit was reorganized, the department stopped working and
    its successor took its tasks over; the API gives the same reason with each handover."""
    dept, successor, today = dx.dept, _successor_of(dx), timezone.localdate()
    plan = plans.create_plan(dx.dept_head, agency=dept, year=today.year)
    led = plans.add_task(dx.dept_head, plan, section=plans.add_section(dx.dept_head, plan, title="Chính quyền số"),
                         content="Nền tảng số ngành", lead_agencies=[dept])
    _merge_in_admin(client, django_user_model, dept, successor)

    html = signed_in(dx.admin).get(f"/can-bo/chuyen-doi-so/ke-hoach/{plan.pk}/").content.decode()
    why = f"{dept.name} ngừng hoạt động, {successor.name} là cơ quan kế thừa"
    assert f"Chuyển giao cho {successor.name} từ {today:%d/%m/%Y} ({why})" in html
    assert "(sắp xếp đơn vị hành chính)" not in html
    api = signed_in(dx.admin).get(f"/api/v1/transformation/plans/{plan.pk}").json()
    out = {t["id"]: t for s in api["sections"] for t in s["tasks"]}[led.pk]
    assert out["handovers"] == [{"from": dept.code, "to": successor.code, "on": today.isoformat(), "reason": why}]


def test_a_department_merged_in_the_admin_hands_its_open_rounds_and_its_teams_to_its_successor(
        dx, client, django_user_model):
    """As a merger's plan does (transformation/reorganization.py ``OpenRounds``, ``CommunityTeams``): the department
    is no longer expected in an open round (not missing, not reminded), its successor is asked and its leader told; a
    community team the department still keeps (the back office lets any unit keep teams) belongs to the successor
    from that day, one dissolved before stays where it was."""
    dept, successor, today = dx.dept, _successor_of(dx), timezone.localdate()
    leader = officer(Role.LEADER, successor, username="gd.snv")
    rnd = rounds.open_round(dx.admin, title="Báo cáo chuyển đổi số quý IV", year=today.year,
                            deadline=today + dt.timedelta(days=20), agencies=[dept, dx.dp])
    closed = rounds.open_round(dx.admin, title="Báo cáo chuyển đổi số quý III", year=today.year,
                               deadline=today + dt.timedelta(days=1), agencies=[dept, dx.dp])
    rounds.close_round(dx.admin, closed)
    active = community.add_team(dx.admin, dept, members=6, village="Tổ công nghệ số của Sở",
                                founded_on=dt.date(today.year, 1, 5))
    gone = community.add_team(dx.admin, dept, members=3, village="Tổ đã giải thể", founded_on=dt.date(today.year, 1, 6))
    CommunityTeam.objects.filter(pk=gone.pk).update(dissolved_on=dt.date(today.year, 1, 20))

    told = _merge_in_admin(client, django_user_model, dept, successor)

    assert (f"Kỳ báo cáo chuyển đổi số đang mở «{rnd.title}»: {successor.name} báo cáo thay {dept.name}."
            in told)
    assert f"1 tổ công nghệ số cộng đồng của {dept.name} chuyển về {successor.name} từ ngày {today:%d/%m/%Y}." in told
    answers = {r.agency_id: r for r in rnd.responses.all()}
    assert (answers[dept.pk].status, answers[dept.pk].merged_into) == (RoundResponse.MERGED, successor)
    assert sorted(r.agency.code for r in rounds.pending(rnd)) == sorted([successor.code, dx.dp.code])
    notice = OutboxEvent.objects.get(topic="notice.dx_round_opened", payload__user_id=leader.pk)
    assert notice.payload["text"].startswith(f"{dept.name} ngừng hoạt động, {successor.name} là cơ quan kế thừa: "
                                             f"{successor.name} báo cáo kỳ")
    assert {r.agency_id: r.status for r in closed.responses.all()} == {dept.pk: "pending", dx.dp.pk: "pending"}

    assert [t.pk for t in community.teams_of(successor)] == [active.pk]
    assert community.teams_of(successor)[0].history == f"trước đây thuộc {dept.name}, chuyển về từ {today:%d/%m/%Y}"
    assert [t.pk for t in community.teams_of(dept)] == [gone.pk]
    assert community.total([successor.pk], today, today).teams == 1

    # saving the department again moves nothing twice, asks nobody again
    url = f"/admin/units/agency/{dept.pk}/change/"
    answer = client.post(url, admin_form(client, url, phone="0255 3822 111"), follow=True)
    assert answer.status_code == 200 and not errors_of(answer)
    assert OutboxEvent.objects.filter(topic="notice.dx_round_opened", payload__user_id=leader.pk).count() == 1
    assert TeamMove.objects.filter(team=active).count() == 1
