"""Drill (issue H1): a real gunicorn worker is killed with SIGKILL in the middle of a dossier transition served
over HTTP, on PostgreSQL; the transition is lost whole (nothing of it committed) and its retry writes it once.

How the kill lands mid-transition, not before or after: a second connection holds ``LOCK TABLE <audit entries>
IN EXCLUSIVE MODE``. A transition ends with one statement that updates the dossier row and inserts its event,
outbox event and audit entry (dossiers/lifecycle/store.py), taking its table locks in that order, the audit
table's last; so the worker's transaction stops there, the dossier row locked and what the transition wrote
before that statement (the receipt slip; the new dossier) written but not committed. The test checks exactly
that in pg_activity/pg_locks (the transaction has written, holds the dossier, event and outbox tables for
writing and waits on our lock with that statement) before it kills the worker, then releases the lock:
PostgreSQL finds the worker's socket closed and rolls its transaction back. gunicorn's master starts a new worker; the client's
retry is then answered and recorded exactly once, and the audit chain holds (chain_audit, verify_audit).

PostgreSQL only (skipped on SQLite): the drill needs a server process on a database that other processes share
and a lock that stops one transaction between two of its statements, which SQLite (one writer, whole-file
locks) does not offer.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection

from motcua.accounts.models import User
from motcua.audit.models import AuditEntry
from motcua.audit.services import verify_chain
from motcua.dossiers.models import Dossier, DossierEvent, Slip, Status
from motcua.outbox.models import OutboxEvent

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
WAIT_S = 60  # the longest any one wait may take before the test fails (a 2-core machine starting Django)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL: a gunicorn worker on the test database, and a table lock held by "
                              "a second connection to stop the worker in the middle of its transaction"),
]

AUDIT = AuditEntry._meta.db_table
WRITTEN_FIRST = (Dossier._meta.db_table, DossierEvent._meta.db_table, OutboxEvent._meta.db_table)


# ------------------------------------------------------------------------------------------------ plumbing

def _conninfo() -> dict:
    s = connection.settings_dict
    return {"host": s["HOST"] or HOST, "port": s["PORT"] or 5432, "user": s["USER"],
            "password": s.get("PASSWORD") or None, "dbname": s["NAME"]}


def _database_url() -> str:
    c = _conninfo()
    cred = c["user"] + (":" + quote(c["password"], safe="") if c["password"] else "")
    return f"postgres://{cred}@{c['host']}:{c['port']}/{c['dbname']}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _until(what: str, check, timeout: float = WAIT_S, log=None):
    """Poll `check()` until it returns something truthy; fail with `what` (and the server's log) after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}" + (f"\n--- gunicorn log ---\n{log()}"
                                                                             if log else ""))
        time.sleep(0.05)


class Server:
    """gunicorn serving motcua.wsgi with ONE sync worker against the test database."""

    def __init__(self, log_path: Path, data_dir: Path):
        self.port = _free_port()
        self.log_path = log_path
        env = {**os.environ, "MOTCUA_DEMO": "1", "DJANGO_SETTINGS_MODULE": "motcua.settings",
               "DATABASE_URL": _database_url(), "MOTCUA_DATA_DIR": str(data_dir),
               "PYTHONPATH": str(ROOT / "src"), "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self._log = open(log_path, "wb")  # closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "motcua.wsgi", "-w", "1", "-k", "sync", "-b", f"{HOST}:{self.port}",
             "--timeout", "120", "--graceful-timeout", "5", "--log-level", "info",
             "--no-control-socket"],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def workers(self) -> list[int]:
        """The master's children: its workers (read from /proc; no psutil here)."""
        master = self.proc.pid
        try:
            return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
        except FileNotFoundError:  # a kernel without CONFIG_PROC_CHILDREN: look for the parent of each process
            pass
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                # pid (comm) state ppid …; comm may hold spaces and parentheses: split after the last ")"
                if int(stat.read_text().rpartition(")")[2].split()[1]) == master:
                    children.append(int(stat.parent.name))
        return children

    def ready_worker(self, not_pid: int | None = None) -> int:
        """Wait for the one worker (a new one when `not_pid` is given) to answer; returns its pid."""

        def answering():
            assert self.proc.poll() is None, f"gunicorn exited ({self.proc.returncode})\n{self.log()}"
            pids = [p for p in self.workers() if p != not_pid]
            if len(pids) != 1:
                return None
            try:
                status, _ = request(self.port, "GET", "/api/v1/health", timeout=2)
            except OSError:
                return None
            return pids[0] if status == 200 else None

        return _until("gunicorn's worker to answer /api/v1/health" + (" again" if not_pid else ""), answering,
                      log=self.log)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # quick shutdown: the workers go at once
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(15)
        for pid in self.workers():  # a worker left behind by a master that died first
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self._log.close()


def request(port: int, method: str, path: str, *, token: str | None = None, body: dict | None = None,
            headers: dict | None = None, timeout: float = WAIT_S) -> tuple[int, dict | str]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        head = {"Content-Type": "application/json", **(headers or {})}
        if token:
            head["Authorization"] = f"Bearer {token}"
        conn.request(method, path, body=json.dumps(body or {}) if method == "POST" else None, headers=head)
        response = conn.getresponse()
        raw = response.read().decode("utf-8", "replace")
        try:
            return response.status, json.loads(raw)
        except ValueError:
            return response.status, raw
    finally:
        conn.close()


@pytest.fixture
def server(transactional_db, tmp_path):
    srv = Server(tmp_path / "gunicorn.log", tmp_path / "server-data")
    try:
        srv.ready_worker()
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def bench(transactional_db):
    """Committed accounts, tokens, agency and procedure (manage.py bench_setup), as the benchmark uses them."""
    out = io.StringIO()
    call_command("bench_setup", "--citizens", "1", "--steps", "1", stdout=out)
    return json.loads(out.getvalue())


@contextlib.contextmanager
def audit_table_locked():
    """A second connection holds the audit table in EXCLUSIVE mode (reads pass, every insert waits) until the
    block ends, whatever happens inside it. On the partitioned parent: LOCK TABLE covers its partitions, and an
    insert takes its lock on the parent first. Yields the locking backend's pid."""
    import psycopg

    locker = psycopg.connect(**_conninfo(), autocommit=False)
    try:
        locker.execute(f'LOCK TABLE "{AUDIT}" IN EXCLUSIVE MODE')
        yield locker.info.backend_pid
    finally:
        locker.rollback()
        locker.close()


@contextlib.contextmanager
def watcher():
    """An autocommit connection for pg_stat_activity / pg_locks (a transaction would see one frozen snapshot)."""
    import psycopg

    with psycopg.connect(**_conninfo(), autocommit=True) as conn:
        yield conn


def blocked_mid_transaction(watch, locker_pid: int) -> dict | None:
    """The backend that waits on our audit lock with a transaction that has written, and the relation locks it
    holds and waits for; None while there is none."""
    row = watch.execute(
        "SELECT pid, backend_xid::text, query FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND backend_xid IS NOT NULL AND %s = ANY(pg_blocking_pids(pid))",
        [locker_pid]).fetchone()
    if row is None:
        return None
    pid, xid, query = row
    locks = watch.execute(
        "SELECT relation::regclass::text, mode, granted FROM pg_locks WHERE pid = %s AND locktype = 'relation'",
        [pid]).fetchall()
    return {"pid": pid, "xid": xid, "query": query,
            "held": {rel.strip('"') for rel, mode, granted in locks if granted and mode == "RowExclusiveLock"},
            "waiting": {rel.strip('"') for rel, mode, granted in locks if not granted}}


def transaction_status(watch, xid: int) -> str:
    """'committed', 'aborted' or 'in progress': what PostgreSQL's commit log says of the 32-bit `xid`
    (pg_stat_activity shows no epoch; it is the current one's, or the previous one's right after a wraparound)."""
    now = int(watch.execute("SELECT pg_snapshot_xmax(pg_current_snapshot())::text").fetchone()[0])
    full = (now >> 32 << 32) | xid
    if full > now:
        full -= 1 << 32
    return watch.execute("SELECT pg_xact_status(%s::text::xid8)", [str(full)]).fetchone()[0]


def in_background(fn) -> tuple[threading.Thread, list]:
    outcome: list = []

    def run():
        try:
            outcome.append(fn())
        except Exception as exc:  # noqa: BLE001 - the test looks at what the client saw
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def kill_worker_mid_transaction(server: Server, fire, *, also_held: tuple[str, ...] = ()):
    """Fire `fire()` (an HTTP call) in the background while the audit table is locked; once the worker's
    transaction has written (``also_held``: the tables of what it wrote before its last statement) and its last
    statement holds the dossier, event and outbox tables and waits on the audit table, SIGKILL the worker, then
    release the lock. Returns (what the client got, the killed worker's pid, the new worker's pid)."""
    worker = server.ready_worker()
    with watcher() as watch:
        with audit_table_locked() as locker_pid:
            thread, outcome = in_background(fire)
            blocked = _until("the worker's transaction to wait on its last statement, having written",
                             lambda: blocked_mid_transaction(watch, locker_pid), log=server.log)
            # Mid-transaction for certain: the transaction has written (it has an id) and is open, its last
            # statement (row update, event, outbox event, audit entry) waits on our lock.
            assert blocked["waiting"] == {AUDIT}, blocked
            assert {*WRITTEN_FIRST, *also_held} <= blocked["held"], blocked
            assert f'INSERT INTO "{AUDIT}"' in blocked["query"], blocked
            assert thread.is_alive() and not outcome, "the client was answered while its transaction was open"
            os.kill(worker, signal.SIGKILL)
            _until("gunicorn's master to reap the killed worker", lambda: worker not in server.workers(),
                   log=server.log)
        # The lock is released: the backend runs the audit insert, then reads the closed socket and aborts.
        thread.join(WAIT_S)
        assert not thread.is_alive(), "the client never saw the killed worker's connection end"
        _until(f"the killed worker's backend {blocked['pid']} to end",
               lambda: watch.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s",
                                     [blocked["pid"]]).fetchone()[0] == 0, log=server.log)
        fate = transaction_status(watch, int(blocked["xid"]))
        assert fate == "aborted", f"the killed worker's transaction {blocked['xid']} is {fate}"
    new_worker = server.ready_worker(not_pid=worker)
    return outcome[0], worker, new_worker


def dropped(got) -> bool:
    """The client got no HTTP answer at all: its connection ended (the worker died holding it; the master
    never answers a request its worker took)."""
    return isinstance(got, OSError | http.client.HTTPException)


def chain_and_verify() -> None:
    out = io.StringIO()
    call_command("chain_audit", "--once", stdout=out)
    assert "còn 0 bản" in out.getvalue(), out.getvalue()
    call_command("anchor_audit", stdout=io.StringIO())
    call_command("verify_audit", stdout=io.StringIO())  # raises CommandError when the chain does not hold
    report = verify_chain()
    assert report.ok and report.pending == 0 and report.checked == AuditEntry.objects.count(), report.message()


# ------------------------------------------------------------------------------------------------ the drills

def test_a_worker_killed_mid_receive_loses_it_whole_and_the_retry_records_it_once(server, bench):
    # A dossier waiting for the counter, submitted over HTTP through the same worker (committed).
    status, body = request(server.port, "POST", "/api/v1/dossiers", token=bench["citizens"][0],
                           headers={"Idempotency-Key": uuid.uuid4().hex},
                           body={"procedure_code": bench["procedure_code"], "agency_code": bench["agency_code"],
                                 "form_data": {"noi_dung": "thử kill -9"}})
    assert status == 201, body
    d = Dossier.objects.get(code=body["code"])
    assert d.status == Status.SUBMITTED
    version, audit_before = d.version, AuditEntry.objects.count()

    def of_receive():
        return {"events": DossierEvent.objects.filter(dossier=d, action="receive").count(),
                "outbox": OutboxEvent.objects.filter(topic="dossier.receive", aggregate_id=str(d.pk)).count(),
                "audit": AuditEntry.objects.filter(action="dossier.receive", object_id=str(d.pk)).count(),
                "slips": Slip.objects.filter(dossier=d, kind=Slip.RECEIPT).count()}

    path = f"/api/v1/dossiers/{d.code}/receive"
    # gunicorn runs in its own process, where the tests' "every day is a working day" does not reach: a reason, which
    # a working day ignores, keeps the drill going on a weekend or a holiday.
    receive = {"off_day_reason": "Diễn tập chạy cả ngày nghỉ"}
    got, killed, worker = kill_worker_mid_transaction(
        server, lambda: request(server.port, "POST", path, token=bench["counter"], body=receive),
        also_held=(Slip._meta.db_table,))
    assert dropped(got), f"the killed worker answered: {got!r}"
    assert worker != killed

    d.refresh_from_db()
    assert (d.status, d.version, d.received_at) == (Status.SUBMITTED, version, None)
    assert of_receive() == {"events": 0, "outbox": 0, "audit": 0, "slips": 0}
    assert AuditEntry.objects.count() == audit_before

    status, body = request(server.port, "POST", path, token=bench["counter"], body=receive)
    assert status == 200, body
    assert body["status"] == Status.RECEIVED and body["version"] == version + 1
    d.refresh_from_db()
    assert (d.status, d.version) == (Status.RECEIVED, version + 1)
    assert of_receive() == {"events": 1, "outbox": 1, "audit": 1, "slips": 1}
    event = DossierEvent.objects.get(dossier=d, action="receive")
    assert OutboxEvent.objects.get(topic="dossier.receive", aggregate_id=str(d.pk)).payload["event_id"] == event.pk
    assert AuditEntry.objects.count() == audit_before + 1
    chain_and_verify()


def test_a_worker_killed_mid_idempotent_submission_leaves_no_dossier_and_the_retries_make_one(server, bench):
    citizen = User.objects.get(username="bench_citizen_0")
    key = uuid.uuid4().hex
    body = {"procedure_code": bench["procedure_code"], "agency_code": bench["agency_code"],
            "applicant": {"name": "Nguyễn Văn Thử"}, "form_data": {"noi_dung": "thử kill -9"}}

    def submit():
        return request(server.port, "POST", "/api/v1/dossiers", token=bench["citizens"][0],
                       headers={"Idempotency-Key": key}, body=body)

    def of_submission():
        return {"dossiers": Dossier.objects.filter(submitted_by=citizen, idempotency_key=key).count(),
                "all_dossiers": Dossier.objects.count(),
                "events": DossierEvent.objects.filter(action="submit_online").count(),
                "outbox": OutboxEvent.objects.filter(topic="dossier.submit_online").count(),
                "audit": AuditEntry.objects.filter(action="dossier.submit_online").count()}

    nothing = {"dossiers": 0, "all_dossiers": 0, "events": 0, "outbox": 0, "audit": 0}
    assert of_submission() == nothing
    audit_before = AuditEntry.objects.count()
    got, killed, worker = kill_worker_mid_transaction(server, submit)
    assert dropped(got), f"the killed worker answered: {got!r}"
    assert worker != killed
    assert of_submission() == nothing
    assert AuditEntry.objects.count() == audit_before

    status, first = submit()
    assert status == 201, first
    status, again = submit()
    assert status == 200, again
    assert again["code"] == first["code"] and first["status"] == Status.SUBMITTED
    assert of_submission() == {"dossiers": 1, "all_dossiers": 1, "events": 1, "outbox": 1, "audit": 1}
    d = Dossier.objects.get(submitted_by=citizen, idempotency_key=key)
    assert d.code == first["code"] and d.version == 1
    assert AuditEntry.objects.count() == audit_before + 1
    chain_and_verify()
