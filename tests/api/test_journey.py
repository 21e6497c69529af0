"""The "done" test: a dossier goes from submission to returned result entirely through HTTP.

Runs on SQLite and on PostgreSQL (DATABASE_URL); the concurrent idempotency test needs PostgreSQL.
"""

import threading
import uuid

import pytest
from django.db import connection

from motcua.dossiers.models import Dossier, DossierEvent
from motcua.outbox.models import OutboxEvent

from .conftest import submit_body

pytestmark = pytest.mark.django_db


def post(client, path, body=None, **headers):
    return client.post(f"/api/v1/dossiers{path}", body if body is not None else {}, content_type="application/json",
                       headers=headers or None)


def test_full_lifecycle_over_http_with_role_tokens(world):
    citizen, counter = world.client("citizen"), world.client("counter")
    specialist, leader = world.client("specialist"), world.client("leader")

    r = post(citizen, "", submit_body(world), **{"Idempotency-Key": "k-1"})
    assert r.status_code == 201, r.content
    code = r.json()["code"]
    assert code.startswith("H55.101-") and r.json()["status"] == "submitted"

    r = post(counter, f"/{code}/receive", {"digitized": True})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "received" and r.json()["due_at"]
    assert "start-processing" in r.json()["allowed_actions"]

    r = post(counter, f"/{code}/start-processing", {"assignee": "chuyenvien"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "processing" and r.json()["current_step"].startswith("1.")

    r = post(specialist, f"/{code}/complete-step", {"note": "Hồ sơ đủ điều kiện."})
    assert r.status_code == 200, r.content
    assert r.json()["current_step"].startswith("2.")

    r = post(leader, f"/{code}/approve", {"summary": "Cấp Giấy khai sinh"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "approved"

    r = post(leader, f"/{code}/sign-result", {"electronic": True, "digitized": True})
    assert r.status_code == 200, r.content
    assert r.json()["allowed_actions"] == []  # nothing left for the leader; the counter returns it

    r = post(counter, f"/{code}/return", {})  # asked for online, but signed without a file: a paper result
    assert r.status_code == 422 and r.json()["code"] == "result_not_electronic", r.content
    r = post(counter, f"/{code}/return", {"method": "counter"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "returned" and r.json()["returned_at"]

    detail = citizen.get(f"/api/v1/dossiers/{code}")
    assert detail.status_code == 200
    actions = [e["action"] for e in detail.json()["history"]]
    assert actions[0] == "submit_online" and actions[-1] == "return_result"
    assert {"receive", "start_processing", "complete_step", "approve", "sign_result"} <= set(actions)
    assert detail.json()["timeliness"] in {"early", "on_time"}
    dossier = Dossier.objects.get(code=code)
    assert dossier.events.count() == len(actions)
    assert OutboxEvent.objects.filter(aggregate_id=str(dossier.pk)).count() >= len(actions)


def test_counter_receipt_then_citizen_cannot_see_it_but_agency_can(world):
    r = post(world.client("counter"), "/counter", {
        "procedure_code": world.procedure.code, "agency_code": world.agency.code,
        "applicant": {"name": "Phạm Văn Quầy", "id_number": "051080000789"}, "digitized": True})
    assert r.status_code == 201, r.content
    code = r.json()["code"]
    assert r.json()["status"] == "received" and r.json()["channel"] == "counter"
    assert world.client("citizen").get(f"/api/v1/dossiers/{code}").status_code == 404
    assert world.client("other_counter").get(f"/api/v1/dossiers/{code}").status_code == 404
    assert world.client("specialist").get(f"/api/v1/dossiers/{code}").status_code == 200


def test_list_shows_only_what_the_caller_may_see(world):
    mine = post(world.client("citizen"), "", submit_body(world)).json()["code"]
    theirs = post(world.client("other_citizen"), "", submit_body(world, agency_code=world.other_agency.code)).json()
    codes = lambda who: {d["code"] for d in world.client(who).get("/api/v1/dossiers").json()["items"]}  # noqa: E731
    assert codes("citizen") == {mine}
    assert codes("other_citizen") == {theirs["code"]}
    assert codes("counter") == {mine}
    assert codes("other_counter") == {theirs["code"]}
    assert world.client("citizen").get("/api/v1/dossiers?status=returned").json()["count"] == 0


def test_wrong_role_is_403_and_changes_nothing(world):
    code = post(world.client("citizen"), "", submit_body(world)).json()["code"]
    post(world.client("counter"), f"/{code}/receive")
    post(world.client("counter"), f"/{code}/start-processing")
    post(world.client("specialist"), f"/{code}/complete-step")
    before = DossierEvent.objects.count()

    r = post(world.client("specialist"), f"/{code}/approve", {"summary": "tự duyệt"})
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden" and "quyền" in r.json()["message"]
    r = post(world.client("citizen"), f"/{code}/approve")
    assert r.status_code == 403
    assert DossierEvent.objects.count() == before
    assert Dossier.objects.get(code=code).status == "processing"


def test_invalid_transition_is_409_with_code(world):
    code = post(world.client("citizen"), "", submit_body(world)).json()["code"]
    r = post(world.client("leader"), f"/{code}/approve")
    assert r.status_code == 409
    assert r.json()["code"] == "invalid_transition" and r.json()["message"]
    r = post(world.client("counter"), f"/{code}/return")
    assert r.status_code == 409
    assert Dossier.objects.get(code=code).status == "submitted"


def test_idempotent_retry_returns_the_same_dossier(world):
    client = world.client("citizen")
    first = post(client, "", submit_body(world), **{"Idempotency-Key": "abc-123"})
    again = post(client, "", submit_body(world), **{"Idempotency-Key": "abc-123"})
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["code"] == again.json()["code"]
    assert Dossier.objects.filter(applicant=world.users["citizen"]).count() == 1
    # The same key from another account is another submission.
    other = post(world.client("other_citizen"), "", submit_body(world), **{"Idempotency-Key": "abc-123"})
    assert other.status_code == 201 and other.json()["code"] != first.json()["code"]


def test_unknown_dossier_is_404(world):
    r = post(world.client("counter"), "/H55.101-250101-9999/receive")
    assert r.status_code == 404 and r.json()["code"] == "dossier_not_found"
    r = world.client("counter").get("/api/v1/dossiers/KHONG-CO")
    assert r.status_code == 404 and r.json()["code"] == "dossier_not_found"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_idempotent_retries_create_one_dossier(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (real concurrent transactions)")
    key = f"race-{uuid.uuid4()}"
    body = submit_body(world)
    results, barrier = [], threading.Barrier(8)

    def worker():
        from django.db import connections

        try:
            barrier.wait()
            r = post(world.client("citizen"), "", body, **{"Idempotency-Key": key})
            results.append((r.status_code, r.json().get("code")))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 8
    assert {s for s, _ in results} <= {200, 201}
    assert len({c for _, c in results}) == 1
    assert Dossier.objects.filter(submitted_by=world.users["citizen"], idempotency_key=key).count() == 1


def test_counter_receipt_retry_with_same_key_is_one_dossier(world):
    body = {"procedure_code": world.procedure.code, "agency_code": world.agency.code,
            "applicant": {"name": "Phạm Văn Quầy"}}
    first = post(world.client("counter"), "/counter", body, **{"Idempotency-Key": "quay-1"})
    again = post(world.client("counter"), "/counter", body, **{"Idempotency-Key": "quay-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["code"] == again.json()["code"]
    assert Dossier.objects.filter(channel="counter").count() == 1
    # A citizen cannot receive at the counter.
    r = post(world.client("citizen"), "/counter", body)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
