import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.http import HttpResponse, HttpResponseNotFound
from django.test import RequestFactory

from motcua.audit import chainer, services
from motcua.audit.models import AuditEntry, AuditTamperError, ChainerState
from tests.factories import AgencyFactory, UserFactory, officer, sign_in

pytestmark = pytest.mark.django_db
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")


def chained(entries):
    """Run the chainer (as ``chain_audit`` would; on SQLite ``record`` chained them already) and reload."""
    chainer.chain_pending()
    for entry in entries:
        entry.refresh_from_db()
    return entries


def chain(n=5, actor=None):
    return chained([services.record(actor, "dossier.receive", "dossier", i, {"note": f"lần {i}", "amount": 1.5})
                    for i in range(n)])


def raw(sql, params=()):
    """Run SQL as the database owner would, with the PostgreSQL append-only trigger switched off."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_append_only")
        cur.execute(sql, params)
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_append_only")


def empty_trail():
    """What the owner can do by hand: empty the table, and the chainer's memory of its head with it."""
    raw("DELETE FROM audit_auditentry")
    ChainerState.objects.all().delete()


def test_entries_link_and_verify(capsys):
    entries = chain(4, UserFactory(full_name="Lê Văn Tám"))
    assert entries[0].prev_hash == services.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
    assert entries[0].actor_label == "Lê Văn Tám"
    call_command("anchor_audit")
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert "4 bản ghi" in out and "1 mốc neo" in out and "toàn vẹn" in out and entries[-1].hash in out


def test_local_time_and_odd_data_still_verify():
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    services.record("hệ thống", "import", "procedure", "1.000001", {"ngày": dt.date(2026, 3, 2), "số": 10**15},
                    at=dt.datetime(2026, 3, 2, 8, 30, tzinfo=tz))
    services.record(None, "x", "y", 1, {"nested": {"b": [1, 2, {"a": None}]}})
    assert services.verify_chain().ok


def test_orm_refuses_changes():
    entry = chain(1)[0]
    entry.action = "khác"
    with pytest.raises(AuditTamperError):
        entry.save()
    with pytest.raises(AuditTamperError):
        entry.delete()
    with pytest.raises(AuditTamperError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="khác")
    with pytest.raises(AuditTamperError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "dossier.receive"


def test_deleting_the_actor_keeps_the_trail_intact():
    user = UserFactory()
    chain(2, user)
    user.delete()
    assert AuditEntry.objects.count() == 2
    assert services.verify_chain().ok


@on_postgres
def test_database_trigger_refuses_update_and_delete():
    entry = chain(1)[0]
    for sql in ("UPDATE audit_auditentry SET action = 'x' WHERE id = %s", "DELETE FROM audit_auditentry WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk, action="dossier.receive").exists()


def test_verify_audit_detects_an_altered_row():
    entries = chain(5)
    raw("UPDATE audit_auditentry SET object_id = %s WHERE id = %s", ["999", entries[2].pk])
    report = services.verify_chain()
    assert not report.ok and report.broken_id == entries[2].pk and report.checked == 2
    with pytest.raises(CommandError, match=f"#{entries[2].pk}"):
        call_command("verify_audit")


def test_verify_audit_detects_a_deleted_row():
    entries = chain(5)
    raw("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])
    report = services.verify_chain()
    assert not report.ok and report.broken_id == entries[2].pk
    assert "xóa" in report.reason


def test_verify_audit_detects_a_rewritten_hash_chain_link():
    entries = chain(3)
    # Recomputing the altered row's own hash is not enough: the next row still points at the old one.
    raw("UPDATE audit_auditentry SET hash = %s WHERE id = %s", ["f" * 64, entries[1].pk])
    assert services.verify_chain().broken_id == entries[1].pk


def test_verify_audit_detects_deleted_newest_rows_against_a_saved_head():
    entries = chain(4)
    head = entries[-1].hash
    call_command("verify_audit", expect_head=head, without_anchors=True)
    raw("DELETE FROM audit_auditentry WHERE id = %s", [entries[-1].pk])
    assert services.verify_chain().ok  # invisible without the saved head...
    with pytest.raises(CommandError, match="mới nhất"):
        call_command("verify_audit", expect_head=head, without_anchors=True)  # ...but not with it


def test_record_read_and_decorator():
    reader = officer("specialist", AgencyFactory())
    rf = RequestFactory()

    @services.logs_personal_read("dossier", fields=["applicant_phone", "applicant_name"], id_kwarg="dossier_id")
    def view(request, dossier_id):
        return HttpResponse("ok") if dossier_id != 404 else HttpResponseNotFound()

    request = rf.get("/")
    request.user = reader
    view(request, dossier_id=17)
    view(request, dossier_id=404)
    reads = list(services.reads_of("dossier", 17))
    assert len(reads) == 1
    assert reads[0].actor_id == reader.pk and reads[0].data == {"fields": ["applicant_name", "applicant_phone"]}
    assert not services.reads_of("dossier", 404).exists()


def test_dossier_read_by_the_applicant_is_not_logged():
    from motcua.dossiers.models import Dossier
    from tests.factories import citizen, procedure_with_steps

    owner = citizen()
    dossier = Dossier.objects.create(procedure=procedure_with_steps(), agency=AgencyFactory(), channel="online",
                                     rule_version="118/2025", applicant=owner, applicant_name="Trần Thị Bình")
    assert services.record_dossier_read(owner, dossier) is None
    entry = services.record_dossier_read(officer("counter_officer", dossier.agency), dossier, purpose="tiếp nhận")
    assert entry.data["purpose"] == "tiếp nhận" and "applicant_id_number" in entry.data["fields"]


def test_admin_is_read_only_and_for_auditors(client):
    chain(2)
    auditor = officer("auditor", None, is_staff=True)
    sign_in(client, auditor)
    page = client.get("/admin/audit/auditentry/")
    assert page.status_code == 200 and "Hồ sơ: Tiếp nhận hồ sơ" in page.content.decode()  # the action, named
    entry = AuditEntry.objects.first()
    assert client.post(f"/admin/audit/auditentry/{entry.pk}/delete/").status_code == 403
    assert client.get("/admin/audit/auditentry/add/").status_code == 403
    leader = officer("leader", AgencyFactory(), is_staff=True)
    sign_in(client, leader)
    assert client.get("/admin/audit/auditentry/").status_code == 403


def test_nul_characters_and_long_ids_cannot_break_the_audit_write():
    entry = services.record("máy\x00chủ", "import", "person", "0" * 80 + "\x00", {"ghi\x00chú": ["a\x00b", {"c": "\x00"}]})
    entry.refresh_from_db()
    assert entry.data == {"ghichú": ["ab", {"c": ""}]} and entry.actor_label == "máychủ"
    assert len(entry.object_id) == 64
    assert services.verify_chain().ok
