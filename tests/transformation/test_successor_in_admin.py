"""A department an administrator merges into another in the Django admin («đang hoạt động» unticked, «cơ quan kế
thừa» chosen: no reorganization plan) hands its unfinished DX tasks over to that successor, as a merger's plan does
(transformation/reorganization.py ``SuccessorTakesTasks``, units.succession): the successor's officers report on them,
the old department's are told who does now; the plans stay as written, and what other units lead stays theirs."""

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from motcua.accounts.models import Role
from motcua.audit.models import AuditEntry
from motcua.transformation.models import Task
from motcua.transformation.services import plans
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
    # the old department's officer is told who does
    r = patch_progress(dx.dept_head, Task.objects.get(pk=led.pk))
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
