"""While the leader is lost: requests answer 503 with Retry-After (never a 500), and the workers' loops
wait and carry on instead of dying. (The real thing, under a real failover: tests/cluster/test_failover.py.)"""

from __future__ import annotations

import io
import json

import pytest
from django.db import OperationalError, connection
from django.http import HttpResponse
from django.test import RequestFactory

from motcua.db import health
from motcua.db.middleware import DatabaseUnavailableMiddleware, ReplicaReadsMiddleware
from motcua.db.outage import OutageGuard


class _LostConnection:
    def cursor(self):
        raise OperationalError("server closed the connection unexpectedly")


def test_a_page_hit_by_a_lost_database_answers_503_in_vietnamese(client, monkeypatch):
    monkeypatch.setattr("motcua.core.views.connection", _LostConnection())
    resp = client.get("/healthz")
    assert resp.status_code == 503 and resp["Retry-After"] == "2"
    assert "thử lại sau ít giây" in resp.content.decode()


@pytest.mark.django_db
def test_an_api_call_hit_by_a_lost_database_gets_a_machine_readable_code(client):
    # under /api/ the API's error contract answers (api.errors), in JSON, not the pages' HTML
    assert DatabaseUnavailableMiddleware(lambda r: None).process_exception(
        RequestFactory().post("/api/v1/dossiers"), OperationalError("gone")) is None

    def lost(execute, sql, params, many, context):
        if "catalog_procedure" in sql:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(lost):
        resp = client.get("/api/v1/catalog/procedures")
    assert resp.status_code == 503 and resp["Retry-After"] == "2"
    body = json.loads(resp.content)
    assert body["code"] == "database_unavailable" and "thử lại sau ít giây" in body["message"]


def test_a_worker_loop_waits_out_an_outage_and_goes_on():
    pauses, out = [], io.StringIO()
    guard = OutageGuard("dispatch_outbox", out, sleep=pauses.append)
    outcomes = iter([OperationalError("no leader"), OperationalError("no leader"), None, ValueError("a bug")])
    done = 0
    with pytest.raises(ValueError, match="a bug"):  # only connection failures are waited out
        while True:
            with guard:
                outcome = next(outcomes)
                if outcome is not None:
                    raise outcome
                done += 1
    assert done == 1 and pauses == [0.25, 0.5]
    assert "mất kết nối" in out.getvalue() and "trở lại sau" in out.getvalue()


def test_a_worker_waits_out_a_write_refused_by_a_standby_not_yet_promoted():
    """Right after a failover a new connection may reach a server still in recovery: its read-only refusal
    (SQLSTATE 25006, Django's InternalError) is waited out like a lost connection; other database errors are not."""
    import psycopg
    from django.db import InternalError, ProgrammingError

    def wrapped(django_class, psycopg_error):
        try:
            raise psycopg_error
        except psycopg.Error as cause:
            try:
                raise django_class(str(cause)) from cause
            except django_class as exc:
                return exc

    pauses = []
    guard = OutageGuard("dispatch_outbox", io.StringIO(), sleep=pauses.append)
    read_only = wrapped(InternalError, psycopg.errors.ReadOnlySqlTransaction(
        "cannot execute INSERT in a read-only transaction"))
    with guard:
        raise read_only
    assert pauses == [0.25]
    with pytest.raises(ProgrammingError), guard:
        raise wrapped(ProgrammingError, psycopg.errors.UndefinedTable("relation does not exist"))


@pytest.mark.django_db(transaction=True)
def test_any_database_error_that_leaves_the_connection_broken_counts_as_a_lost_database():
    """A pooler whose server dies mid-COMMIT answers an error and closes the socket; psycopg may report it as
    "received 2 results from command 'COMMIT'", an InternalError, not a connection error. A failover drill's
    dispatcher died of that. Whatever the error says, a broken connection is a lost database: the worker waits
    it out, a page answers 503 (one reading the replica is read again from the leader), the API
    database_unavailable. The same error on a healthy connection is not."""
    from django.db import InternalError

    from motcua.api.errors import describe

    if connection.vendor != "postgresql":
        pytest.skip("psycopg's broken connection: PostgreSQL only")
    protocol_error = InternalError("received 2 results from command 'COMMIT'")
    page = RequestFactory().get("/ho-so/")
    pauses = []
    guard = OutageGuard("dispatch_outbox", io.StringIO(), sleep=pauses.append)
    with pytest.raises(InternalError), guard:  # a healthy connection: a bug, the worker stops
        raise protocol_error
    assert DatabaseUnavailableMiddleware(lambda r: None).process_exception(page, protocol_error) is None
    on_replica = RequestFactory().get("/thong-ke/")  # a page reading the replica
    on_replica.motcua_replica, on_replica.motcua_view = True, (lambda request: HttpResponse("từ máy chủ chính"), (), {})
    assert ReplicaReadsMiddleware(lambda r: None).process_exception(on_replica, protocol_error) is None
    assert describe(protocol_error)[1]["code"] == "database_error"

    connection.ensure_connection()
    other = connection.copy()
    with other.cursor() as cur:  # the server ends this connection, as a dead leader does
        cur.execute("SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid])
    other.close()
    with pytest.raises(OperationalError):
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
    assert connection.connection.broken

    assert DatabaseUnavailableMiddleware(lambda r: None).process_exception(page, protocol_error).status_code == 503
    # the page reading the replica is read again from the leader
    assert ReplicaReadsMiddleware(lambda r: None).process_exception(on_replica, protocol_error).content.decode() == \
        "từ máy chủ chính"
    health.forget()
    status, body, headers = describe(protocol_error)
    assert (status, body["code"], headers) == (503, "database_unavailable", {"Retry-After": "2"})
    with guard:
        raise protocol_error
    assert pauses == [0.25]
    with connection.cursor() as cur:  # the guard closed the broken connection: the next statement reconnects
        cur.execute("SELECT 1")
