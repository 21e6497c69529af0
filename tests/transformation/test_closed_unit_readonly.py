"""A closed unit's DX data is history (transformation/permissions.py): an officer whose role stayed on a unit dissolved
by its date (a dissolution dated in the admin moves no role, and leaves the agency ticked «đang hoạt động») reads its
plans and changes none of them — through the API (403, FORBIDDEN_CLOSED_UNIT; a task's result: DISSOLVED, which says
since when) nor the back office (no edit controls, a POST refused); the provincial admin still does, and the successor of a merger still reports on the tasks handed over
to it."""

import datetime as dt

import pytest
from django.test import Client

from motcua.accounts.permissions import forget_roles
from motcua.api.auth import issue_token
from motcua.transformation import permissions
from motcua.transformation.models import Plan, Task
from motcua.transformation.services import plans
from motcua.units.reorganization import apply

pytestmark = pytest.mark.django_db
API = "/api/v1/transformation"
BASE = "/can-bo/chuyen-doi-so"
DISSOLVED = ("Phường Cẩm Thành đã giải thể từ ngày 01/07/2025: dữ liệu chuyển đổi số của đơn vị là lịch sử, chỉ quản trị "
             "tỉnh được thay đổi.")


def _api(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {issue_token(user, 'thử')[1]}"})


@pytest.fixture
def dissolved(dx):
    """Cẩm Thành's plan of 2025 with a task, written while it worked; then dissolved from 01/07/2025 (its last day
    30/06/2025) in the admin: its agency stays ticked, its admin keeps the role."""
    plan = plans.create_plan(dx.ct_admin, agency=dx.ct, year=2025)
    task = plans.add_task(dx.ct_admin, plan, section=plans.add_section(dx.ct_admin, plan, title="Chính quyền số"),
                          content="Số hóa hồ sơ một cửa")
    unit = dx.ct.admin_unit
    unit.valid_to = dt.date(2025, 6, 30)
    unit.save(update_fields=["valid_to"])
    forget_roles(dx.ct_admin)
    dx.plan, dx.task = plan, task
    return dx


def test_an_officer_left_on_a_dissolved_unit_edits_none_of_its_plan_through_the_api(dissolved):
    d = dissolved
    api = _api(d.ct_admin)
    assert api.get(f"{API}/plans/{d.plan.pk}").status_code == 200  # still reads it
    closed = permissions.FORBIDDEN_CLOSED_UNIT
    for method, url, body, message in (
            ("patch", f"{API}/tasks/{d.task.pk}", {"content": "Đổi nội dung"}, closed),
            ("patch", f"{API}/tasks/{d.task.pk}", {"progress": 50, "status": "in_progress"}, DISSOLVED),  # a result
            ("patch", f"{API}/plans/{d.plan.pk}", {"title": "Đổi tên"}, closed),
            ("post", f"{API}/tasks/{d.task.pk}/budget-lines", {"planned": "100", "year": 2025}, closed),
            ("post", f"{API}/plans/{d.plan.pk}/approve", None, closed),
            ("delete", f"{API}/tasks/{d.task.pk}", None, closed)):
        r = getattr(api, method)(url, body, content_type="application/json")
        assert r.status_code == 403, (url, r.content)
        assert r.json() == {"code": "forbidden", "message": message}, url
    task = Task.objects.get(pk=d.task.pk)
    assert (task.content, task.progress, task.budget_lines.count()) == ("Số hóa hồ sơ một cửa", 0, 0)
    assert (Plan.objects.get(pk=d.plan.pk).title, Plan.objects.get(pk=d.plan.pk).is_approved) == (d.plan.title, False)


def test_the_back_office_shows_a_dissolved_units_officer_no_edit_controls_and_refuses_a_post(dissolved, signed_in):
    d = dissolved
    c = signed_in(d.ct_admin)
    page = c.get(f"{BASE}/ke-hoach/{d.plan.pk}/").content.decode()
    assert "Số hóa hồ sơ một cửa" in page
    assert f"/nhiem-vu/{d.task.pk}/sua/" not in page and f"/nhiem-vu/{d.task.pk}/xoa/" not in page
    assert "Thêm nhiệm vụ" not in page
    assert f"/nhiem-vu/{d.task.pk}/sua/" not in c.get(f"{BASE}/nhiem-vu-cua-toi/").content.decode()  # no work to do
    r = c.post(f"{BASE}/nhiem-vu/{d.task.pk}/sua/", {"status": "in_progress", "progress": "50", "result": "Xong"},
               HTTP_HX_REQUEST="true")
    assert r.status_code == 403
    assert DISSOLVED in r.content.decode()
    r = c.post(f"{BASE}/nhiem-vu/{d.task.pk}/xoa/")
    assert r.status_code in (302, 403) and Task.objects.filter(pk=d.task.pk).exists()
    assert Task.objects.get(pk=d.task.pk).progress == 0


def test_the_provincial_admin_still_edits_a_dissolved_units_plan(dissolved, signed_in):
    d = dissolved
    r = _api(d.admin).patch(f"{API}/tasks/{d.task.pk}", {"progress": 50, "status": "in_progress",
                                                          "content": "Số hóa hồ sơ (bổ sung)"},
                            content_type="application/json")
    assert r.status_code == 200, r.content
    task = Task.objects.get(pk=d.task.pk)
    assert (task.content, task.progress) == ("Số hóa hồ sơ (bổ sung)", 50)
    page = signed_in(d.admin).get(f"{BASE}/ke-hoach/{d.plan.pk}/").content.decode()
    assert f"/nhiem-vu/{d.task.pk}/sua/" in page and "Thêm nhiệm vụ" in page


def test_the_successor_still_reports_on_a_task_handed_over_and_changes_not_the_old_plan(merger):
    m = merger
    apply(m["plan"], m["admin"])
    leader = m["leaders"][m["a"].code]  # A's leader leads the new commune now
    forget_roles(leader)
    api = _api(leader)
    owned = m["tasks"]["owned"]
    r = api.patch(f"{API}/tasks/{owned.pk}", {"progress": 60, "status": "in_progress"}, content_type="application/json")
    assert r.status_code == 200, r.content
    assert Task.objects.get(pk=owned.pk).progress == 60
    r = api.patch(f"{API}/tasks/{owned.pk}", {"content": "Đổi nội dung"}, content_type="application/json")
    assert r.status_code == 403, r.content  # A's plan stays A's history
