"""Backup and restore of an installation: the database and the folders of files its apps own.

``backup(dest)`` writes a folder (mode 0700: it holds private keys):

    manifest.json        what was saved: every table's row count, the database file's SHA-256, each folder's file
                         count and the SHA-256 of its checksum list, each folder's notes (audit-anchors: the audit
                         chain's head), and the warnings of the ``checks`` (documents: files rows name that the live
                         system did not have, so the backup cannot carry them)
    manifest.json.hmac   the manifest's seal, when MOTCUA_BACKUP_KEY is configured (core.backup_seal)
    checksums/<folder>.sha256
                         every file of that folder with its SHA-256, one line each in ``sha256sum``'s format, in the
                         order of ``walk`` (a folder with millions of documents is listed and checked line by line:
                         no step holds all its names in memory)
    database.dump        PostgreSQL: ``pg_dump --format=custom`` of one snapshot (the counts come from it too)
    database.sqlite3     SQLite: a copy made with SQLite's online backup API
    files/media/…        uploaded files (MEDIA_ROOT)
    files/keys/…         the installation's own keys (MOTCUA_KEYS_DIR: TOTP key, audit anchor key)
    files/pki/…          signing keys and certificates (MOTCUA_PKI_DIR; registered by documents.pki)
    files/audit-anchors/ signed audit anchors (MOTCUA_AUDIT_ANCHOR_DIR; registered by audit.anchors)

The folders are plugins of ``folders`` (a ``core.plugins`` registry): the app that owns files registers their
folder, with what must happen before a backup (audit: anchor the chain) and what to check after a restore
(audit: the chain against the restored anchors), so this kernel module never imports the apps above it.

Order matters for a live system: every folder's ``before_backup`` runs first (the audit chain is anchored),
the keys, PKI and anchors are copied, then the database is dumped, then the uploaded files (a file is written
before the row that refers to it commits, so every file the dump refers to is already there).

``restore(src)`` loads such a folder into an EMPTY database (the one DATABASE_URL names, created beforehand
with ``createdb``) and empty folders, then checks it: every table's row count and every file's checksum
against the manifest and its lists (a file missing, different or not in the backup; at most ``PROBLEMS_SHOWN`` named per
folder), each folder's own check (the audit chain against the restored anchors) and the ``checks``
(documents: every file a row names is stored — the manifest alone cannot tell a file lost before the backup). It refuses
a database that already has tables or a folder that already has files. Keys given in the environment
(MOTCUA_TOTP_KEY) are not in the backup: keep them in the host's secret store. A backup of format 1 (every file's
digest in the manifest itself) still restores.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from . import backup_seal
from .backup_database import BackupError, copy_sqlite, dump_postgres, has_tables, load, refuse_pooler, table_counts
from .file_lists import compared, order, read_list, restored, save_folder, sha256
from .keyfiles import keys_dir
from .money import format_number
from .plugins import Registry

FORMAT = 2  # 1: every file's digest in manifest.json (still restored)
MANIFEST = "manifest.json"
LISTS = "checksums"
PROBLEMS_SHOWN = 200  # per folder: the rest are counted


class BackupFolder:
    """A folder of files an app owns, carried by every backup (a plugin of ``folders``, under its name)."""

    name: str
    copied_after_database = False  # files that rows refer to: copied after the dump, so none is missing

    def path(self) -> Path:
        raise NotImplementedError

    def before_backup(self) -> None:
        """Runs before anything is copied."""

    def note(self) -> dict | None:
        """What the manifest records about this folder besides its files."""
        return None

    def check_restored(self) -> tuple[str, list[str]]:
        """After a restore: a summary line for the operator, and the problems found."""
        return "", []


folders: Registry[type[BackupFolder]] = Registry("backup folder")


class WholeCheck:
    """A check that the installation's data is whole, no folder's own (documents: every file a row names is
    stored): after a backup its problems are warnings (the backup carries what the live system has), after a
    restore they are problems. A plugin of ``checks``."""

    def run(self) -> tuple[str, list[str]]:
        """A summary line for the operator, and the problems found."""
        raise NotImplementedError


checks: Registry[type[WholeCheck]] = Registry("backup check")


@folders.register("media")
class Uploads(BackupFolder):
    copied_after_database = True

    def path(self) -> Path:
        return Path(settings.MEDIA_ROOT)


@folders.register("keys")
class Keys(BackupFolder):
    def path(self) -> Path:
        return keys_dir()


def sections() -> dict[str, Path]:
    """The folders a backup carries, by name."""
    return {name: plugin().path() for name, plugin in folders.items()}


# --- backup --------------------------------------------------------------------------------------------------

def backup(dest: Path | str) -> dict:
    refuse_pooler()
    dest = Path(dest)
    try:
        backup_seal.configured()  # a key too short is refused before anything is copied
    except backup_seal.SealError as exc:
        raise BackupError(str(exc)) from None
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"Thư mục sao lưu {dest} đã có dữ liệu; hãy chọn một thư mục mới.")
    dest.mkdir(parents=True, exist_ok=True)
    dest.chmod(0o700)
    parts = {name: plugin() for name, plugin in folders.items()}
    for part in parts.values():
        part.before_backup()  # audit: the newest entries get an anchor that travels with this backup
    files: dict[str, dict] = {}

    def copy(after_database: bool) -> None:
        for name, part in parts.items():
            if part.copied_after_database == after_database:
                files[name] = save_folder(part.path(), dest / "files" / name, dest / LISTS / f"{name}.sha256")

    copy(after_database=False)
    vendor = connection.vendor
    if vendor == "postgresql":  # the dump's SHA-256 is computed as it is written (core.backup_database)
        db_file, (counts, db_digest) = "database.dump", dump_postgres(dest / "database.dump")
    elif vendor == "sqlite":
        db_file, (counts, db_digest) = "database.sqlite3", copy_sqlite(dest / "database.sqlite3")
    else:
        raise BackupError(f"Chưa hỗ trợ sao lưu cơ sở dữ liệu {vendor}.")
    copy(after_database=True)
    notes = {name: note for name, part in parts.items() if (note := part.note()) is not None}
    warnings = [problem for _name, check in checks.items() for problem in check().run()[1]]
    manifest = {"format": FORMAT, "created_at": timezone.now().isoformat(), "database": {
        "vendor": vendor, "file": db_file, "sha256": db_digest, "tables": counts}, "files": files,
        "notes": notes, "warnings": warnings}
    data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
    (dest / MANIFEST).write_bytes(data)
    return {**manifest, "sealed": backup_seal.seal(dest, data)}


# --- restore -------------------------------------------------------------------------------------------------

@dataclass
class RestoreReport:
    tables: int = 0
    rows: int = 0
    files: int = 0
    problems: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)  # each folder's summary line

    @property
    def ok(self) -> bool:
        return not self.problems


def _refuse_non_empty_targets(folders: dict[str, Path]) -> None:
    if has_tables():
        raise BackupError("Cơ sở dữ liệu đích đã có bảng: khôi phục chỉ vào một cơ sở dữ liệu trống "
                          "(tạo mới bằng createdb).")
    for name, folder in folders.items():
        if folder.is_dir() and any(p.is_file() for p in folder.rglob("*")):
            raise BackupError(f"Thư mục đích {folder} ({name}) đã có tệp: khôi phục chỉ vào thư mục trống.")


def _outside(rel: str) -> bool:
    parts = rel.split("/")
    return rel.startswith("/") or ".." in parts or "" in parts


def _lists_checked(src: Path, manifest: dict) -> None:
    """Every file a backup lists stays inside its folder (no absolute path, no «..»), and (format 2) every checksum
    list is the one the backup wrote (its SHA-256 in the manifest): refused before anything is restored. Each list is
    read once, its digest computed as its lines are checked."""
    for name, entry in manifest["files"].items():
        if manifest["format"] == 1:
            outside = next((rel for rel, _digest in _listed(src, manifest, name) if _outside(rel)), None)
        else:
            path, whole, outside = src / entry["list"], hashlib.sha256(), None
            try:
                for rel, _digest in read_list(path, whole) if path.is_file() else ():
                    if outside is None and _outside(rel):
                        outside = rel
            except ValueError:  # a line that is not «digest  name»: not the list the backup wrote
                whole = None
            if not path.is_file() or whole is None or whole.hexdigest() != entry["sha256"]:
                raise BackupError(f"Danh sách mã băm {path} của thư mục {name} thiếu hoặc đã bị sửa: bản sao lưu "
                                  "không còn nguyên vẹn.")
        if outside is not None:
            raise BackupError(f"Bản sao lưu liệt kê tệp «{outside}» của thư mục {name} nằm ngoài thư mục đó: không "
                              "khôi phục.")


def _database_checked(src: Path, manifest: dict) -> Path:
    """The backup's database file, there and (backups since 04/12/2026, which record it) with the SHA-256 the manifest
    names: refused before anything is restored."""
    name = manifest["database"]["file"]
    path = src / name
    if "/" in name or not path.is_file():
        raise BackupError(f"Bản sao lưu thiếu tệp cơ sở dữ liệu {path}: không khôi phục.")
    expected = manifest["database"].get("sha256")
    if expected is not None and sha256(path) != expected:
        raise BackupError(f"Tệp cơ sở dữ liệu {path} khác mã băm ghi trong manifest.json: bản sao lưu đã bị sửa hoặc "
                          "hỏng. Không khôi phục.")
    return path


def _listed(src: Path, manifest: dict, name: str) -> Iterator[tuple[str, str]]:
    """(relative path, SHA-256) of every file the backup holds in folder `name`, in ``walk``'s order."""
    entry = manifest["files"][name]
    if manifest["format"] == 1:  # the digests are in the manifest itself
        return iter(sorted(entry.items(), key=lambda item: order(item[0])))
    return read_list(src / entry["list"])


def restore(src: Path | str) -> RestoreReport:
    refuse_pooler()
    src = Path(src)
    try:
        data = (src / MANIFEST).read_bytes()
        manifest = json.loads(data)
    except (OSError, ValueError) as exc:
        raise BackupError(f"Không đọc được {src / MANIFEST}: đây không phải một bản sao lưu.") from exc
    if manifest.get("format") not in (1, FORMAT):
        raise BackupError(f"Bản sao lưu có định dạng {manifest.get('format')}, phiên bản này đọc định dạng 1 và "
                          f"{FORMAT}: khôi phục bằng phiên bản đã tạo ra nó.")
    if manifest["database"]["vendor"] != connection.vendor:
        raise BackupError(f"Bản sao lưu là cơ sở dữ liệu {manifest['database']['vendor']}, cấu hình hiện tại là "
                          f"{connection.vendor}.")
    try:
        origin = backup_seal.check(src, data)
    except backup_seal.SealError as exc:
        raise BackupError(str(exc)) from None
    targets = sections()
    unknown = sorted(set(manifest["files"]) - set(targets))
    if unknown:
        raise BackupError(f"Bản sao lưu có thư mục mà cài đặt này không có: {', '.join(unknown)}.")
    _lists_checked(src, manifest)
    db_file = _database_checked(src, manifest)
    _refuse_non_empty_targets(targets)
    load(db_file)
    # Each folder's files are copied back and checked in one pass (file_lists.restored: its list read once more).
    differences = {name: restored(functools.partial(_listed, src, manifest, name), src / "files" / name, targets[name])
                   for name in manifest["files"]}
    report = _report(manifest, differences)
    report.checks.append(origin)
    return report


def check_restored(manifest: dict, targets: dict[str, Path], src: Path) -> RestoreReport:
    """Compare the configured installation with a backup (`src`, its `manifest`), then run each folder's own check."""
    return _report(manifest, {name: compared(_listed(src, manifest, name), targets[name]) for name in manifest["files"]})


def _report(manifest: dict, differences: dict[str, Iterable[tuple[str, bool]]]) -> RestoreReport:
    """Every table's row count against the manifest, then each folder's `differences` (``file_lists.compared``'s or
    ``restored``'s: (relative path, whether the backup has it), consumed here, folder after folder, before the checks
    below run), then each folder's own check and the ``checks``."""
    report = RestoreReport()
    counts = table_counts()
    for table, expected in manifest["database"]["tables"].items():
        if counts.get(table) != expected:
            report.problems.append(f"Bảng {table}: {counts.get(table)} dòng, bản sao lưu có {expected}.")
    report.tables, report.rows = len(counts), sum(counts.values())
    for name, found_in in differences.items():
        found = 0
        for rel, in_backup in found_in:
            found += 1
            if found <= PROBLEMS_SHOWN:
                report.problems.append(f"Tệp {name}/{rel} thiếu hoặc khác bản sao lưu." if in_backup
                                       else f"Tệp {name}/{rel} không có trong bản sao lưu.")
        if found > PROBLEMS_SHOWN:
            report.problems.append(f"… và {format_number(found - PROBLEMS_SHOWN)} tệp khác của thư mục {name} có vấn "
                                   f"đề (chỉ liệt kê {PROBLEMS_SHOWN} tệp đầu).")
        entry = manifest["files"][name]
        report.files += len(entry) if manifest["format"] == 1 else entry["count"]
    runs = [plugin().check_restored for _name, plugin in folders.items()]
    runs += [check().run for _name, check in checks.items()]  # documents: every file a row names is there
    for run in runs:
        summary, problems = run()
        if summary:
            report.checks.append(summary)
        report.problems.extend(problems)
    return report
