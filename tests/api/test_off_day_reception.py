"""Receiving on a day off of the unit over the API, as on the back-office pages: without a reason the reception is
refused (422 off_day_reason_required, naming the day, nothing written); with one it is kept in the history; on a
working day a reason sent along is ignored. Every test fixes its moment: the suite runs on any day."""

import datetime as dt

import pytest

from motcua.audit.models import AuditEntry
from motcua.core.calendar import TZ
from motcua.dossiers.models import Dossier, Slip, Status
from motcua.outbox.models import OutboxEvent

from .conftest import post, submitted_code

pytestmark = pytest.mark.django_db

SATURDAY_MORNING = dt.datetime(2026, 12, 5, 9, 0, tzinfo=TZ)
SATURDAY_AFTERNOON = dt.datetime(2026, 12, 5, 14, 0, tzinfo=TZ)
SUNDAY = dt.datetime(2026, 12, 6, 10, 0, tzinfo=TZ)
MONDAY = dt.datetime(2026, 12, 7, 9, 0, tzinfo=TZ)
NEW_YEAR = dt.datetime(2027, 1, 1, 9, 0, tzinfo=TZ)  # Friday, a public holiday
REASON = "Trực tiếp nhận theo kế hoạch cao điểm cấp giấy tờ cuối năm"


def counter_body(world, **extra) -> dict:
    return {"procedure_code": world.procedure.code, "agency_code": world.agency.code,
            "applicant": {"name": "Phạm Văn Quầy", "id_number": "051080000789"}, **extra}


def written(code: str) -> tuple:
    d = Dossier.objects.get(code=code)
    return (d.status, d.version, d.events.count(), OutboxEvent.objects.filter(aggregate_id=str(d.pk)).count(),
            AuditEntry.objects.filter(object_type="dossier", object_id=str(d.pk)).count(), d.slips.count())


def assert_refused(r, day: str) -> None:
    assert r.status_code == 422, r.content
    body = r.json()
    assert body["code"] == "off_day_reason_required"
    assert day in body["message"] and "UBND xã Tịnh Sơn" in body["message"]
    assert body["message"].startswith("Vui lòng nêu lý do tiếp nhận vào ngày nghỉ")
    assert body["details"] == {"field": "off_day_reason", "day_off": day}


def test_receiving_on_a_sunday_without_a_reason_is_refused_and_writes_nothing(world, clock):
    clock(SUNDAY)
    code = submitted_code(world)  # citizens submit online on any day
    before = written(code)
    assert_refused(post(world, "counter", f"/{code}/receive"), "Chủ nhật 06/12/2026")  # no body at all
    assert_refused(post(world, "counter", f"/{code}/receive", {"off_day_reason": "   "}), "Chủ nhật 06/12/2026")
    assert written(code) == before and before[0] == Status.SUBMITTED


def test_receiving_on_a_holiday_with_a_reason_keeps_it_in_the_history(world, clock):
    clock(NEW_YEAR - dt.timedelta(days=1))
    code = submitted_code(world)
    clock(NEW_YEAR)
    r = post(world, "counter", f"/{code}/receive", {"off_day_reason": f"  {REASON} "})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "received"
    event = Dossier.objects.get(code=code).events.get(action="receive")
    assert event.data == {"off_day_reason": REASON}
    history = world.client("citizen").get(f"/api/v1/dossiers/{code}").json()["history"]
    assert [e["note"] for e in history if e["action"] == "receive"] == [f"Tiếp nhận vào ngày nghỉ: {REASON}"]


def test_the_day_off_question_comes_after_the_role_and_the_status(world, clock):
    clock(SUNDAY)
    code = submitted_code(world)
    assert post(world, "citizen", f"/{code}/receive").status_code == 403
    assert post(world, "counter", f"/{code}/receive", {"off_day_reason": REASON}).status_code == 200
    assert post(world, "counter", f"/{code}/receive").status_code == 409  # already received: not asked again
    assert post(world, "citizen", "/counter", counter_body(world)).status_code == 403


def test_walk_in_reception_on_a_saturday_afternoon_needs_a_reason(world, clock):
    world.agency.works_saturday_morning = True
    world.agency.save()
    clock(SATURDAY_AFTERNOON)
    r = post(world, "counter", "/counter", counter_body(world))
    assert_refused(r, "chiều thứ Bảy 05/12/2026")
    assert not Dossier.objects.exists() and not Slip.objects.exists()
    r = post(world, "counter", "/counter", counter_body(world, off_day_reason=REASON))
    assert r.status_code == 201, r.content
    event = Dossier.objects.get(code=r.json()["code"]).events.get()
    assert event.action == "receive_at_counter" and event.data == {"off_day_reason": REASON}


def test_a_unit_open_on_saturday_mornings_receives_then_without_a_reason(world, clock):
    world.agency.works_saturday_morning = True
    world.agency.save()
    clock(SATURDAY_MORNING)
    code = submitted_code(world)
    assert post(world, "counter", f"/{code}/receive").status_code == 200
    assert post(world, "counter", "/counter", counter_body(world)).status_code == 201
    assert not any("off_day_reason" in e.data for d in Dossier.objects.all() for e in d.events.all())


def test_on_a_working_day_a_reason_sent_along_is_ignored(world, clock):
    clock(MONDAY)
    code = submitted_code(world)
    assert post(world, "counter", f"/{code}/receive", {"off_day_reason": REASON}).status_code == 200
    r = post(world, "counter", "/counter", counter_body(world, off_day_reason=REASON))
    assert r.status_code == 201, r.content
    for d in Dossier.objects.all():
        event = d.events.get(action__in=["receive", "receive_at_counter"])
        assert event.data == {} and event.note == ""
    assert post(world, "counter", "/counter", counter_body(world)).status_code == 201  # and none is needed


def test_a_reason_is_checked_like_every_other_text_field(world, clock):
    clock(SUNDAY)
    code = submitted_code(world)
    r = post(world, "counter", f"/{code}/receive", {"off_day_reason": "x" * 501})
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    assert r.json()["details"]["fields"] == {"off_day_reason": "Quá dài: tối đa 500 ký tự."}
    r = post(world, "counter", "/counter", counter_body(world, off_day_reason="lý do\x00"))
    assert r.status_code == 422 and r.json()["details"]["fields"] == {"off_day_reason": "Có ký tự không hợp lệ (NUL)."}
    assert post(world, "counter", f"/{code}/receive", {"off_day_reason": "x" * 500}).status_code == 200


def test_the_openapi_document_describes_the_reason(world):
    schemas = world.client(None).get("/api/v1/openapi.json").json()["components"]["schemas"]
    for name in ("ReceiveIn", "CounterIn"):
        field = schemas[name]["properties"]["off_day_reason"]
        assert field["maxLength"] == 500 and "off_day_reason_required" in field["description"], name
