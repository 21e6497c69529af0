"""Backup, then restore into an empty database and data folder: same rows, same files, the audit chain verifies."""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from motcua.core import backup as backups
from motcua.core import file_lists
from motcua.documents import pki
from motcua.documents.attachments import store_upload
from motcua.dossiers import lifecycle
from tests.factories import AgencyFactory, citizen, officer, procedure_with_steps
from tests.web.conftest import pdf_bytes

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def installation(settings, tmp_path):
    """A small live installation: a received dossier with an upload, the audit trail, PKI, keys, anchors."""
    settings.MEDIA_ROOT = str(tmp_path / "live" / "media")
    settings.MOTCUA_PKI_DIR = str(tmp_path / "live" / "pki")
    agency = AgencyFactory(name="UBND xã Tịnh Khê")
    proc = procedure_with_steps(name="Đăng ký khai sinh")
    proc.agencies.add(agency)
    applicant, clerk = citizen(username="congdan", id_number="051190001234"), officer("counter_officer", agency)
    dossier = lifecycle.submit_online(applicant=applicant, procedure=proc, agency=agency,
                                      applicant_data={"name": "Trần Thị Mai", "id_number": "051190001234"},
                                      form_data={"ghi_chu": "bản sao"}, return_method="online")
    store_upload(pdf_bytes(), owner=applicant, dossier=dossier, name="giay-chung-sinh.pdf")
    lifecycle.receive(dossier, officer=clerk)
    pki.issue_missing(agency)
    call_command("create_keys")
    call_command("anchor_audit")
    return settings


def checksums(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file() and p.suffix != ".lock"}


def live_folders() -> dict:
    return {name: folder for name, folder in backups.sections().items()}


def manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, capture_output=True, text=True,
                          timeout=300)


def restored_env(data_dir: Path, database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.update({"MOTCUA_DEMO": "1", "MOTCUA_DATA_DIR": str(data_dir), "DATABASE_URL": database_url,
                "DJANGO_SETTINGS_MODULE": "motcua.settings"})
    return env


@pytest.fixture
def empty_database(tmp_path):
    """An empty database of the same engine, and its URL."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored' / 'motcua.sqlite3'}", None
        return
    import psycopg

    db = connection.settings_dict
    name = f"{db['NAME']}_restore_{uuid.uuid4().hex[:6]}"
    params = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"] or "postgres",
              "password": db["PASSWORD"] or None}
    with psycopg.connect(**params, dbname="postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgres://{params['user']}@{params['host']}:{params['port']}/{name}"
    try:
        yield url, (params, name)
    finally:
        with psycopg.connect(**params, dbname="postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def restored_counts(url: str, target) -> dict:
    tables = backups.table_counts().keys()
    if target is None:
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
    import psycopg

    params, name = target
    with psycopg.connect(**params, dbname=name) as db:
        return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


def test_restore_into_an_empty_installation_gives_back_everything(installation, empty_database, tmp_path):
    url, target = empty_database
    saved = tmp_path / "sao-luu"
    key = "5e" * 32  # sealed with a key from the host's secret store (core/backup_seal.py)
    installation.MOTCUA_BACKUP_KEY = key
    out = io.StringIO()
    call_command("backup", str(saved), stdout=out)
    assert "Đã ký manifest.json bằng MOTCUA_BACKUP_KEY" in out.getvalue()
    assert (saved / "manifest.json").is_file() and saved.stat().st_mode & 0o077 == 0
    assert (saved / "manifest.json.hmac").is_file()
    source_counts = backups.table_counts()
    source_files = {name: checksums(folder) for name, folder in live_folders().items()}
    assert source_counts["dossiers_dossier"] == 1 and source_counts["audit_auditentry"] >= 3
    assert source_files["media"] and source_files["pki"] and source_files["keys"] and source_files["audit-anchors"]

    data_dir = tmp_path / "restored"
    env = restored_env(data_dir, url)
    done = manage("restore", str(saved), env={**env, "MOTCUA_BACKUP_KEY": "6f" * 32})  # not the key it was sealed with
    assert done.returncode != 0 and "không khớp manifest.json" in done.stderr, done.stderr
    assert not data_dir.exists() or not any(p.is_file() for p in data_dir.rglob("*"))  # nothing restored
    done = manage("restore", str(saved), env={**env, "MOTCUA_BACKUP_KEY": key})
    assert done.returncode == 0, done.stderr
    assert "khớp bản sao lưu" in done.stdout and "mốc neo" in done.stdout
    assert "Chữ ký bản sao lưu (MOTCUA_BACKUP_KEY) hợp lệ" in done.stdout

    # Checked here independently of the command: every table's rows, every file's bytes, the audit chain.
    assert restored_counts(url, target) == source_counts
    folders = {"media": data_dir / "media", "pki": data_dir / "pki", "keys": data_dir / "keys",
               "audit-anchors": data_dir / "audit-anchors"}
    assert {name: checksums(folder) for name, folder in folders.items()} == source_files
    verified = manage("verify_audit", env=env)
    assert verified.returncode == 0 and "toàn vẹn" in verified.stdout, verified.stderr

    again = manage("restore", str(saved), env=env)
    assert again.returncode != 0 and "trống" in again.stderr  # never over an installation that has data


def test_backup_refuses_a_folder_that_has_files(installation, tmp_path):
    (tmp_path / "cu").mkdir()
    (tmp_path / "cu" / "x.txt").write_text("cũ")
    with pytest.raises(CommandError, match="đã có dữ liệu"):
        call_command("backup", str(tmp_path / "cu"))


def test_a_file_lost_before_the_backup_is_named_by_the_backup_and_the_restore(installation, empty_database,
                                                                              tmp_path, capsys):
    """The manifest lists only the files that were there: a document lost from the live storage (another disk,
    a hand-made copy) must not make a restore say everything came back."""
    url, _target = empty_database
    lost = next(p for p in (Path(installation.MEDIA_ROOT) / "documents").rglob("*") if p.is_file())
    lost.unlink()
    call_command("backup", str(tmp_path / "sao-luu"))
    assert lost.name in capsys.readouterr().err  # the operator learns it the day of the backup

    done = manage("restore", str(tmp_path / "sao-luu"), env=restored_env(tmp_path / "restored", url))
    assert done.returncode == 1
    assert lost.name in done.stderr and "không có trong kho lưu trữ" in done.stderr


def test_a_file_the_list_names_but_the_backup_folder_lost_is_named_not_fatal(installation, empty_database, tmp_path):
    """A backup copied by hand (or a disk error) may lose a file its list names: the restore goes on with the rest and
    its check names that file, instead of stopping half-way with a traceback."""
    url, target = empty_database
    saved = tmp_path / "sao-luu"
    call_command("backup", str(saved))
    lost = next(p for p in (saved / "files" / "media" / "documents").rglob("*") if p.is_file())
    lost.unlink()
    rel = lost.relative_to(saved / "files" / "media").as_posix()
    source_pki = checksums(Path(installation.MOTCUA_PKI_DIR))

    done = manage("restore", str(saved), env=restored_env(tmp_path / "restored", url))

    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert f"Tệp media/{rel} thiếu hoặc khác bản sao lưu." in done.stderr
    assert not (tmp_path / "restored" / "media" / rel).exists()
    assert checksums(tmp_path / "restored" / "pki") == source_pki  # the other files all came back
    assert restored_counts(url, target) == backups.table_counts()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pgbouncer stands in front of PostgreSQL only")
@pytest.mark.parametrize("command", ["backup", "restore"])
def test_backup_and_restore_refuse_to_go_through_pgbouncer(command, settings, tmp_path):
    """pg_restore through pgbouncer left search_path '' on the pooled connection: every query after it failed."""
    settings.MOTCUA_DB_TRANSACTION_POOLING = True
    with pytest.raises(CommandError, match="pgbouncer.*DATABASE_URL trỏ thẳng"):
        call_command(command, str(tmp_path / "sao-luu"))
    assert not (tmp_path / "sao-luu").exists()


def test_a_backup_made_before_the_checksum_lists_still_restores(installation, empty_database, tmp_path):
    """Format 1 kept every file's digest in manifest.json: the backups an installation already has stay restorable
    (and checked) after an upgrade."""
    url, target = empty_database
    saved = tmp_path / "sao-luu"
    call_command("backup", str(saved))
    manifest = json.loads((saved / "manifest.json").read_text())
    manifest["format"] = 1
    manifest["files"] = {name: dict(file_lists.read_list(saved / entry["list"]))
                         for name, entry in manifest["files"].items()}
    shutil.rmtree(saved / "checksums")
    (saved / "manifest.json").write_text(json.dumps(manifest))
    source_files = {name: checksums(folder) for name, folder in live_folders().items()}
    (saved / "files" / "keys" / "totp.key").write_bytes(b"doi")  # and its check still compares every file

    done = manage("restore", str(saved), env=restored_env(tmp_path / "restored", url))

    assert done.returncode == 1 and "Tệp keys/totp.key thiếu hoặc khác bản sao lưu." in done.stderr, done.stderr
    assert restored_counts(url, target) == backups.table_counts()
    assert checksums(tmp_path / "restored" / "media") == source_files["media"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump dumps PostgreSQL only")
@pytest.mark.parametrize("pg_dump", ["fails after its whole output", "absent"])
def test_a_backup_whose_pg_dump_fails_says_so_and_leaves_nothing_that_restores(pg_dump, installation, tmp_path,
                                                                                monkeypatch):
    """The dump goes through a pipe into the backup: only pg_dump's exit status tells a dump cut short (a lost
    connection, a query cancelled) from a whole one, and the operator must not find a folder that looks complete."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if pg_dump == "absent":
        monkeypatch.setenv("PATH", str(bin_dir))
        expected = "Không chạy được lệnh pg_dump"
    else:
        (bin_dir / "pg_dump").write_text(f'#!/bin/sh\n"{shutil.which("pg_dump")}" "$@"\n'
                                         'echo "pg_dump: error: query failed: server closed the connection" >&2\n'
                                         "exit 1\n")
        (bin_dir / "pg_dump").chmod(0o755)
        monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
        expected = "Lệnh pg_dump thất bại: pg_dump: error: query failed: server closed the connection"
    saved = tmp_path / "sao-luu"

    with pytest.raises(CommandError, match=expected):
        call_command("backup", str(saved))

    assert not (saved / "database.dump").exists() and not (saved / "manifest.json").exists()
    with pytest.raises(backups.BackupError, match="đây không phải một bản sao lưu"):
        backups.restore(saved)


def test_a_database_file_altered_after_the_backup_is_refused(installation, tmp_path):
    """The digest is taken while the dump is written (PostgreSQL) or right after the copy (SQLite): the file's bytes
    changed afterwards, by one byte, still stop the restore before it loads anything."""
    saved = tmp_path / "sao-luu"
    call_command("backup", str(saved))
    manifest = json.loads((saved / "manifest.json").read_text())
    database = saved / manifest["database"]["file"]
    assert manifest["database"]["sha256"] == file_lists.sha256(database)
    data = bytearray(database.read_bytes())
    data[len(data) // 2] ^= 1
    database.write_bytes(bytes(data))

    with pytest.raises(backups.BackupError, match="khác mã băm ghi trong manifest.json"):
        backups.restore(saved)
