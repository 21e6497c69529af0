"""The database part of a backup (core.backup): its dump or copy, written and digested in one pass, its row counts, and
its load on a restore.

PostgreSQL: ``pg_dump --format=custom`` writes to a pipe; its bytes go into ``database.dump`` through SHA-256 as they
come, so the dump is read once. A dump written to a pipe has no data offsets in its table of contents (pg_dump seeks
back to write them only into a file it opens itself): pg_restore reads such a file block after block, which is how a
whole restore reads it anyway; ``pg_restore --list``, ``--table`` and ``--jobs`` still work on it (tried with
PostgreSQL 15, docs/operations.md "Backup and restore"). A pg_dump that fails, or a dump that cannot be written, leaves
no ``database.dump`` behind and stops the backup before its manifest is written.

SQLite: the online backup API writes the copy page by page through SQLite itself, which no Python code sees, so the
copy is read once after it is made, for its digest.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection

from .file_lists import copy_stream, sha256

ERRORS_SHOWN = 2000  # characters of a failing command's own message


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is Vietnamese."""


def _tables() -> list[str]:
    with connection.cursor() as cur:
        return sorted(connection.introspection.table_names(cur))


def has_tables() -> bool:
    return bool(_tables())


def _count_sql(table: str) -> str:
    return f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}"


def table_counts() -> dict[str, int]:
    """Row count of every table of the configured database."""
    with connection.cursor() as cur:
        counts = {}
        for table in _tables():
            cur.execute(_count_sql(table))
            counts[table] = cur.fetchone()[0]
    return counts


def _pg() -> tuple[dict, list[str], dict]:
    """Connection parameters of the configured PostgreSQL database, as psycopg, command-line and environment."""
    db = settings.DATABASES["default"]
    params = {"host": db.get("HOST") or "127.0.0.1", "port": str(db.get("PORT") or 5432),
              "user": db.get("USER") or "postgres", "password": db.get("PASSWORD") or None, "dbname": db["NAME"]}
    cli = ["-h", params["host"], "-p", params["port"], "-U", params["user"]]
    env = {**os.environ, **({"PGPASSWORD": params["password"]} if params["password"] else {})}
    return params, cli, env


def refuse_pooler() -> None:
    """pg_dump and pg_restore set ``search_path`` to '' for their session: behind pgbouncer's transaction pooling
    that setting stays on the server connection they used, and the application's next queries there find no
    table (seen: every query after a restore through pgbouncer). They must reach PostgreSQL directly."""
    if connection.vendor == "postgresql" and settings.MOTCUA_DB_TRANSACTION_POOLING:
        raise BackupError("Không sao lưu, khôi phục qua pgbouncer (MOTCUA_DB_TRANSACTION_POOLING): pg_dump và "
                          "pg_restore đổi search_path của kết nối dùng chung. Chạy lệnh với DATABASE_URL trỏ thẳng "
                          "tới máy chủ chính (cổng dẫn tới leader của haproxy) và MOTCUA_DB_TRANSACTION_POOLING=0.")


def _failed(command: str, code: int, message: str) -> BackupError:
    message = message.strip()[:ERRORS_SHOWN]
    return BackupError(f"Lệnh {command} thất bại: {message}" if message
                       else f"Lệnh {command} thất bại (mã thoát {code}), không kèm thông báo lỗi.")


def _not_started(command: str, exc: OSError) -> BackupError:
    return BackupError(f"Không chạy được lệnh {command} ({exc.strerror}): cài PostgreSQL client cùng phiên bản với "
                       "máy chủ, hoặc thêm thư mục chứa nó vào PATH.")


def _run(cmd: list[str], env: dict) -> None:
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    except OSError as exc:
        raise _not_started(cmd[0], exc) from exc
    if done.returncode != 0:
        raise _failed(cmd[0], done.returncode, done.stderr)


def _streamed(cmd: list[str], env: dict, target: Path) -> str:
    """Run `cmd`, writing its standard output into `target` through SHA-256; return the digest. Its standard error
    goes to a temporary file (a pipe nobody reads could stop it). A command that fails, or output that cannot be
    written, removes `target` and raises BackupError."""
    try:
        with tempfile.TemporaryFile() as errors, open(target, "wb") as out:
            try:
                proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=errors)
            except OSError as exc:
                raise _not_started(cmd[0], exc) from exc
            with proc:
                try:
                    digest = copy_stream(proc.stdout, out)
                    out.flush()
                    os.fsync(out.fileno())
                except OSError as exc:
                    proc.kill()
                    raise BackupError(f"Không ghi được {target} ({exc.strerror}): bản sao lưu chưa hoàn tất.") from exc
                except BaseException:
                    proc.kill()
                    raise
            if proc.returncode != 0:  # its output may look whole: only the exit status says it is not
                errors.seek(0)
                raise _failed(cmd[0], proc.returncode, errors.read().decode("utf-8", "replace"))
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return digest


def dump_postgres(target: Path) -> tuple[dict[str, int], str]:
    """pg_dump of one exported snapshot into `target`, and its SHA-256; the row counts are read in that same
    snapshot."""
    import psycopg

    params, cli, env = _pg()
    with psycopg.connect(**params, autocommit=True) as conn:  # the transaction is opened by hand below
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        counts = {t: conn.execute(_count_sql(t)).fetchone()[0] for t in _tables()}
        digest = _streamed(["pg_dump", *cli, "--format=custom", f"--snapshot={snapshot}", "--no-owner",
                            "--no-privileges", params["dbname"]], env, target)
        conn.execute("ROLLBACK")
    return counts, digest


def copy_sqlite(target: Path) -> tuple[dict[str, int], str]:
    connection.ensure_connection()
    with contextlib.closing(sqlite3.connect(target)) as dst:
        connection.connection.backup(dst)
        counts = {t: dst.execute(_count_sql(t)).fetchone()[0] for t in _tables()}
    return counts, sha256(target)


def load(db_file: Path) -> None:
    """Load a backup's database file into the configured (empty) database."""
    if connection.vendor == "postgresql":
        params, cli, env = _pg()
        _run(["pg_restore", *cli, "--no-owner", "--no-privileges", "--exit-on-error", "-d", params["dbname"],
              str(db_file)], env)
    else:
        connection.ensure_connection()
        with contextlib.closing(sqlite3.connect(db_file)) as backup_db:
            backup_db.backup(connection.connection)
