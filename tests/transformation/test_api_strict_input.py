"""The digital-transformation API reads what was sent as it shows: an id in the address is 0–9 (pydantic's lax int
read "1_2" as plan 12), and money is a number or Vietnamese text, never JSON true (which pydantic read as 1)."""

import pytest

from motcua.transformation.models import BudgetLine, Plan, Target, Task
from tests.api.conftest import assert_not_found, written_otherwise

from .test_api import API, api  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(api, dx):  # noqa: F811
    c = api("dp_admin")
    plan = c.post(f"{API}/plans", {"unit": "21439", "year": 2024, "title": "Kế hoạch chuyển đổi số 2024"},
                  content_type="application/json").json()
    section = c.post(f"{API}/plans/{plan['id']}/sections", {"title": "Chính quyền số"},
                     content_type="application/json").json()
    r = c.post(f"{API}/plans/{plan['id']}/tasks", {"section_id": section["id"], "content": "Số hóa hồ sơ"},
               content_type="application/json")
    assert r.status_code == 201, r.content
    return Task.objects.get(pk=r.json()["id"])


def test_a_plan_id_written_otherwise_opens_no_plan(api, task):  # noqa: F811
    c, plan = api("dp_admin"), task.plan
    assert c.get(f"{API}/plans/{plan.pk}").json()["title"] == "Kế hoạch chuyển đổi số 2024"
    for raw in written_otherwise(plan.pk):
        assert_not_found(c.get(f"{API}/plans/{raw}"))
        assert_not_found(c.get(f"{API}/plans/{raw}/export.xlsx"))
        assert_not_found(c.patch(f"{API}/plans/{raw}", {"title": "Sửa qua địa chỉ lạ"},
                                 content_type="application/json"))
        assert_not_found(c.post(f"{API}/plans/{raw}/approve"))
    assert Plan.objects.get(pk=plan.pk).title == "Kế hoạch chuyển đổi số 2024"
    assert Plan.objects.get(pk=plan.pk).status == plan.status


def test_a_task_id_written_otherwise_deletes_nothing(api, task):  # noqa: F811
    c = api("dp_admin")
    for raw in written_otherwise(task.pk):
        assert_not_found(c.delete(f"{API}/tasks/{raw}"))
        assert_not_found(c.post(f"{API}/tasks/{raw}/budget-lines", {"planned": "10"}, content_type="application/json"))
    assert Task.objects.filter(pk=task.pk).exists() and not BudgetLine.objects.exists()


def test_a_year_in_the_address_written_otherwise_is_not_found(api, dx):  # noqa: F811
    c = api("dp_admin")
    assert c.get(f"{API}/annual-reports/21439/2024/sections").status_code == 200
    for raw in ("2_024", "%202024", "%2B2024", "２０２４", "2024.0"):
        assert_not_found(c.get(f"{API}/annual-reports/21439/{raw}/sections"))


@pytest.mark.parametrize("flag", [True, False])
def test_money_sent_as_true_or_false_is_refused(api, task, flag):  # noqa: F811
    c = api("dp_admin")
    r = c.post(f"{API}/tasks/{task.pk}/budget-lines", {"planned": flag}, content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "amount_invalid", r.content
    assert r.json()["message"].startswith("Kinh phí: Kinh phí phải là số triệu đồng")
    assert not BudgetLine.objects.exists()
    line = c.post(f"{API}/tasks/{task.pk}/budget-lines", {"planned": "92,460"}, content_type="application/json").json()
    for field in ("planned", "disbursed"):
        r = c.patch(f"{API}/budget-lines/{line['id']}", {field: flag}, content_type="application/json")
        assert r.status_code == 422 and r.json()["code"] == "amount_invalid", r.content
    stored = BudgetLine.objects.get(pk=line["id"])
    assert (stored.planned_vnd, stored.disbursed_vnd) == (92_460_000, None)


def test_a_target_value_sent_as_true_is_refused(api, task):  # noqa: F811
    c = api("dp_admin")
    r = c.post(f"{API}/plans/{task.plan_id}/targets", {"measure": "households_internet", "value": True},
               content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "value_invalid", r.content
    assert "không phải đúng/sai" in r.json()["message"] and not Target.objects.exists()
