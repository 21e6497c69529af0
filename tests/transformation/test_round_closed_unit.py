"""A reporting round opened today asks only the units that exist today (units.receiving): a ward whose last day
(«hiệu lực đến») has passed is not asked to report, on the back office's form, by default, nor when the API names it
(refused with why, in Vietnamese); a round opened before keeps the units it asked."""

import datetime as dt

import pytest
from django.utils import timezone

from motcua.transformation.models import ReportingRound
from motcua.transformation.services import rounds

pytestmark = pytest.mark.django_db
BASE = "/can-bo/chuyen-doi-so"


def _dissolve(agency, days_ago=1):
    unit = agency.admin_unit
    unit.valid_to = timezone.localdate() - dt.timedelta(days=days_ago)
    unit.save(update_fields=["valid_to"])


def _asked(rnd) -> list[str]:
    return list(rnd.responses.order_by("agency__code").values_list("agency__name", flat=True))


def test_a_round_opened_on_the_back_office_does_not_ask_a_ward_dissolved_since_yesterday(signed_in, dx):
    deadline = timezone.localdate() + dt.timedelta(days=5)
    before = rounds.open_round(dx.admin, title="Kỳ trước", year=2024, deadline=deadline)
    _dissolve(dx.ct)
    admin = signed_in(dx.admin)
    r = admin.post(f"{BASE}/ky-bao-cao/", {"year": 2025, "deadline": deadline.isoformat(), "reminder_days": "7,3,1",
                                           "kinds": ["commune_committee"]}, follow=True)
    rnd = ReportingRound.objects.get(year=2025)
    assert _asked(rnd) == ["UBND phường Đức Phổ"]
    assert "cho 1 đơn vị" in r.content.decode()
    assert "UBND phường Cẩm Thành" not in admin.get(f"{BASE}/ky-bao-cao/{rnd.pk}/").content.decode()
    assert set(_asked(before)) == {"UBND phường Cẩm Thành", "UBND phường Đức Phổ",
                                   "Sở Khoa học và Công nghệ tỉnh Quảng Ngãi"}  # asked before: unchanged


def test_a_round_by_default_and_through_the_api_asks_no_dissolved_ward(signed_in, dx):
    deadline = timezone.localdate() + dt.timedelta(days=5)
    _dissolve(dx.ct)
    rnd = rounds.open_round(dx.admin, title="", year=2025, deadline=deadline)
    assert set(_asked(rnd)) == {"UBND phường Đức Phổ", "Sở Khoa học và Công nghệ tỉnh Quảng Ngãi"}
    r = signed_in(dx.admin).post("/api/v1/transformation/rounds",
                                 {"title": "", "year": 2025, "deadline": deadline.isoformat(), "units": ["21025"]},
                                 content_type="application/json")
    assert r.status_code == 409, r.content
    body = r.json()
    assert body["code"] == "round_unit_closed"
    assert body["message"].startswith("Không thể giao báo cáo cho UBND phường Cẩm Thành: Phường Cẩm Thành đã giải thể")
    assert ReportingRound.objects.count() == 1


def test_a_merged_wards_unit_code_is_refused_with_why_and_still_names_its_plans(signed_in, dx):
    """A ward merged by the province's plan («Sắp xếp đơn vị»: its committee stopped, its last day yesterday) is
    named by its unit code as by its agency code: a round asked of it is refused with why, not «không tìm thấy», and
    its plans stay listed under its code."""
    from motcua.transformation.services import plans

    from .conftest import merge

    plans.create_plan(dx.admin, agency=dx.ct, year=2025)
    today = timezone.localdate()
    merge(dx.admin, [dx.ct.admin_unit], "99001", "Phường Hợp Nhất", today)
    api = signed_in(dx.admin)
    r = api.post("/api/v1/transformation/rounds", {"title": "", "year": 2025, "deadline": str(today + dt.timedelta(5)),
                                                   "units": ["21025"]}, content_type="application/json")
    assert r.status_code == 409, r.content
    assert r.json()["code"] == "round_unit_closed"
    assert r.json()["message"] == ("Không thể giao báo cáo cho UBND phường Cẩm Thành: Phường Cẩm Thành đã sáp nhập "
                                   f"vào Phường Hợp Nhất từ ngày {today:%d/%m/%Y}.")
    listed = api.get("/api/v1/transformation/plans", {"unit": "21025"})
    assert listed.status_code == 200, listed.content
    assert [(p["unit"], p["year"]) for p in listed.json()] == [("H51.50.01", 2025)]


def test_the_api_document_tells_a_closed_unit_409_when_a_round_opens_as_when_it_answers(db):
    """The contract (docs/operations.md): 409 a state that no longer allows it — naming a closed unit in a round opened
    today, the answer of a unit closed since the round opened: one code, one status —, 422 a value the call cannot
    take — a plan of a year its unit did not exist. Clients read which code comes under which status in the OpenAPI
    document."""
    from django.test import Client

    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    told = {(path, status): paths[path]["post"]["responses"][status]["description"] for path, status in (
        ("/api/v1/transformation/rounds", "409"), ("/api/v1/transformation/rounds", "422"),
        ("/api/v1/transformation/rounds/{round_id}/answer", "409"),
        ("/api/v1/transformation/plans", "422"), ("/api/v1/transformation/plans/import", "422"))}
    assert "`round_unit_closed`" in told["/api/v1/transformation/rounds", "409"]
    assert "round_unit_closed" not in told["/api/v1/transformation/rounds", "422"]
    answer = told["/api/v1/transformation/rounds/{round_id}/answer", "409"]
    assert "`round_unit_closed`" in answer and "`round_unit_merged`" in answer
    for path in ("/api/v1/transformation/plans", "/api/v1/transformation/plans/import"):
        assert "`plan_unit_closed`" in told[path, "422"] and "`plan_unit_not_established`" in told[path, "422"]
