"""Numbers typed into a plan (a sheet's money and time cells, an amount or a value sent to the API, a place in the
catalogue) are written with 0–9 only (motcua.core.digits): "９２,460", "٢٠٢٤" or "1_0" is refused with the message
any other bad value gets, instead of being stored as the number Python reads in it."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from motcua.api.auth import issue_token
from motcua.core.errors import DomainError, ValidationFailed
from motcua.transformation.models import Activity, BudgetLine, CommunityTeam, Plan, TaskGroup
from motcua.transformation.services import plans
from motcua.transformation.xlsx.importer import import_plan

from .test_import import _bad

pytestmark = pytest.mark.django_db
API = "/api/v1/transformation"
OTHER_DIGITS = ["９２,460", "٩٢,460", "９.962,46"]


@pytest.mark.parametrize("row, message", [
    *((["1", "Mua máy quét", amount, "NST", "2024"], "không phải số triệu đồng") for amount in OTHER_DIGITS),
    *((["1", "Mua máy quét", "500", "NST", time], "không hiểu được")
      for time in ("２０２４", "Năm ٢٠٢٤", "Quý ٤/2024", "31/12/٢٠٢٤", "Tháng １２/2024")),
])
def test_a_sheet_with_numbers_in_other_digits_is_refused_row_by_row(dx, row, message):
    with pytest.raises(DomainError) as exc:
        import_plan(dx.dp_admin, _bad([row]), agency=dx.dp, year=2024)
    assert exc.value.status == 422 and exc.value.code == "plan_import_invalid"
    assert message in exc.value.details["errors"][0]["message"], exc.value.details
    assert not Plan.objects.exists()


@pytest.fixture
def dp(dx):
    return Client(headers={"Authorization": f"Bearer {issue_token(dx.dp_admin, 'thử')[1]}"})


@pytest.mark.parametrize("planned", OTHER_DIGITS)
def test_an_amount_in_other_digits_is_not_an_amount(dp, planned):
    plan = dp.post(f"{API}/plans", {"unit": "21439", "year": 2024}, content_type="application/json").json()
    section = dp.post(f"{API}/plans/{plan['id']}/sections", {"title": "Nhóm phát triển chính quyền số"},
                      content_type="application/json").json()
    task = dp.post(f"{API}/plans/{plan['id']}/tasks", {"section_id": section["id"], "content": "Số hóa hồ sơ"},
                   content_type="application/json").json()
    r = dp.post(f"{API}/tasks/{task['id']}/budget-lines", {"planned": planned}, content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "amount_invalid"
    assert "không phải số triệu đồng" in r.json()["message"] and not BudgetLine.objects.exists()


@pytest.mark.parametrize("value", ["７２,5", "٧٢,5"])
def test_a_target_value_in_other_digits_is_not_a_value(dp, value):
    plan = dp.post(f"{API}/plans", {"unit": "21439", "year": 2024}, content_type="application/json").json()
    target = dp.post(f"{API}/plans/{plan['id']}/targets", {"measure": "households_internet", "value": "70",
                                                           "comparator": "gt"}, content_type="application/json")
    r = dp.post(f"{API}/targets/{target.json()['target_id']}/values", {"value": value})
    assert r.status_code == 422 and r.json()["code"] == "value_invalid" and "không phải số" in r.json()["message"]


@pytest.mark.parametrize("order", ["１", "٣", "1_0", "+1"])
def test_a_place_in_the_catalogue_in_other_digits_is_refused(signed_in, dx, order):
    c = signed_in(dx.admin)
    r = c.post("/can-bo/chuyen-doi-so/danh-muc/", {"loai": "nhom", "code": "thu", "name": "Nhóm thử", "order": order})
    assert r.status_code == 422 and "Thứ tự phải là số nguyên từ 0 đến 32.767." in r.content.decode()
    assert not TaskGroup.objects.filter(code="thu").exists()


@pytest.mark.parametrize("field, value, code", [
    ("progress", "５０", "progress_invalid"), ("progress", "5_0", "progress_invalid"),
    ("year", "２０２４", "year_invalid"), ("year", "٢٠٢٤", "year_invalid")])
def test_a_task_given_other_digits_is_refused(dx, field, value, code):
    plan = plans.create_plan(dx.dp_admin, agency=dx.dp, year=2024)
    section = plans.add_section(dx.dp_admin, plan, title="Nhóm phát triển chính quyền số")
    task = plans.add_task(dx.dp_admin, plan, section=section, content="Số hóa hồ sơ")
    with pytest.raises(ValidationFailed) as exc:
        plans.update_task(dx.dp_admin, task, **{field: value})
    assert exc.value.code == code and exc.value.status == 422


# The back office's forms: Django's IntegerField reads "２０２４" and "1_5" (motcua.web.forms.WholeNumberField does not)
BASE = "/can-bo/chuyen-doi-so"


@pytest.mark.parametrize("members", ["１５", "١٥", "1_5"])
def test_a_team_of_members_in_other_digits_is_refused(signed_in, dx, members):
    c = signed_in(dx.dp_admin)
    r = c.post(f"{BASE}/to-cong-nghe-so/", {"loai": "to", "don-vi": dx.dp.code, "to-members": members})
    assert r.status_code == 422 and "Số thành viên là số nguyên." in r.content.decode()
    assert not CommunityTeam.objects.exists()


@pytest.mark.parametrize("year", ["２０２４", "٢٠٢٤", "2_024"])
def test_a_plan_or_a_budget_line_of_a_year_in_other_digits_is_refused(signed_in, dx, year):
    c = signed_in(dx.dp_admin)
    r = c.post(f"{BASE}/ke-hoach/moi/", {"agency": dx.dp.pk, "year": year, "kind": "plan"})
    assert r.status_code == 422 and "Vui lòng nhập một số nguyên." in r.content.decode() and not Plan.objects.exists()
    plan = plans.create_plan(dx.dp_admin, agency=dx.dp, year=2024)
    task = plans.add_task(dx.dp_admin, plan, section=plans.add_section(dx.dp_admin, plan, title="Nhóm"),
                          content="Số hóa hồ sơ")
    r = c.post(f"{BASE}/nhiem-vu/{task.pk}/kinh-phi/", {"planned": "100", "year": year}, HTTP_HX_REQUEST="true")
    assert r.status_code == 422 and "Vui lòng nhập một số nguyên." in r.content.decode()
    assert not BudgetLine.objects.exists()


ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize("table", [str.maketrans("0123456789", "０１２３４５６７８９"), ARABIC_INDIC],
                         ids=["full-width", "arabic-indic"])
def test_a_training_or_a_team_dated_in_other_digits_is_refused(signed_in, dx, table):
    # strptime() reads the year of "٢٠٢٦-05-02" as 2026 (motcua.web.forms.DateField does not)
    c = signed_in(dx.dp_admin)
    day = timezone.localdate() - dt.timedelta(days=30)
    day = f"{str(day.year).translate(table)}-{day:%m-%d}"
    r = c.post(f"{BASE}/to-cong-nghe-so/", {"loai": "hd", "don-vi": dx.dp.code, "hd-kind": "training", "hd-date": day,
                                             "hd-title": "Tập huấn", "hd-participants": "40"})
    assert r.status_code == 422 and "Ngày không hợp lệ." in r.content.decode()
    r = c.post(f"{BASE}/to-cong-nghe-so/", {"loai": "to", "don-vi": dx.dp.code, "to-members": "15",
                                             "to-founded_on": day})
    assert r.status_code == 422 and "Nhập một ngày hợp lệ" in r.content.decode()
    assert not Activity.objects.exists() and not CommunityTeam.objects.exists()


@pytest.mark.parametrize("year", ["2_024", " 2024 ", "+2024", True])
def test_a_plan_year_that_only_pydantic_reads_as_one_is_refused(dp, year):
    # pydantic reads "2_024" as 2024 and true as 1 (api.values.WholeNumber does not)
    r = dp.post(f"{API}/plans", {"unit": "21439", "year": year}, content_type="application/json")
    assert r.status_code == 422 and r.json()["details"]["fields"] == {"year": "Phải là một số nguyên."}
    assert not Plan.objects.exists()
    if isinstance(year, str):  # a query value is a string: 0–9 only there too
        r = dp.get(f"{API}/plans", {"year": year})
        assert r.status_code == 422 and r.json()["details"]["fields"] == {"year": "Phải là một số nguyên."}
    assert dp.post(f"{API}/plans", {"unit": "21439", "year": 2024}, content_type="application/json").status_code == 201
    assert [p["year"] for p in dp.get(f"{API}/plans", {"year": "2024"}).json()] == [2024]
