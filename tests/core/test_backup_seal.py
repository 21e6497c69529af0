"""What a restore checks before it touches anything: the database file against its digest in the manifest, and the
manifest against its seal (MOTCUA_BACKUP_KEY), so that a backup someone edited, files and digests alike, is refused."""

import json

import pytest

from motcua.core import backup as backups
from motcua.core import backup_seal, file_lists

pytestmark = pytest.mark.django_db

KEY = "a3f1" * 16  # 64 characters, as `openssl rand -hex 32` prints


def _backup(folder, *, database=b"SQLite format 3\x00 bang ho so", sealed_with=None, settings=None):
    """A minimal backup folder as ``backup`` writes it: a database file, its digest, an empty checksum list."""
    folder.mkdir()
    (folder / "database.sqlite3").write_bytes(database)
    (folder / "checksums").mkdir()
    (folder / "checksums" / "media.sha256").write_text("")
    manifest = {"format": backups.FORMAT, "database": {
        "vendor": backups.connection.vendor, "file": "database.sqlite3",
        "sha256": file_lists.sha256(folder / "database.sqlite3"), "tables": {}},
        "files": {"media": {"count": 0, "list": "checksums/media.sha256",
                            "sha256": file_lists.sha256(folder / "checksums" / "media.sha256")}}}
    data = json.dumps(manifest).encode()
    (folder / "manifest.json").write_bytes(data)
    if sealed_with:
        settings.MOTCUA_BACKUP_KEY = sealed_with
        assert backup_seal.seal(folder, data)
    return manifest


def _edit(folder, manifest, database: bytes):
    """What someone holding the backup can do without the key: change the database and write its new digest."""
    (folder / "database.sqlite3").write_bytes(database)
    manifest["database"]["sha256"] = file_lists.sha256(folder / "database.sqlite3")
    (folder / "manifest.json").write_bytes(json.dumps(manifest).encode())


def test_a_database_file_that_differs_from_its_digest_is_refused_before_anything(settings, tmp_path):
    settings.MOTCUA_BACKUP_KEY = ""
    folder = tmp_path / "sao-luu"
    _backup(folder)
    (folder / "database.sqlite3").write_bytes(b"SQLite format 3\x00 da sua")
    with pytest.raises(backups.BackupError, match="khác mã băm ghi trong manifest.json"):
        backups.restore(folder)
    (folder / "database.sqlite3").unlink()
    with pytest.raises(backups.BackupError, match="thiếu tệp cơ sở dữ liệu"):
        backups.restore(folder)


def test_without_a_key_an_edit_with_its_digest_is_not_caught_and_the_restore_says_the_origin_was_not_checked(
        settings, tmp_path):
    settings.MOTCUA_BACKUP_KEY = ""
    folder = tmp_path / "sao-luu"
    manifest = _backup(folder)
    _edit(folder, manifest, b"SQLite format 3\x00 da sua")
    assert backup_seal.check(folder, (folder / "manifest.json").read_bytes()).startswith(
        "Chưa kiểm tra nguồn gốc bản sao lưu")
    with pytest.raises(backups.BackupError, match="đích đã có bảng"):  # past every check of the backup: the test's database
        backups.restore(folder)


def test_with_the_key_a_sealed_backup_passes_and_an_edited_one_is_refused(settings, tmp_path):
    folder = tmp_path / "sao-luu"
    manifest = _backup(folder, sealed_with=KEY, settings=settings)
    assert backup_seal.check(folder, (folder / "manifest.json").read_bytes()) == (
        "Chữ ký bản sao lưu (MOTCUA_BACKUP_KEY) hợp lệ.")
    with pytest.raises(backups.BackupError, match="đích đã có bảng"):  # the seal and the digests hold
        backups.restore(folder)

    _edit(folder, manifest, b"SQLite format 3\x00 da sua")
    with pytest.raises(backups.BackupError, match="không khớp manifest.json"):
        backups.restore(folder)


def test_with_the_key_an_unsealed_backup_or_one_sealed_with_another_key_is_refused(settings, tmp_path):
    unsealed = tmp_path / "chua-ky"
    _backup(unsealed)
    other = tmp_path / "khoa-khac"
    _backup(other, sealed_with="b7" * 32, settings=settings)

    settings.MOTCUA_BACKUP_KEY = KEY
    with pytest.raises(backups.BackupError, match="không có chữ ký manifest.json.hmac"):
        backups.restore(unsealed)
    with pytest.raises(backups.BackupError, match="hoặc được ký bằng khóa khác"):
        backups.restore(other)


def test_a_key_too_short_is_refused_before_the_backup_copies_anything(settings, tmp_path):
    settings.MOTCUA_BACKUP_KEY = "ngan-qua"
    with pytest.raises(backups.BackupError, match="MOTCUA_BACKUP_KEY quá ngắn"):
        backups.backup(tmp_path / "sao-luu")
    assert not (tmp_path / "sao-luu").exists()
