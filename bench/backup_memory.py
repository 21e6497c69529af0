#!/usr/bin/env python
"""Memory of a backup's file part and of a restore's file check, as the number of stored documents grows: the
checksum lists read and written line by line (``core.backup``, format 2) beside the format 1 way, which held every
file's name and digest in a dict for the manifest and built a second dict of the restored folder to compare.

Builds ``-n`` small files in a scratch folder (about a hundred per directory, as uploads are spread by date), then,
for each way in turn, copies the folder as a backup does and checks the copy as a restore does, and prints the peak of
Python's allocations (tracemalloc) for each, side by side, with the time each took.

Then the check that runs after every backup and restore beside the folders' (``documents.orphans.missing``: every file
a row names is stored), over the same files as the rows naming them, in name order as the database hands them: the
way it was (one set of every name under ``documents/``) beside the listing of a few directories at a time.

Then the listing of one flat directory of ``-n`` files beside the same number spread a hundred a directory (the
sorting of one directory's names in ``file_lists.walk``).

Then the commands themselves, ``manage.py backup`` and ``manage.py restore``, each in its own process, over the same
files and a migrated scratch database (SQLite, or PostgreSQL when DATABASE_URL names a server: databases
``<its name>_bench_*`` are created there and dropped) to which a table of ``--database-mb`` MB of random bytes is added,
so that the dump weighs something. For each repository given with ``--trees`` (default: this one; give the old
checkout's beside it to measure before and after in the same run), in turn: the time, the peak resident memory
(VmHWM) and the bytes the command's Python process read (``rchar`` of /proc/self/io at its exit: files, pipes
and sockets alike, the Python modules it imports included).

    PYTHONPATH=src .venv/bin/python bench/backup_memory.py -n 60000
    PYTHONPATH=src .venv/bin/python bench/backup_memory.py -n 60000 --commands-only --trees . ../motcua-old
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from motcua.core import file_lists  # noqa: E402  (pure file helpers: no Django set-up needed)


def _name(n: int) -> str:
    return f"documents/2026/{n // 10000:02}/{n // 100 % 100:02}/{n:08}-giay-to.pdf"


def _build(folder: Path, count: int) -> None:
    for n in range(count):
        path = folder / _name(n)
        if n % 100 == 0:
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%PDF-1.7 " + str(n).encode() * 20)


def _format1(live: Path, out: Path) -> int:
    """What format 1 did: the digests in one dict (into manifest.json), the copy, then a dict of the copy compared."""
    files = {p.relative_to(live).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(live.rglob("*")) if p.is_file() and p.suffix != ".lock"}
    for rel in files:
        target = out / "files" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(live / rel, target)
    (out / "manifest.json").write_text(json.dumps({"format": 1, "files": {"media": files}}))
    manifest = json.loads((out / "manifest.json").read_text())
    copied = out / "files"
    actual = {p.relative_to(copied).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
              for p in sorted(copied.rglob("*")) if p.is_file() and p.suffix != ".lock"}
    return sum(actual.get(rel) != digest for rel, digest in manifest["files"]["media"].items())


def _format2(live: Path, out: Path) -> int:
    """Format 2: copy and list line by line, then merge the list with a walk of the copy."""
    entry = file_lists.save_folder(live, out / "files", out / "checksums" / "media.sha256")
    return sum(1 for _ in file_lists.compared(file_lists.read_list(out / entry["list"]), out / "files"))


def _measure(way, live: Path, scratch: Path) -> tuple[float, float, int]:
    out = scratch / way.__name__
    tracemalloc.start()
    started = time.perf_counter()
    problems = way(live, out)
    spent = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    shutil.rmtree(out, ignore_errors=True)
    return peak / 2**20, spent, problems


def _referenced_check(scratch: Path, count: int) -> list[tuple[str, object]]:
    """The two ways of ``documents.orphans.missing`` over a storage of `count` files that the rows all name."""
    os.environ.update({"DJANGO_SETTINGS_MODULE": "motcua.settings", "MOTCUA_DEMO": "1",
                       "MOTCUA_DATA_DIR": str(scratch / "data")})
    import django

    django.setup()
    from django.core.files.storage import FileSystemStorage

    from motcua.documents import orphans

    storage = FileSystemStorage(location=scratch / "live")

    def rows():  # the names as the database's iterator hands them: ordered by name, a chunk at a time
        return (_name(n) for n in range(count))

    def listing_whole(_live, _out) -> int:
        stored = set(orphans.walk(storage, orphans.ROOT))
        return sum(1 for name in rows() if name not in stored and not storage.exists(name))

    def listing_by_directory(_live, _out) -> int:
        stored = orphans._Listings(storage)
        return sum(1 for name in rows() if name not in stored)

    return [("tất cả tên trong một set", listing_whole), ("từng thư mục, tối đa 8 một lúc", listing_by_directory)]


def _flat_walk(scratch: Path, count: int) -> None:
    """``file_lists.walk`` sorts one directory's entries in memory: its peak over one directory of `count` files (the
    flat folders, reports/ and dx-papers/, hold one file per build) beside the nested layout of uploads."""
    flat = scratch / "flat"
    flat.mkdir()
    for n in range(count):
        (flat / f"{n:032x}.pdf").touch()  # a build's name: a token of 32 characters
    files = f"{count:,}".replace(",", ".")
    print(f"Liệt kê theo thứ tự (file_lists.walk), {files} tệp:")
    print(f"{'thư mục':<34}{'bộ nhớ đỉnh (MiB)':>20}{'thời gian (s)':>16}")
    for label, folder in (("một thư mục phẳng", flat), ("100 tệp một thư mục", scratch / "live")):
        tracemalloc.start()
        started = time.perf_counter()
        sum(1 for _rel in file_lists.walk(folder))
        spent, peak = time.perf_counter() - started, tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"{label:<34}{peak / 2**20:>20.1f}{spent:>16.1f}".replace(".", ","))
    shutil.rmtree(flat)


def _table(title: str, ways, live: Path, scratch: Path) -> None:
    print(title)
    print(f"{'cách làm':<34}{'bộ nhớ đỉnh (MiB)':>20}{'thời gian (s)':>16}{'sai khác':>10}")
    for label, way in ways:
        peak, spent, problems = _measure(way, live, scratch)
        print(f"{label:<34}{peak:>20.1f}{spent:>16.1f}{problems:>10}".replace(".", ","))


# --- the commands, each in its own process -----------------------------------------------------------------------

# Runs manage.py in this process and prints, at exit, how many bytes the process read (/proc/self/io) and its peak
# resident memory (VmHWM of /proc/self/status: this program's own, where the ru_maxrss that wait4 gives counts the
# memory of the process that started it, before exec). Linux.
_RUN_COUNTING_READS = """import atexit, runpy, sys
def _reads():
    with open("/proc/self/io") as fh:
        sys.stderr.write("BENCH-RCHAR " + fh.read().split()[1] + "\\n")
    with open("/proc/self/status") as fh:
        sys.stderr.write("BENCH-" + next(line for line in fh if line.startswith("VmHWM:")))
atexit.register(_reads)
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


class _Databases:
    """Scratch databases of the engine DATABASE_URL names (SQLite files by default)."""

    def __init__(self, scratch: Path):
        self.scratch, self.url, self.made = scratch, os.environ.get("DATABASE_URL", ""), []

    def new(self, label: str) -> str:
        if not self.url.startswith("postgres"):
            return f"sqlite:///{self.scratch / f'{label}.sqlite3'}"
        import psycopg

        base, name = self.url.rsplit("/", 1)
        name = f"{name}_bench_{label}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        self.made.append((base, name))
        return f"{base}/{name}"

    def drop(self) -> None:
        for base, name in self.made:
            import psycopg

            with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _fill(url: str, megabytes: int) -> None:
    """A table of random bytes, 1 MB a row, that every backup dumps and every restore loads and counts."""
    if url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            db.execute("CREATE TABLE bench_filler (id integer PRIMARY KEY, data blob)")
            db.executemany("INSERT INTO bench_filler (data) VALUES (?)", ((os.urandom(1 << 20),) for _ in range(megabytes)))
        return
    import psycopg

    with psycopg.connect(url) as db:
        db.execute("CREATE TABLE bench_filler (id serial PRIMARY KEY, data bytea)")
        for _ in range(megabytes):
            db.execute("INSERT INTO bench_filler (data) VALUES (%s)", (os.urandom(1 << 20),))


def _command(tree: Path, env: dict, *args: str) -> tuple[float, float, float]:
    """Run ``manage.py *args`` of `tree`: seconds, peak resident MiB, MiB its Python process read."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", _RUN_COUNTING_READS, str(tree / "manage.py"), *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    errors = proc.stderr.read()
    proc.wait()
    spent = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} ({tree}) failed:\n{errors[-3000:]}")
    figures = dict(line.removeprefix("BENCH-").split()[:2] for line in errors.splitlines() if line.startswith("BENCH-"))
    return spent, int(figures["VmHWM:"]) / 1024, int(figures["RCHAR"]) / 2**20


def _commands(scratch: Path, live: Path, trees: list[Path], megabytes: int) -> None:
    databases = _Databases(scratch)
    try:
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}, "MOTCUA_DEMO": "1",
               "DJANGO_SETTINGS_MODULE": "motcua.settings"}
        env.pop("PYTHONPATH", None)  # each tree's manage.py puts its own src first
        source = {**env, "DATABASE_URL": databases.new("source"), "MOTCUA_DATA_DIR": str(scratch / "source"),
                  "MOTCUA_MEDIA_ROOT": str(live)}
        subprocess.run([sys.executable, str(trees[0] / "manage.py"), "migrate", "-v0"], env=source, check=True)
        _fill(source["DATABASE_URL"], megabytes)
        vendor = "PostgreSQL" if source["DATABASE_URL"].startswith("postgres") else "SQLite"
        print(f"Lệnh sao lưu và khôi phục ({vendor}, bảng thêm {megabytes} MB):")
        print(f"{'mã nguồn':<24}{'lệnh':<10}{'thời gian (s)':>15}{'bộ nhớ đỉnh (MiB)':>20}{'đã đọc (MiB)':>15}")
        for n, tree in enumerate(trees):
            saved = scratch / f"saved-{n}"
            figures = [("backup", _command(tree, source, "backup", str(saved)))]
            restored = {**env, "DATABASE_URL": databases.new(f"restore{n}"), "MOTCUA_DATA_DIR": str(scratch / f"r-{n}")}
            figures.append(("restore", _command(tree, restored, "restore", str(saved))))
            for name, (spent, peak, read) in figures:
                print(f"{tree.resolve().name:<24}{name:<10}{spent:>15.1f}{peak:>20.1f}{read:>15.1f}".replace(".", ","))
            shutil.rmtree(saved)
            shutil.rmtree(scratch / f"r-{n}")
    finally:
        databases.drop()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-n", type=int, default=60000, help="files in the folder (default 60000)")
    p.add_argument("--database-mb", type=int, default=200, help="random bytes added to the database (default 200)")
    p.add_argument("--trees", type=Path, nargs="+", default=[ROOT], help="repositories whose commands are measured")
    p.add_argument("--commands-only", action="store_true", help="measure only backup and restore as commands")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="motcua-backup-bench-") as tmp:
        scratch = Path(tmp)
        live = scratch / "live"
        _build(live, args.n)
        print(f"{args.n:,} tệp".replace(",", "."))
        if not args.commands_only:
            _table("Sao lưu và đối chiếu các tệp:", (("định dạng 1: dict trong manifest", _format1),
                                                     ("định dạng 2: danh sách từng dòng", _format2)), live, scratch)
            _table("Kiểm tra tệp được dữ liệu tham chiếu (documents.orphans.missing):",
                   _referenced_check(scratch, args.n), live, scratch)
            _flat_walk(scratch, args.n)
        _commands(scratch, live, args.trees, args.database_mb)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
