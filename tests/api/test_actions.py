"""Every lifecycle endpoint reached over HTTP at least once, with the state it leaves behind."""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest

from motcua.api.auth import issue_token
from motcua.core import calendar
from motcua.core.calendar import TZ
from motcua.dossiers.models import Dossier
from tests.factories import officer

from .conftest import submit_body

pytestmark = pytest.mark.django_db


def post(world, who, path, body=None):
    return world.client(who).post(f"/api/v1/dossiers{path}", body or {}, content_type="application/json")


def submitted(world, who="citizen"):
    r = post(world, who, "", submit_body(world))
    assert r.status_code == 201, r.content
    return r.json()["code"]


def processing(world):
    code = submitted(world)
    assert post(world, "counter", f"/{code}/receive").status_code == 200
    assert post(world, "counter", f"/{code}/start-processing").status_code == 200
    return code


def test_supplement_request_and_provision(world):
    code = submitted(world)
    r = post(world, "counter", f"/{code}/request-supplement",
             {"items": ["Bản sao Giấy chứng sinh"], "reason": "Thiếu giấy chứng sinh"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "supplement_requested" and r.json()["supplement_count"] == 1
    assert "provide-supplement" in world.client("citizen").get(f"/api/v1/dossiers/{code}").json()["allowed_actions"]
    r = post(world, "citizen", f"/{code}/provide-supplement", {"form_data": {"giay_chung_sinh": "GCS-01"}})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "submitted"
    assert Dossier.objects.get(code=code).form_data["giay_chung_sinh"] == "GCS-01"


def test_refuse_and_withdraw(world):
    code = submitted(world)
    r = post(world, "counter", f"/{code}/refuse", {"reason": "Không thuộc thẩm quyền"})
    assert r.status_code == 200 and r.json()["status"] == "refused"
    other = submitted(world)
    r = post(world, "citizen", f"/{other}/withdraw", {"reason": "Nộp nhầm thủ tục"})
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert r.json()["allowed_actions"] == []


def test_pause_resume_extend_apology(world):
    code = processing(world)
    r = post(world, "specialist", f"/{code}/pause", {"reason": "Chờ xác minh thực địa"})
    assert r.status_code == 200 and r.json()["status"] == "paused"
    r = post(world, "specialist", f"/{code}/resume")
    assert r.status_code == 200 and r.json()["status"] == "processing"
    r = post(world, "leader", f"/{code}/extend", {"days": 2, "reason": "Cần lấy ý kiến phòng chuyên môn"})
    assert r.status_code == 200, r.content
    assert r.json()["extension_count"] == 1
    due = datetime.fromisoformat(r.json()["due_at"])
    r = post(world, "leader", f"/{code}/apology",
             {"reason": "Chậm do hệ thống gián đoạn", "new_due_at": (due + timedelta(days=7)).date().isoformat()})
    assert r.status_code == 200, r.content
    assert r.json()["apology_count"] == 1
    assert datetime.fromisoformat(r.json()["due_at"]) > due


@pytest.mark.parametrize(("days", "shown"), [(0.5, "0.5"), ("1.5", "1.5"), (2.0, "2")])
def test_an_extension_takes_half_days_as_the_page_does(world, days, shown):
    """0.5 working day is the shortest extension, on the page and in the API (lifecycle.MIN_EXTENSION_DAYS)."""
    code = processing(world)
    before = Dossier.objects.get(code=code).due_at
    r = post(world, "leader", f"/{code}/extend", {"days": days, "reason": "Cần lấy ý kiến phòng chuyên môn"})
    assert r.status_code == 200, r.content
    dossier = Dossier.objects.get(code=code)
    assert dossier.due_at == calendar.add_working_days(before, Decimal(shown))
    assert dossier.events.get(action="extend").data["days"] == shown
    r = post(world, "leader", f"/{code}/extend", {"days": 0.4, "reason": "Cần lấy ý kiến phòng chuyên môn"})
    assert r.status_code == 422 and r.json()["details"]["fields"] == {"days": "Phải lớn hơn hoặc bằng 0,5."}


@pytest.mark.parametrize("days", [1.25, "0.75", 2.1])
def test_an_extension_that_is_not_whole_or_half_days_is_refused_and_nothing_moves(world, days):
    code = processing(world)
    before = Dossier.objects.get(code=code).due_at
    r = post(world, "leader", f"/{code}/extend", {"days": days, "reason": "Cần lấy ý kiến phòng chuyên môn"})
    assert r.status_code == 422, r.content
    body = r.json()
    assert body["code"] == "days_invalid" and body["details"] == {"field": "days"}
    assert "nửa ngày" in body["message"]
    d = Dossier.objects.get(code=code)
    assert (d.due_at, d.extension_count) == (before, 0) and not d.events.filter(action="extend").exists()


def test_the_extension_days_in_the_openapi_schema_are_a_number_from_half_a_day(world):
    from motcua.api.main import api

    days = api.get_openapi_schema()["components"]["schemas"]["ExtendIn"]["properties"]["days"]
    assert days["type"] == "number" and days["minimum"] == 0.5 and days["maximum"] == 365


def test_an_apology_given_as_a_day_is_due_at_the_end_of_that_days_office_hours(world, settings):
    """An installation whose counters close at 16:30: the new appointment is 16:30 of the chosen day, not 17:00."""
    settings.MOTCUA_WORKING_SESSIONS = ((time(7, 30), time(11, 30)), (time(13, 0), time(16, 30)))
    code = processing(world)
    due = world.client("leader").get(f"/api/v1/dossiers/{code}").json()["due_at"]
    day = (datetime.fromisoformat(due) + timedelta(days=7)).date()
    r = post(world, "leader", f"/{code}/apology", {"reason": "Chờ xác minh", "new_due_at": day.isoformat()})
    assert r.status_code == 200, r.content
    due = datetime.fromisoformat(r.json()["due_at"]).astimezone(TZ)
    assert (due.date(), due.time()) == (day, time(16, 30))


def test_an_apology_given_as_a_number_of_seconds_is_that_moment(world):
    """A moment sent as seconds since 1970 that falls on 00:00 UTC is that moment (07:00 in Vietnam), not a day."""
    code = processing(world)
    due = datetime.fromisoformat(world.client("leader").get(f"/api/v1/dossiers/{code}").json()["due_at"])
    moment = datetime.combine((due + timedelta(days=7)).date(), time(0, 0), tzinfo=UTC)
    r = post(world, "leader", f"/{code}/apology", {"reason": "Chờ xác minh", "new_due_at": int(moment.timestamp())})
    assert r.status_code == 200, r.content
    assert datetime.fromisoformat(r.json()["due_at"]) == moment


def test_hand_over_and_return_from_agency(world):
    world.tokens["other_specialist"] = issue_token(officer("specialist", world.other_agency), "t")[1]
    code = processing(world)
    r = post(world, "specialist", f"/{code}/hand-over", {"to_agency": world.other_agency.code, "note": "Xin ý kiến"})
    assert r.status_code == 200, r.content
    assert r.json()["current_agency_code"] == world.other_agency.code
    # The receiving agency now sees it.
    assert world.client("other_specialist").get(f"/api/v1/dossiers/{code}").status_code == 200
    r = post(world, "other_specialist", f"/{code}/return-from-agency", {"note": "Đã cho ý kiến"})
    assert r.status_code == 200, r.content
    assert r.json()["current_agency_code"] == world.agency.code
    r = post(world, "specialist", f"/{code}/hand-over", {"to_agency": "KHONG.CO"})
    assert r.status_code == 422 and r.json()["code"] == "agency_not_found"


def test_reject_and_stop(world):
    code = processing(world)
    assert post(world, "specialist", f"/{code}/complete-step").status_code == 200
    r = post(world, "leader", f"/{code}/reject", {"reason": "Không đủ điều kiện theo quy định"})
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    other = processing(world)
    r = post(world, "leader", f"/{other}/stop", {"reason": "Người nộp qua đời"})
    assert r.status_code == 200 and r.json()["status"] == "stopped"
    r = post(world, "leader", f"/{other}/stop", {"reason": "lần nữa"})
    assert r.status_code == 409


def test_detail_shows_allowed_actions_per_caller(world):
    code = submitted(world)
    counter = world.client("counter").get(f"/api/v1/dossiers/{code}").json()
    assert {"receive", "request-supplement", "refuse"} <= set(counter["allowed_actions"])
    citizen = world.client("citizen").get(f"/api/v1/dossiers/{code}").json()
    assert "receive" not in citizen["allowed_actions"] and "withdraw" in citizen["allowed_actions"]
    assert citizen["history"][0]["action"] == "submit_online"
