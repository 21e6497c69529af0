"""Parallel API requests of the same counter officer and the same citizen on different dossiers (PostgreSQL).

Issue R1 point 7: two clients replaying one officer's day deadlocked — a submission with an
``Idempotency-Key`` locked the account row while a transition of the same account, holding the audit
chain's lock, checked its foreign keys against that row at COMMIT. Here many requests of one officer and
one citizen run at once, each in its own thread, connection and real transaction: every one must be
answered 200/201 in JSON, none may deadlock (not even one hidden by the API's retry), and every transition
must be recorded exactly once (event, audit entry, outbox event).
"""

import logging
import threading
import uuid

import pytest
from django.db import connection, connections

from motcua.audit.models import AuditEntry
from motcua.audit.services import verify_chain
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.outbox.models import OutboxEvent

from .conftest import submit_body

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL: SQLite serialises every writer, so there is no lock order to get wrong"),
]

WORKERS = 4  # per account: 4 threads of the counter officer, 4 of the citizen
ROUNDS = 4


def post(world, who, path, body=None, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return world.client(who).post(f"/api/v1/dossiers{path}", body or {}, content_type="application/json", **headers)


def counter_body(world, n):
    return {"procedure_code": world.procedure.code, "agency_code": world.agency.code,
            "applicant": {"name": f"Người nộp tại quầy {n}"}, "form_data": {"ho_ten_tre": "Trần Minh An"}}


def test_parallel_transitions_of_one_officer_and_one_citizen_never_deadlock(world, caplog):
    caplog.set_level(logging.INFO, logger="motcua.api.retry")
    # Submitted beforehand, one after the other: the officer receives and starts these, the citizen withdraws those.
    n = WORKERS * ROUNDS
    codes = []
    for _ in range(2 * n):
        r = post(world, "citizen", "", submit_body(world))
        assert r.status_code == 201, r.content
        codes.append(r.json()["code"])
    to_receive, to_withdraw = codes[:n], codes[n:]
    connections.close_all()

    answers, crashes = [], []
    barrier = threading.Barrier(2 * WORKERS, timeout=30)

    def officer(worker):
        for i in range(ROUNDS):
            code = to_receive[worker * ROUNDS + i]
            yield "receive_at_counter", post(world, "counter", "/counter", counter_body(world, f"{worker}-{i}"),
                                             key=uuid.uuid4().hex)
            yield "receive", post(world, "counter", f"/{code}/receive", {"digitized": True})
            yield "start_processing", post(world, "counter", f"/{code}/start-processing")

    def citizen(worker):
        for i in range(ROUNDS):
            yield "submit_online", post(world, "citizen", "", submit_body(world), key=uuid.uuid4().hex)
            code = to_withdraw[worker * ROUNDS + i]
            yield "withdraw", post(world, "citizen", f"/{code}/withdraw", {"reason": "Nộp nhầm thủ tục"})

    def run(requests, worker):
        try:
            barrier.wait()
            for action, response in requests(worker):
                answers.append((action, response))
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            crashes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(requests, w)) for requests in (officer, citizen)
               for w in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not crashes, crashes

    # Every request answered, in JSON, with success: no deadlock surfaced as 503 (or 500).
    assert len(answers) == n * 5
    failed = [(a, r.status_code, r.content[:200]) for a, r in answers if r.status_code not in (200, 201)]
    assert failed == []
    assert all(r["Content-Type"].startswith("application/json") and r.json()["code"] for _, r in answers)
    # Nor one that the retry of keyed requests would have hidden.
    retried = [rec.getMessage() for rec in caplog.records if rec.name == "motcua.api.retry"]
    assert retried == []

    # Each transition recorded exactly once: its event, its audit entry and its outbox event.
    expected = {"submit_online": 3 * n, "receive_at_counter": n, "receive": n, "start_processing": n, "withdraw": n}
    for action, count in expected.items():
        assert DossierEvent.objects.filter(action=action).count() == count, action
        assert AuditEntry.objects.filter(action=f"dossier.{action}").count() == count, action
        assert OutboxEvent.objects.filter(topic=f"dossier.{action}").count() == count, action
    assert Dossier.objects.filter(status="processing", code__in=to_receive).count() == n
    assert Dossier.objects.filter(status="withdrawn", code__in=to_withdraw).count() == n
    assert Dossier.objects.count() == 4 * n
    assert verify_chain().ok
