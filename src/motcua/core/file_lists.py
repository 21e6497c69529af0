"""A folder's files as a checksum list (core.backup, format 2): one line per file in ``sha256sum``'s format, written
while the folder is copied (``save_folder``) and compared with a folder by merging (``compared``), both in ``walk``'s
order, so that no step holds every name of a folder of millions of documents in memory."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def walk(folder: Path) -> Iterator[str]:
    """The relative path of every file under `folder` (lock files aside), each directory's entries in sorted order,
    depth first: that is the order of their path components compared as tuples (``order``), which the checksum lists
    keep, so that a list and a folder are compared by merging, one name at a time. Only one directory's names are
    held at once."""
    if not folder.is_dir():
        return

    def entries(directory: Path, prefix: str) -> Iterator[str]:
        with os.scandir(directory) as it:
            listed = sorted((e.name, e.is_dir(follow_symlinks=False), e.is_file()) for e in it)
        for name, is_dir, is_file in listed:
            if is_dir:
                yield from entries(directory / name, f"{prefix}{name}/")
            elif is_file and not name.endswith(".lock"):
                yield prefix + name

    yield from entries(folder, "")


def order(rel: str) -> tuple[str, ...]:
    return tuple(rel.split("/"))


# One line per file as ``sha256sum`` writes it: «digest  name»; a name holding a backslash or a line break is escaped
# and its line starts with a backslash (``sha256sum -c`` reads the list as it is).
def _line(rel: str, digest: str) -> str:
    if "\\" in rel or "\n" in rel or "\r" in rel:
        escaped = rel.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
        return f"\\{digest}  {escaped}\n"
    return f"{digest}  {rel}\n"


def _parse(line: str) -> tuple[str, str]:
    escaped = line.startswith("\\")
    digest, rel = line[escaped:].rstrip("\n").split("  ", 1)
    if escaped:
        out, i = [], 0
        while i < len(rel):
            if rel[i] == "\\" and i + 1 < len(rel):
                out.append({"n": "\n", "r": "\r"}.get(rel[i + 1], rel[i + 1]))
                i += 2
            else:
                out.append(rel[i])
                i += 1
        rel = "".join(out)
    return rel, digest


def read_list(path: Path) -> Iterator[tuple[str, str]]:
    with open(path, encoding="utf-8", errors="surrogateescape", newline="\n") as fh:
        for line in fh:
            if line.strip():
                yield _parse(line)


def copy_hashed(src: Path, dst: Path) -> str:
    """Copy `src` to `dst` (times and mode as ``shutil.copy2``) and return the SHA-256 of the bytes copied."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        for block in iter(lambda: fin.read(1 << 20), b""):
            digest.update(block)
            fout.write(block)
    shutil.copystat(src, dst)
    return digest.hexdigest()


def save_folder(src: Path, dst: Path, listing: Path) -> dict:
    """Copy every file of `src` to `dst`, writing each one's digest to `listing` as it goes: the manifest's entry."""
    listing.parent.mkdir(parents=True, exist_ok=True)
    count, whole = 0, hashlib.sha256()
    with open(listing, "w", encoding="utf-8", errors="surrogateescape", newline="\n") as out:
        for rel in walk(src):
            try:
                digest = copy_hashed(src / rel, dst / rel)
            except FileNotFoundError:  # removed since it was listed (an upload whose transaction rolled back): not
                (dst / rel).unlink(missing_ok=True)  # part of any committed row, so not part of the backup either
                continue
            line = _line(rel, digest)
            out.write(line)
            whole.update(line.encode("utf-8", "surrogateescape"))
            count += 1
    return {"count": count, "list": listing.relative_to(listing.parent.parent).as_posix(), "sha256": whole.hexdigest()}


def compared(listed: Iterable[tuple[str, str]], folder: Path) -> Iterator[tuple[str, bool]]:
    """Merge a backup's list with the files of `folder`, both in ``walk``'s order: (relative path, True) for a file
    listed that is missing or different, (relative path, False) for a file there that the backup does not have."""
    there = walk(folder)
    here = next(there, None)
    for rel, digest in listed:
        key = order(rel)
        while here is not None and order(here) < key:
            yield here, False
            here = next(there, None)
        if here is not None and order(here) == key:
            if sha256(folder / here) != digest:
                yield rel, True
            here = next(there, None)
        else:
            yield rel, True
    while here is not None:
        yield here, False
        here = next(there, None)
