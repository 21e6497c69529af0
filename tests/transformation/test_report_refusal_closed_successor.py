"""An officer whose only hold on a DX task is the unit a merger handed it over to, which has closed since, is refused
a result with the truth: that unit closed, since when, and who carries the task now — not «đơn vị mình», which
says the task is another unit's business (transformation/permissions.py, ``require_report``)."""

import datetime as dt

import pytest
from django.utils import timezone

from motcua.accounts.models import Role
from motcua.accounts.permissions import forget_roles
from motcua.transformation import permissions
from motcua.transformation.models import Plan, Task
from motcua.transformation.services import plans
from motcua.units.models import AdministrativeUnit, Agency
from tests.factories import officer

from .conftest import communes, merge, patch_progress

pytestmark = pytest.mark.django_db


@pytest.fixture
def carried_by_closed():
    """The province's plan holds a task commune C leads; C merges (a reorganization) into «Xã Hợp Nhất» (Y), which
    carries it from then on; C's leader, whose role moved, leads Y. Also a third commune (W), still working."""
    (uc, ud, _), (c, _, w) = communes(3)
    admin = officer(Role.PROVINCIAL_ADMIN, None, username="quantri.tinh")
    leader = officer(Role.LEADER, c, username="lanhdao.c")
    today = timezone.localdate()
    plan = plans.create_plan(admin, agency=Agency.objects.get(code="H51"), year=today.year)
    task = plans.add_task(admin, plan, section=plans.add_section(admin, plan, title="Xã hội số"),
                          content="Tổ công nghệ số cộng đồng", lead_agencies=[c])
    y = merge(admin, [uc, ud], "99001", "Xã Hợp Nhất", today - dt.timedelta(days=40))
    forget_roles(leader)
    assert permissions.can_report_on_task(leader, Task.objects.get(pk=task.pk))  # Y carries it: its leader reports
    return dict(admin=admin, leader=leader, task=task, y=y, w=w, today=today, plan=plan)


def test_the_successor_dissolved_since_is_named_with_its_date(carried_by_closed):
    d = carried_by_closed
    last = d["today"] - dt.timedelta(days=10)
    AdministrativeUnit.objects.filter(pk=d["y"].admin_unit_id).update(valid_to=last)  # dissolved in the admin
    r = patch_progress(d["leader"], d["task"])
    assert r.status_code == 403, r.content
    assert r.json() == {"code": "forbidden", "message": (
        f"Xã Hợp Nhất đã giải thể từ ngày {last + dt.timedelta(days=1):%d/%m/%Y}: dữ liệu chuyển đổi số của đơn vị là "
        "lịch sử, chỉ quản trị tỉnh được thay đổi.")}
    assert Task.objects.get(pk=d["task"].pk).progress == 0


def test_the_successor_turned_off_in_the_admin_names_who_carries_the_task_now(carried_by_closed):
    d = carried_by_closed
    y, w = d["y"], d["w"]
    Agency.objects.filter(pk=y.pk).update(is_active=False, successor=w)  # its committee merged into W's in the admin
    r = patch_progress(d["leader"], d["task"])
    assert r.status_code == 403, r.content
    message = r.json()["message"]
    assert message == (f"{y.name} đã ngừng hoạt động: dữ liệu chuyển đổi số của đơn vị là lịch sử, chỉ quản trị tỉnh "
                       f"được thay đổi. Nhiệm vụ này nay do {w.name} thực hiện và cập nhật kết quả.")
    assert permissions.FORBIDDEN_OTHER_UNIT not in message
    assert Task.objects.get(pk=d["task"].pk).progress == 0


def test_an_officer_of_an_unrelated_unit_still_gets_the_other_unit_refusal(carried_by_closed):
    d = carried_by_closed
    stranger = officer(Role.LEADER, d["w"], username="lanhdao.w")
    r = patch_progress(stranger, d["task"])
    assert r.status_code == 403
    assert r.json()["message"] == permissions.FORBIDDEN_OTHER_UNIT
    assert Plan.objects.get(pk=d["plan"].pk).tasks.get().progress == 0
