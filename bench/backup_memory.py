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

    PYTHONPATH=src .venv/bin/python bench/backup_memory.py -n 60000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
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


def _table(title: str, ways, live: Path, scratch: Path) -> None:
    print(title)
    print(f"{'cách làm':<34}{'bộ nhớ đỉnh (MiB)':>20}{'thời gian (s)':>16}{'sai khác':>10}")
    for label, way in ways:
        peak, spent, problems = _measure(way, live, scratch)
        print(f"{label:<34}{peak:>20.1f}{spent:>16.1f}{problems:>10}".replace(".", ","))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-n", type=int, default=60000, help="files in the folder (default 60000)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="motcua-backup-bench-") as tmp:
        scratch = Path(tmp)
        live = scratch / "live"
        _build(live, args.n)
        print(f"{args.n:,} tệp".replace(",", "."))
        _table("Sao lưu và đối chiếu các tệp:", (("định dạng 1: dict trong manifest", _format1),
                                                 ("định dạng 2: danh sách từng dòng", _format2)), live, scratch)
        _table("Kiểm tra tệp được dữ liệu tham chiếu (documents.orphans.missing):",
               _referenced_check(scratch, args.n), live, scratch)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
