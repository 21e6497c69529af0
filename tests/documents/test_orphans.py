"""Orphan files: a rolled-back transaction removes the files it stored, and the daily sweep removes what a
killed process left, never a file some row refers to."""

import datetime as dt
import io
import os
import time

import pytest
from django.core.management import call_command
from django.db import transaction

from motcua.audit.models import AuditEntry
from motcua.documents.attachments import store_upload
from motcua.documents.models import Attachment, VaultItemKind
from motcua.documents.storage import document_storage
from motcua.documents.vault import add_to_vault, reuse_in_dossier

from .conftest import make_dossier, make_pdf, stored_files


class Boom(Exception):
    pass


def test_rolled_back_savepoint_removes_the_file(people, tmp_path):
    kept = store_upload(make_pdf("kept"), owner=people["citizen"], name="kept.pdf")
    with pytest.raises(Boom), transaction.atomic():
        store_upload(make_pdf("gone"), owner=people["citizen"], name="gone.pdf")
        assert len(stored_files(tmp_path)) == 2  # readable while the transaction runs
        raise Boom
    assert [p.name for p in stored_files(tmp_path)] == [os.path.basename(kept.storage_path)]
    assert Attachment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transaction_removes_the_file_and_a_committed_one_stays(people, tmp_path):
    dossier = make_dossier(people, status="submitted")
    with pytest.raises(Boom), transaction.atomic():  # as a submission: the dossier's files, then a refusal
        store_upload(make_pdf("a"), owner=people["citizen"], dossier=dossier, name="a.pdf")
        store_upload(make_pdf("b"), owner=people["citizen"], dossier=dossier, name="b.pdf")
        raise Boom
    assert stored_files(tmp_path) == [] and not Attachment.objects.exists()
    with transaction.atomic():
        att = store_upload(make_pdf("c"), owner=people["citizen"], dossier=dossier, name="c.pdf")
    assert att.read() == make_pdf("c")
    # A nested failure rolls back only its own savepoint's file.
    with transaction.atomic():
        with pytest.raises(Boom), transaction.atomic():
            store_upload(make_pdf("d"), owner=people["citizen"], name="d.pdf")
            raise Boom
        other = store_upload(make_pdf("e"), owner=people["citizen"], name="e.pdf")
    assert sorted(p.name for p in stored_files(tmp_path)) == sorted(
        os.path.basename(a.storage_path) for a in (att, other))


def _age(path, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def _orphan(name: str, content: bytes = b"%PDF-1.4 orphan") -> str:
    return document_storage().save(f"documents/2025/01/aa/{name}", io.BytesIO(content))


def test_sweep_removes_only_old_unreferenced_files(people, tmp_path, settings):
    from motcua.reporting.models import ReportJob

    media = tmp_path / "media"
    item = add_to_vault(store_upload(make_pdf("CCCD"), owner=people["citizen"], name="cccd.pdf"),
                        id_number="051090001234", kind=VaultItemKind.COMPONENT, title="Căn cước công dân")
    reused = reuse_in_dossier(item, make_dossier(people, status="submitted"), actor=people["citizen"])
    evidence = store_upload(make_pdf("minh chung"), owner=people["counter"], kind="evidence", name="mc.pdf")
    report_file = _orphan("report-kept-by-a-filefield.pdf")
    ReportJob.objects.create(scope="province", start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31), file=report_file)
    old_orphan = _orphan("orphan.pdf")
    young_orphan = _orphan("written-a-minute-ago.pdf")
    pki = tmp_path / "pki"
    pki.mkdir()
    (pki / "agency.key").write_bytes(b"secret")
    for path in media.rglob("*"):
        if path.is_file() and path.name != "written-a-minute-ago.pdf":
            _age(path, 48)

    out = io.StringIO()
    call_command("sweep_orphan_files", stdout=out)  # dry run: lists, deletes nothing
    assert f"mồ côi: {old_orphan}" in out.getvalue() and "--apply" in out.getvalue()
    assert len(stored_files(tmp_path)) == 5

    out = io.StringIO()
    call_command("sweep_orphan_files", "--apply", stdout=out)
    left = {str(p.relative_to(media)) for p in stored_files(tmp_path)}
    assert left == {item.attachment.storage_path, evidence.storage_path, report_file, young_orphan}
    assert reused.storage_path == item.attachment.storage_path and reused.read() == make_pdf("CCCD")
    assert (pki / "agency.key").read_bytes() == b"secret"
    assert "đã xóa 1" in out.getvalue()
    entry = AuditEntry.objects.get(action="documents.orphans_swept")
    assert entry.data["names"] == [old_orphan] and entry.data["removed"] == 1

    # A second run finds nothing; a younger threshold than an hour is refused.
    out = io.StringIO()
    call_command("sweep_orphan_files", "--apply", stdout=out)
    assert "0 mồ côi" in out.getvalue()
    # the sentence keeps its commas (the byte count's thousands separator once turned them all into full stops)
    assert "đang được tham chiếu, " in out.getvalue() and "không được nộp, quá hạn" in out.getvalue()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("sweep_orphan_files", "--older-than-hours", "0.5")


def test_restore_check_names_missing_files_and_skips_a_table_an_older_backup_lacks(people, tmp_path, monkeypatch):
    """After restoring an older release's backup, before `migrate`, a model added since has no table yet: the check
    of referenced files says what is missing instead of failing with a database error."""
    from django.db import models
    from django.test.utils import isolate_apps

    from motcua.documents import orphans

    with isolate_apps("motcua.documents"):
        class AddedLater(models.Model):
            file = models.FileField(upload_to="later/")

            class Meta:
                app_label = "documents"
                db_table = "documents_added_in_a_later_release"

    kept = store_upload(make_pdf("kept"), owner=people["citizen"], name="kept.pdf")
    lost = store_upload(make_pdf("lost"), owner=people["citizen"], name="lost.pdf")
    document_storage().delete(lost.storage_path)
    monkeypatch.setattr(orphans, "_references", lambda: [(Attachment, "storage_path"), (AddedLater, "file")])
    summary, problems = orphans.StoredFiles().run()
    assert summary.startswith("1/2 tệp")
    assert len(problems) == 1 and lost.storage_path in problems[0] and kept.storage_path not in problems[0]


def test_the_referenced_files_check_lists_only_the_directories_rows_name(people, tmp_path, monkeypatch):
    """Run after every backup and restore: with millions of stored documents it must not hold every stored name in
    memory, so it never lists the storage whole, only the directories of the names the rows hold, a few at a time."""
    from django.core.files.base import ContentFile

    from motcua.documents import orphans

    named = [store_upload(make_pdf(f"tep {n}"), owner=people["citizen"], name=f"tep-{n}.pdf") for n in range(3)]
    lost = store_upload(make_pdf("mat"), owner=people["citizen"], name="mat.pdf")
    storage = document_storage()
    storage.delete(lost.storage_path)
    for n in range(12):  # files no row names, in directories no row names
        storage.save(f"documents/khac/{n:02}/tep.pdf", ContentFile(b"%PDF"))
    asked = []
    listdir = type(storage).listdir
    monkeypatch.setattr(type(storage), "listdir", lambda self, path: asked.append(path) or listdir(self, path))
    monkeypatch.setattr(orphans, "_references", lambda: [(Attachment, "storage_path")])

    summary, problems = orphans.StoredFiles().run()

    assert summary.startswith("3/4 tệp")
    assert problems == [f"Tệp documents.Attachment.storage_path: {lost.storage_path} có trong dữ liệu nhưng không có "
                        "trong kho lưu trữ tệp."]
    rows_dirs = {a.storage_path.rpartition("/")[0] for a in [*named, lost]}
    assert sorted(asked) == sorted(rows_dirs)  # each once: the rows come ordered by name


def test_the_referenced_files_check_names_the_first_missing_files_and_counts_the_rest(people, monkeypatch):
    from motcua.documents import orphans

    for n in range(5):
        attachment = store_upload(make_pdf(f"mat {n}"), owner=people["citizen"], name=f"mat-{n}.pdf")
        document_storage().delete(attachment.storage_path)
    monkeypatch.setattr(orphans, "SHOWN", 2)

    summary, problems = orphans.StoredFiles().run()

    assert summary.startswith("0/5 tệp")
    assert len(problems) == 3 and problems[-1] == "… và 3 tệp khác cũng thiếu."
