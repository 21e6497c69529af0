"""Anchors kept outside the table catch what the chain alone cannot: truncation, newest rows deleted, re-hashing."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from motcua.audit import anchors, services
from motcua.audit.hashing import content_hash, entry_content
from motcua.audit.models import AuditEntry
from motcua.outbox.models import OutboxEvent
from tests.audit.test_audit import chain, on_postgres, raw
from tests.conftest import no_truncate_triggers

pytestmark = pytest.mark.django_db


def verify(**options):
    call_command("verify_audit", **options)


def rewrite_from(entry_id):
    """What an attacker with SQL access does: change a row, then recompute every later hash and link."""
    raw("UPDATE audit_auditentry SET object_id = %s WHERE id = %s", ["ĐÃ SỬA", entry_id])
    start = AuditEntry.objects.get(pk=entry_id).seq
    prev = AuditEntry.objects.filter(seq__lt=start).order_by("-seq").values_list("hash", flat=True).first()
    for entry in AuditEntry.objects.filter(seq__gte=start).order_by("seq"):
        new = services.compute_hash(prev or services.GENESIS, entry)
        raw("UPDATE audit_auditentry SET content_hash = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [content_hash(*entry_content(entry)), prev or services.GENESIS, new, entry.pk])
        prev = new


@on_postgres
def test_truncate_is_refused_by_the_database():
    chain(2)
    with connection.cursor() as cur:  # the table is partitioned by month: a partition is refused too
        cur.execute("SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'audit_auditentry'::regclass")
        parts = [r[0] for r in cur.fetchall()]
    assert "audit_auditentry_default" in parts and len(parts) >= 4
    for table in ["audit_auditentry", *parts]:
        with pytest.raises(DatabaseError, match="append-only: TRUNCATE"), transaction.atomic(), \
                connection.cursor() as cur:
            cur.execute(f"TRUNCATE {table}")
    assert AuditEntry.objects.count() == 2


def test_an_emptied_table_fails_verification():
    chain(3)
    call_command("anchor_audit")
    if connection.vendor == "postgresql":  # the owner can switch the trigger off: the anchors still see it
        with connection.cursor() as cur:
            cur.execute(no_truncate_triggers("DISABLE"))  # on the table and each of its partitions
            cur.execute("TRUNCATE audit_auditentry")
            cur.execute(no_truncate_triggers("ENABLE"))
    else:
        raw("DELETE FROM audit_auditentry")
    assert services.verify_chain().ok, "an empty chain is intact by itself"
    with pytest.raises(CommandError, match="không còn trong cơ sở dữ liệu"):
        verify()


def test_deleting_the_newest_entries_fails_verification():
    entries = chain(5)
    call_command("anchor_audit")
    raw("DELETE FROM audit_auditentry WHERE id >= %s", [entries[3].pk])
    assert services.verify_chain().ok
    with pytest.raises(CommandError, match=f"#{entries[4].pk}.*cắt bớt"):
        verify()


def test_rewriting_and_rehashing_fails_verification():
    entries = chain(6)
    call_command("anchor_audit")
    rewrite_from(entries[2].pk)
    assert services.verify_chain().ok, "the re-hashed chain holds by itself"
    with pytest.raises(CommandError, match=f"#{entries[5].pk}: khác với mốc neo số 1"):
        verify()


def test_entries_after_the_last_anchor_verify_and_get_anchored_next(capsys):
    chain(2)
    call_command("anchor_audit")
    chain(3)
    verify()
    call_command("anchor_audit")
    call_command("anchor_audit")  # nothing new: no third anchor
    assert [a.seq for a in anchors.load()] == [1, 2]
    assert "5 bản ghi nhật ký, khớp 1 mốc neo" in capsys.readouterr().out


def test_unanchored_chain_is_not_called_intact():
    chain(2)
    with pytest.raises(CommandError, match="Chưa có mốc neo"):
        verify()
    verify(without_anchors=True)


@pytest.mark.parametrize("tamper, message", [
    ("edit", "Chữ ký của mốc neo số 1 không hợp lệ"),
    ("drop", "bị xóa hoặc chèn dòng trước mốc số 2"),
    ("rekey", "ký bằng khóa khác"),
])
def test_a_tampered_anchor_file_is_refused(tamper, message):
    chain(1)
    call_command("anchor_audit")
    chain(1)
    call_command("anchor_audit")
    path = anchors.anchor_path()
    lines = path.read_text().splitlines()
    if tamper == "edit":
        first = json.loads(lines[0])
        first["hash"] = "0" * 64
        lines[0] = json.dumps(first)
    elif tamper == "drop":
        lines = lines[1:]
    else:
        for name in (anchors.KEY_FILE, anchors.PUBLIC_KEY_FILE):
            (anchors.keys_dir() / name).unlink()
        anchors.create_signing_key()
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(CommandError, match=message):
        verify()


def test_anchors_travel_through_the_outbox_and_a_copy_verifies(tmp_path):
    entries = chain(3)
    call_command("anchor_audit")
    event = OutboxEvent.objects.get(topic="audit.anchor")
    assert event.payload["entry_id"] == entries[-1].pk and event.payload["hash"] == entries[-1].hash
    assert "BEGIN PUBLIC KEY" in event.payload["public_key"]
    # The log archive's copy, rebuilt from what it received, checked with the public key alone.
    copy, pub = tmp_path / "kho-luu-tru.jsonl", tmp_path / "khoa-cong-khai.pem"
    fields = ("seq", "entry_id", "chain_seq", "hash", "at", "key_id", "signature")
    copy.write_text(json.dumps({k: event.payload[k] for k in fields}) + "\n")
    pub.write_text(event.payload["public_key"])
    anchors.anchor_path().unlink()  # even with the local file gone
    verify(anchors=str(copy), public_key=str(pub))
    raw("DELETE FROM audit_auditentry WHERE id = %s", [entries[-1].pk])
    with pytest.raises(CommandError, match="cắt bớt"):
        verify(anchors=str(copy), public_key=str(pub))


def test_the_anchor_key_is_private_to_the_installation():
    chain(1)
    call_command("anchor_audit")
    key = anchors.keys_dir() / anchors.KEY_FILE
    assert key.stat().st_mode & 0o077 == 0
    assert "PRIVATE KEY" not in anchors.anchor_path().read_text()
