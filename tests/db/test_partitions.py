"""Time partitions on PostgreSQL: made ahead of time, rows that arrived early moved out of DEFAULT, an old
month detached while dossiers keep flowing, and the audit chain verifying across partitions and after
the detach. (SQLite keeps plain tables: the rest of the suite runs there unchanged.)"""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from motcua.audit.services import record, verify_chain
from motcua.db import partitions as p
from motcua.db.models import ArchivedPartition
from motcua.dossiers import lifecycle
from tests.dossiers.factories import at, make_world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("time partitions exist on PostgreSQL only; SQLite keeps plain tables")


def months_back(n: int) -> dt.date:
    start = p.floor(p.MONTH, p.today())
    for _ in range(n):
        start = (start - dt.timedelta(days=1)).replace(day=1)
    return start


def _where(table: str, ids) -> dict[str, int]:
    with connection.cursor() as cur:
        cur.execute(f"SELECT tableoid::regclass::text, count(*) FROM {table} WHERE id = ANY(%s) GROUP BY 1", [list(ids)])
        return dict(cur.fetchall())


def _names(table: str) -> set[str]:
    with connection.cursor() as cur:
        return {x["name"] for x in p.partitions(cur, table)}


def _drop(*tables: str) -> None:
    with connection.cursor() as cur:
        for t in tables:
            cur.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(t)}")


def test_the_growing_tables_are_partitioned_with_the_key_in_the_primary_key():
    with connection.cursor() as cur:
        for table, spec in p.SPECS.items():
            assert p.is_partitioned(cur, table)
            cur.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = to_regclass(%s) "
                        "AND contype = 'p'", [table])
            assert cur.fetchone()[0] == f"PRIMARY KEY (id, {spec.column})"
            names = _names(table)
            assert f"{table}_default" in names
            assert p.partition_name(spec, p.floor(spec.interval, p.today())) in names  # the current period


def test_old_month_detached_while_dossiers_flow_and_the_chain_still_verifies():
    w = make_world()
    old = months_back(2)
    events, audit = p.SPECS["dossiers_dossierevent"], p.SPECS["audit_auditentry"]
    # a month for which no partition exists yet: its rows wait in DEFAULT …
    early = [lifecycle.receive(w.submit(when=at(old.year, old.month, 10, 8)), officer=w.counter,
                               at=at(old.year, old.month, 10, 9)) for _ in range(3)]
    early_audit = [record("test", "test.early", "x", 1, at=at(old.year, old.month, 11)).pk]
    now_d = lifecycle.receive(w.submit(when=timezone.now()), officer=w.counter)
    old_name, old_audit = p.partition_name(events, old), p.partition_name(audit, old)
    assert old_name not in _names(events.table)
    assert set(_where("dossiers_dossierevent", [e.pk for d in early for e in d.events.all()])) == \
        {"dossiers_dossierevent_default"}

    # … until the maintenance command makes the partitions, from that month to 6 months ahead
    call_command("partitions", "create", "--from", old.strftime("%d/%m/%Y"), "--ahead", "6")
    ahead = p.floor(p.MONTH, p.today())
    for _ in range(6):
        ahead = p.following(p.MONTH, ahead)
    assert {old_name, p.partition_name(events, ahead)} <= _names(events.table)
    assert set(_where("dossiers_dossierevent", [e.pk for d in early for e in d.events.all()])) == {old_name}
    assert set(_where("audit_auditentry", early_audit)) == {old_audit}
    report = verify_chain()
    assert report.ok, report.message()
    with connection.cursor() as cur:  # the chain really crosses partitions
        cur.execute("SELECT count(DISTINCT tableoid) FROM audit_auditentry")
        assert cur.fetchone()[0] >= 2

    # the system keeps running: dossiers flow while the old month is detached
    stop, done, errors = threading.Event(), [], []

    def flow():
        try:
            while not stop.is_set():
                done.append(lifecycle.receive(w.submit(when=timezone.now()), officer=w.counter).pk)
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(repr(exc))
        finally:
            connection.close()

    writer = threading.Thread(target=flow)
    writer.start()
    try:
        while len(done) < 2 and writer.is_alive():
            stop.wait(0.05)
        call_command("partitions", "detach", old_audit)
        call_command("partitions", "detach", old_name)
        before = len(done)
        while len(done) < before + 2 and writer.is_alive():
            stop.wait(0.05)
    finally:
        stop.set()
        writer.join(timeout=30)
    try:
        assert not errors and len(done) >= 4
        assert old_name not in _names(events.table) and old_audit not in _names(audit.table)
        seg = ArchivedPartition.objects.get(partition=old_audit)
        assert seg.rows == 7 and seg.last_hash  # 3 × (submit, receive) + the early entry
        with connection.cursor() as cur:  # kept as a plain table, to dump and drop
            cur.execute(f"SELECT count(*) FROM {old_audit}")
            assert cur.fetchone()[0] == 7
        report = verify_chain()
        assert report.ok, report.message()
        assert report.checked == 2 * (1 + len(done))  # what stayed: the current dossiers' entries
        assert now_d.events.count() == 2
    finally:
        _drop(old_name, old_audit)


def test_an_old_partition_holding_a_later_chain_entry_is_not_detached():
    w = make_world()
    old = months_back(4)
    call_command("partitions", "create", "--table", "audit_auditentry", "--from", old.strftime("%d/%m/%Y"))
    w.submit(when=timezone.now())
    late = record("import", "test.backdated", "x", 2, at=at(old.year, old.month, 3))  # written last, dated old
    name = p.partition_name(p.SPECS["audit_auditentry"], old)
    assert set(_where("audit_auditentry", [late.pk])) == {name}
    with pytest.raises(CommandError, match="ghi lùi ngày"):
        call_command("partitions", "detach", name)
    assert name in _names("audit_auditentry")
    assert not ArchivedPartition.objects.exists()
    report = verify_chain()
    assert report.ok, report.message()


def test_verify_audit_checks_anchors_across_an_archived_month_and_refuses_a_forged_archive_record():
    old = months_back(3)
    call_command("partitions", "create", "--table", "audit_auditentry", "--from", old.strftime("%d/%m/%Y"))
    for day in (3, 4, 5):
        record("test", "test.old", "x", day, at=at(old.year, old.month, day))
    call_command("anchor_audit")  # anchor #1 falls inside the month to be archived
    for n in range(3):
        record("test", "test.now", "x", n)
    call_command("anchor_audit")
    name = p.partition_name(p.SPECS["audit_auditentry"], old)
    try:
        call_command("partitions", "detach", name)
        seg = ArchivedPartition.objects.get(partition=name)
        assert seg.rows == 3 and seg.seal
        out = io.StringIO()
        call_command("verify_audit", stdout=out)  # against the anchors, by default
        assert "Đã kiểm tra 3 bản ghi nhật ký, khớp 2 mốc neo" in out.getvalue()

        # someone with SQL access but without the anchor key claims more entries were archived
        ArchivedPartition.objects.filter(pk=seg.pk).update(last_id=seg.last_id + 1)
        with pytest.raises(CommandError, match=f"phân vùng {name} không có chữ ký hợp lệ"):
            call_command("verify_audit")
        ArchivedPartition.objects.filter(pk=seg.pk).update(last_id=seg.last_id)
        call_command("verify_audit", stdout=io.StringIO())
    finally:
        _drop(name)


def test_an_archive_month_whose_anchored_entry_was_removed_is_not_detached():
    old = months_back(3)
    call_command("partitions", "create", "--table", "audit_auditentry", "--from", old.strftime("%d/%m/%Y"))
    entries = [record("test", "test.old", "x", day, at=at(old.year, old.month, day)) for day in (3, 4)]
    call_command("anchor_audit")
    record("test", "test.now", "x", 1)
    name = p.partition_name(p.SPECS["audit_auditentry"], old)
    with connection.cursor() as cur:  # the owner removes the newest old entry (triggers off), links stay whole
        cur.execute(f"ALTER TABLE {name} DISABLE TRIGGER ALL")
        cur.execute(f"DELETE FROM {name} WHERE id = %s", [entries[-1].pk])
        cur.execute(f"ALTER TABLE {name} ENABLE TRIGGER ALL")
    with pytest.raises(CommandError, match="đã được neo"):
        call_command("partitions", "detach", name)
    assert not ArchivedPartition.objects.exists() and name in _names("audit_auditentry")
