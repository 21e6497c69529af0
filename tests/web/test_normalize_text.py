"""`manage.py normalize_text`: text stored decomposed before input was normalized (Unikey's «Unicode tổ hợp») is
made precomposed, so the back-office search finds it; the audit trail, password hashes and keys stay byte for
byte; --dry-run writes nothing; a second run has nothing left to do."""

import unicodedata

import pytest
from django.core.management import call_command
from django.urls import reverse

from motcua.audit import chainer, services
from motcua.audit.models import AuditEntry
from motcua.core.text import fold, lowered
from motcua.dossiers.models import Dossier
from motcua.payments.models import Payment

pytestmark = pytest.mark.django_db

NAME = "Nguyễn Thị Huệ"


def nfd(text: str) -> str:
    out = unicodedata.normalize("NFD", text)
    assert out != text  # the test would prove nothing on text that has no decomposed form
    return out


@pytest.fixture
def stored_decomposed(world, submitted):
    """What the database holds from before the upgrade: written past every input normalization."""
    Dossier.objects.filter(pk=submitted.pk).update(
        applicant_name=nfd(NAME), applicant_name_folded=fold(nfd(NAME)),  # as migrations dossiers 0010 and 0013
        applicant_name_lower=lowered(nfd(NAME)),                          # fill them
        applicant_address=nfd("Tịnh Khê, Quảng Ngãi"),
        form_data={"child_name": nfd("Trần Minh Đức"), "birth_date": "2026-11-01"}, idempotency_key=nfd("khóa"))
    citizen = world["citizen"]
    citizen.set_password(nfd("mật khẩu cũ"))
    citizen.full_name = nfd("Trần Thị Mai")
    citizen.save()
    entry = services.record(citizen, "dossier.receive", "dossier", submitted.pk, {"ghi_chú": nfd("Đã nhận hồ sơ")})
    chainer.chain_pending()
    entry.refresh_from_db()
    return {"dossier": Dossier.objects.get(pk=submitted.pk), "citizen": citizen, "entry": entry}


def run(capsys, *args) -> str:
    call_command("normalize_text", *args)
    return capsys.readouterr().out


def found(client, world, q, code) -> bool:
    client.force_login(world["counter"])
    return code in client.get(reverse("backoffice:dossiers"), {"q": q}).content.decode()


def test_a_name_stored_decomposed_is_rewritten_and_found_before_and_after(client, world, stored_decomposed, capsys):
    d = stored_decomposed["dossier"]
    # the search matches the folded and the lowered name (dossiers.models), the same for either form: found before
    # the command too
    assert found(client, world, "Thị Huệ", d.code)
    out = run(capsys)
    assert "dossiers.Dossier.applicant_name: đã đổi 1 bản ghi" in out
    assert found(client, world, "Thị Huệ", d.code)
    d.refresh_from_db()
    assert (d.applicant_name, d.applicant_address) == (NAME, "Tịnh Khê, Quảng Ngãi")
    assert d.form_data == {"child_name": "Trần Minh Đức", "birth_date": "2026-11-01"}
    assert d.idempotency_key == nfd("khóa")  # compared exactly with what the client sends again
    world["citizen"].refresh_from_db()
    assert world["citizen"].full_name == "Trần Thị Mai"


def test_the_audit_trail_and_the_password_hash_stay_as_they_were(world, stored_decomposed, capsys):
    entry, citizen = stored_decomposed["entry"], stored_decomposed["citizen"]
    hashed = citizen.password
    legacy = world["citizen2"]  # a hash carried over verbatim from an older system: any bytes, kept as they are
    type(legacy).objects.filter(pk=legacy.pk).update(password="legacy$" + nfd("muối$băm"))
    run(capsys)
    after = AuditEntry.objects.get(pk=entry.pk)
    assert after.data == {"ghi_chú": nfd("Đã nhận hồ sơ")} and after.hash == entry.hash
    call_command("verify_audit", "--without-anchors")
    assert "toàn vẹn" in capsys.readouterr().out
    citizen.refresh_from_db()
    assert citizen.password == hashed and citizen.check_password(nfd("mật khẩu cũ"))
    legacy.refresh_from_db()
    assert legacy.password == "legacy$" + nfd("muối$băm")


def test_dry_run_counts_and_writes_nothing(world, stored_decomposed, capsys):
    d = stored_decomposed["dossier"]
    out = run(capsys, "--dry-run")
    assert "dossiers.Dossier.applicant_name: sẽ đổi 1 bản ghi" in out
    assert "dossiers.Dossier.form_data: sẽ đổi 1 bản ghi" in out and "accounts.User.full_name: sẽ đổi 1" in out
    assert "password" not in out and "audit" not in out.split("Không xét")[0]
    assert Dossier.objects.get(pk=d.pk).applicant_name == nfd(NAME)


def test_a_second_run_changes_nothing_and_batches_cover_every_row(world, stored_decomposed, capsys):
    Payment.objects.create(dossier=stored_decomposed["dossier"], amount_vnd=8000,
                           fee_explanation=nfd("Lệ phí khai sinh"), merchant_ref=nfd("MC-Đức-1"))
    out = run(capsys, "--batch", "1")
    assert "payments.Payment.fee_explanation: đã đổi 1 bản ghi" in out
    pay = Payment.objects.get()
    assert pay.fee_explanation == "Lệ phí khai sinh" and pay.merchant_ref == nfd("MC-Đức-1")  # signed with the gateway
    again = run(capsys)
    assert "đã đổi 0 bản ghi (0 trường)" in again and ": đã đổi" not in again


def test_a_value_that_would_collide_with_a_unique_one_is_left_and_reported(world, capsys):
    world["counter"].__class__.objects.filter(pk=world["counter"].pk).update(username=nfd("cán_bộ"))
    world["leader"].__class__.objects.filter(pk=world["leader"].pk).update(username="cán_bộ")
    call_command("normalize_text")
    captured = capsys.readouterr()
    assert "không đổi được" in captured.err and "1 bản ghi không đổi được" in captured.out
    world["counter"].refresh_from_db()
    assert world["counter"].username == nfd("cán_bộ")


def test_each_writing_run_leaves_one_audit_entry_with_its_counts_per_table(world, stored_decomposed, capsys):
    def entries():
        return list(AuditEntry.objects.filter(action="core.text_normalized"))

    run(capsys, "--dry-run")
    assert entries() == []  # nothing written, nothing to record
    run(capsys)
    [entry] = entries()
    assert entry.actor_label == "quản trị hệ thống (dòng lệnh)" and entry.object_type == "database"
    assert entry.data["tables"] == {"accounts.User": 1, "dossiers.Dossier": 1}  # rows per table, not the rows
    assert entry.data["fields"]["dossiers.Dossier.applicant_name"] == 1 and entry.data["complete"] is True
    run(capsys)  # a second run, with nothing left, is an act all the same
    assert [e.data["tables"] for e in entries()] == [{"accounts.User": 1, "dossiers.Dossier": 1}, {}]
    chainer.chain_pending()
    call_command("verify_audit", "--without-anchors")
    assert "toàn vẹn" in capsys.readouterr().out


def test_a_run_stopped_by_an_error_records_what_it_had_written(world, stored_decomposed, capsys, monkeypatch):
    from django.db import DatabaseError

    from motcua.core import nfc_rewrite

    written, write = [], nfc_rewrite._write

    def lost_after_the_first_table(model, label, changes, result):
        if changes and written:
            raise DatabaseError("server closed the connection unexpectedly")
        write(model, label, changes, result)
        written.extend([label] if changes else [])

    monkeypatch.setattr(nfc_rewrite, "_write", lost_after_the_first_table)
    with pytest.raises(DatabaseError):
        call_command("normalize_text")
    [entry] = AuditEntry.objects.filter(action="core.text_normalized")
    assert entry.data["tables"] == {written[0]: 1} and entry.data["complete"] is False


def test_a_declaration_with_a_key_stored_both_ways_is_left_and_reported(world, stored_decomposed, capsys):
    d = stored_decomposed["dossier"]
    both = {"tỉnh": "Đà Nẵng", nfd("tỉnh"): "Quảng Ngãi"}  # one key once precomposed: a value would be lost
    Dossier.objects.filter(pk=d.pk).update(form_data=both)
    call_command("normalize_text")
    captured = capsys.readouterr()
    assert f"dossiers.Dossier #{d.pk}: không đổi được (Khóa «tỉnh» xuất hiện hai lần" in captured.err
    d.refresh_from_db()
    assert d.form_data == both and d.applicant_name == nfd(NAME)  # the row as it was, whole
    assert "accounts.User.full_name: đã đổi 1 bản ghi" in captured.out  # the other rows go on
