"""The chainer links entries off the writers' commit path: concurrent writers and a running chainer give one
gap-free chain; an entry of a transaction still open is chained after it commits, never skipped; a chainer
killed with SIGKILL mid-run loses and repeats nothing; tampering is found before and after chaining; the
window of entries not chained yet is reported and bounded."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Max, Min
from django.test import override_settings
from django.utils import timezone

from motcua.audit import chainer, services
from motcua.audit.hashing import content_hash
from motcua.audit.models import AuditEntry, ChainerState
from motcua.core.money import format_number
from tests.audit.test_audit import empty_trail, raw

ROOT = Path(__file__).resolve().parents[2]
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="transaction ids, NOTIFY and a second process need PostgreSQL; SQLite "
                                          "chains each entry in its writer's transaction")
deferred = override_settings(MOTCUA_AUDIT_CHAIN_INLINE=False)  # SQLite too: leave the chaining to the chainer


def places():
    return list(AuditEntry.objects.filter(seq__isnull=False).order_by("seq").values_list("seq", flat=True))


def unchained():
    return AuditEntry.objects.filter(seq__isnull=True).count()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_and_a_running_chainer_give_one_gap_free_chain():
    errors, writers_done = [], threading.Event()

    def writer(n):
        try:
            for i in range(15):
                with transaction.atomic():
                    services.record(None, "concurrent", "thread", n, {"i": i})
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    def chaining():
        try:
            while not writers_done.is_set():
                chainer.chain_pending(limit=7)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    running = threading.Thread(target=chaining)
    running.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    writers_done.set()
    running.join()
    chainer.chain_pending()
    assert not errors
    assert places() == list(range(1, 91))
    assert AuditEntry.objects.values("prev_hash").distinct().count() == 90
    report = services.verify_chain()
    assert report.ok and report.checked == 90 and report.pending == 0, report.message()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_entry_of_a_transaction_still_open_is_chained_after_it_commits_never_skipped():
    first = services.record(None, "test.first", "x", 1)
    written, release, ids = threading.Event(), threading.Event(), {}

    def slow_transaction():
        try:
            with transaction.atomic():
                ids["open"] = services.record(None, "test.open", "x", 2).pk
                written.set()
                release.wait(30)
        finally:
            connection.close()

    slow = threading.Thread(target=slow_transaction)
    slow.start()
    assert written.wait(30)
    later = services.record(None, "test.later", "x", 3)  # committed, but by a transaction younger than the open one
    try:
        assert chainer.chain_pending() == 1
        assert AuditEntry.objects.get(pk=first.pk).seq == 1
        assert AuditEntry.objects.get(pk=later.pk).seq is None  # not chained ahead of the open transaction's entry
        assert services.verify_chain().ok and chainer.window().count == 1
    finally:
        release.set()
        slow.join()
    assert chainer.chain_pending() == 2
    seq = dict(AuditEntry.objects.values_list("pk", "seq"))
    assert (seq[first.pk], seq[ids["open"]], seq[later.pk]) == (1, 2, 3)
    assert services.verify_chain().ok and chainer.window().count == 0


def _backlog(n: int) -> None:
    now = timezone.now()
    entries = []
    for i in range(n):
        e = AuditEntry(at=now + dt.timedelta(microseconds=i), actor_label="tải thử", action="test.backlog",
                       object_type="x", object_id=str(i), data={"i": i})
        e.content_hash = content_hash(e.at, None, e.actor_label, e.action, e.object_type, e.object_id, e.data)
        entries.append(e)
    AuditEntry.objects.bulk_create(entries, batch_size=2000)


def _manage(*args) -> subprocess.Popen:
    s = connection.settings_dict
    env = {**os.environ, "MOTCUA_DEMO": "1", "DJANGO_SETTINGS_MODULE": "motcua.settings",
           "DATABASE_URL": f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"}
    return subprocess.Popen([sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_chainer_killed_with_sigkill_mid_run_loses_and_repeats_nothing():
    total, batch = 12000, 40
    _backlog(total)
    proc = _manage("chain_audit", "--batch", str(batch), "--poll", "30")
    try:
        deadline = time.monotonic() + 120
        while AuditEntry.objects.filter(seq__isnull=False).count() < 20 * batch and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    done = AuditEntry.objects.filter(seq__isnull=False).count()
    assert 0 < done < total, "killed before it finished: nothing would be shown otherwise"
    assert done % batch == 0  # only whole batches committed
    assert places() == list(range(1, done + 1))
    report = services.verify_chain()
    assert report.ok and report.pending == total - done, report.message()

    again = _manage("chain_audit", "--once", "--batch", str(batch))
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert f"Đã nối {format_number(total - done)} bản ghi" in out
    assert places() == list(range(1, total + 1))  # each entry once, no gap
    stats = AuditEntry.objects.aggregate(n=Count("id"), ids=Count("id", distinct=True), lo=Min("seq"), hi=Max("seq"))
    assert stats == {"n": total, "ids": total, "lo": 1, "hi": total}
    report = services.verify_chain()
    assert report.ok and report.checked == total and report.pending == 0, report.message()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_sleeping_chainer_is_woken_by_the_first_entry():
    listener, returned = chainer.Listener(), []

    def one_step():
        try:
            returned.append(chainer.step(listener, 500, poll=30))
            returned.append(time.monotonic())
        finally:
            listener.close()
            connection.close()

    sleeper = threading.Thread(target=one_step)
    sleeper.start()
    deadline = time.monotonic() + 30
    while not ChainerState.objects.filter(waiting=True).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # let it reach its wait
    written = time.monotonic()
    services.record(None, "test.wake", "x", 1)
    sleeper.join(40)
    assert returned and returned[1] - written < 5, "woken by NOTIFY, not by the 30 s poll"
    assert not ChainerState.objects.get(pk=1).waiting
    assert chainer.chain_pending() == 1


@deferred
@pytest.mark.django_db
def test_verify_audit_finds_an_entry_altered_before_and_after_chaining_and_a_removed_one():
    entries = [services.record(None, "dossier.receive", "dossier", i, {"n": i}) for i in range(4)]
    call_command("verify_audit", without_anchors=True)
    raw("UPDATE audit_auditentry SET data = %s WHERE id = %s", ['{"n": 99}', entries[1].pk])  # before chaining
    with pytest.raises(CommandError, match=f"#{entries[1].pk}: nội dung bản ghi chưa nối chuỗi đã bị sửa"):
        call_command("verify_audit", without_anchors=True)
    chainer.chain_pending()
    with pytest.raises(CommandError, match=f"#{entries[1].pk}: nội dung bản ghi đã bị sửa"):
        call_command("verify_audit", without_anchors=True)  # chaining did not launder it

    empty_trail()
    entries = [services.record(None, "dossier.receive", "dossier", i, {"n": i}) for i in range(4)]
    chainer.chain_pending()
    call_command("verify_audit", without_anchors=True)
    raw("UPDATE audit_auditentry SET object_id = %s WHERE id = %s", ["7", entries[2].pk])  # after chaining
    with pytest.raises(CommandError, match=f"#{entries[2].pk}: nội dung bản ghi đã bị sửa"):
        call_command("verify_audit", without_anchors=True)
    raw("UPDATE audit_auditentry SET object_id = %s WHERE id = %s", ["2", entries[2].pk])
    call_command("verify_audit", without_anchors=True)
    raw("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])  # a chained entry removed
    with pytest.raises(CommandError, match=f"#{entries[2].pk}: thiếu bản ghi số 2 .*đã bị xóa"):
        call_command("verify_audit", without_anchors=True)


@deferred
@pytest.mark.django_db
def test_the_window_is_shown_and_verify_audit_fails_beyond_its_bound(capsys):
    services.record(None, "test.old", "x", 1, at=timezone.now() - dt.timedelta(minutes=5))
    services.record(None, "test.new", "x", 2)
    with override_settings(MOTCUA_AUDIT_CHAIN_WINDOW_S=600):
        call_command("verify_audit", without_anchors=True)
    out = capsys.readouterr().out
    assert "2 bản ghi chưa được nối vào chuỗi" in out and "Cửa sổ chưa nối chuỗi: 2 bản ghi" in out
    with pytest.raises(CommandError, match=r"chưa được nối vào chuỗi \(giới hạn 60,0 giây\)"):
        call_command("verify_audit", without_anchors=True)  # default bound: 60 s
    call_command("chain_audit", "--once")
    call_command("verify_audit", without_anchors=True)
    assert "Cửa sổ chưa nối chuỗi: 0 bản ghi" in capsys.readouterr().out


@postgres_only
@pytest.mark.django_db
def test_the_database_lets_the_chainer_set_a_place_once_and_nothing_else():
    entry = services.record(None, "test", "x", 1)
    assert AuditEntry.objects.get(pk=entry.pk).txid is not None  # stamped by the insert trigger
    chainer.chain_pending()
    for sql, params in [("UPDATE audit_auditentry SET hash = %s WHERE id = %s", ["f" * 64, entry.pk]),
                        ("UPDATE audit_auditentry SET seq = NULL WHERE id = %s", [entry.pk]),
                        ("UPDATE audit_auditentry SET content_hash = %s WHERE id = %s", ["0" * 64, entry.pk])]:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, params)
    other = services.record(None, "test", "x", 2)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE audit_auditentry SET seq = 9, action = 'khác' WHERE id = %s", [other.pk])
    assert services.verify_chain().ok


@deferred
@pytest.mark.django_db
def test_the_chainer_does_not_chain_over_deleted_newest_entries():
    entries = [services.record(None, "test", "x", i) for i in range(3)]
    chainer.chain_pending()
    raw("DELETE FROM audit_auditentry WHERE id = %s", [entries[-1].pk])  # the newest chained entry
    services.record(None, "test", "x", 9)
    with pytest.raises(chainer.ChainError, match="số 2.*số 3"):
        chainer.chain_pending()
    with pytest.raises(CommandError, match="đã bị xóa hoặc sửa"):
        call_command("chain_audit", "--once")
    assert unchained() == 1


@deferred
@pytest.mark.django_db
def test_a_one_off_chain_audit_run_is_the_last_run_verify_audit_shows(capsys):
    services.record(None, "test.once", "x", 1)
    call_command("verify_audit", without_anchors=True)
    assert "tiến trình chain_audit chưa chạy lần nào." in capsys.readouterr().out
    call_command("chain_audit", "--once")
    call_command("verify_audit", without_anchors=True)
    out = capsys.readouterr().out
    assert "chưa chạy lần nào" not in out
    assert re.search(r"tiến trình chain_audit chạy lần cuối lúc \d\d/\d\d/\d{4} \d\d:\d\d:\d\d\.", out)


@deferred
@pytest.mark.django_db
def test_a_chainer_started_after_one_that_died_asleep_says_it_is_awake_and_seen(monkeypatch):
    """The state a chainer stopped while sleeping left (waiting: the writers send NOTIFY at every commit) is put right
    by the first batch of the next one, which also tells verify_audit when it last ran; a batch that took all that was
    ready pauses to let the next one gather."""
    ChainerState.objects.update_or_create(pk=1, defaults={"waiting": True, "seen_at": timezone.now()
                                                          - dt.timedelta(hours=1)})
    for n in range(3):
        services.record(None, "test.after_restart", "x", n)
    paused = []
    monkeypatch.setattr(chainer.time, "sleep", paused.append)
    listener = chainer.Listener()

    assert chainer.step(listener, 500, poll=30) == 3

    state = ChainerState.objects.get(pk=1)
    assert not state.waiting and timezone.now() - state.seen_at < dt.timedelta(minutes=1)
    assert paused == [chainer.GATHER_S]
    listener.close()
