"""A folder's files as a checksum list (core.backup, format 2): one line per file in ``sha256sum``'s format, written
while the folder is copied (``save_folder``), copied back and checked in the same pass (``restored``) and compared with
a folder by merging (``compared``), all in ``walk``'s order, so that no step holds every name of a folder of millions of
documents in memory."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
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


def read_list(path: Path, whole=None) -> Iterator[tuple[str, str]]:
    """(relative path, SHA-256) of every line of the list at `path`, one line at a time. `whole`, a ``hashlib`` object,
    is fed every byte of the list as it is read: its digest, once the list is read to the end, is the list's own (the
    one the manifest records), so checking the list and reading it is one read. A line that is not «digest  name»
    raises ValueError."""
    with open(path, "rb") as fh:
        for raw in fh:  # split at "\n" only, as sha256sum writes and reads it
            if whole is not None:
                whole.update(raw)
            line = raw.decode("utf-8", "surrogateescape")
            if line.strip():
                yield _parse(line)


def copy_stream(fin, fout) -> str:
    """Copy the binary stream `fin` into `fout` block by block; return the SHA-256 of the bytes copied."""
    digest = hashlib.sha256()
    for block in iter(lambda: fin.read(1 << 20), b""):
        digest.update(block)
        fout.write(block)
    return digest.hexdigest()


def copy_hashed(src: Path, dst: Path) -> str:
    """Copy `src` to `dst` (times and mode as ``shutil.copy2``) and return the SHA-256 of the bytes copied."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        digest = copy_stream(fin, fout)
    shutil.copystat(src, dst)
    return digest


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


def compared(listed: Iterable[tuple[str, str]], folder: Path, *, digests: bool = True) -> Iterator[tuple[str, bool]]:
    """Merge a backup's list with the files of `folder`, both in ``walk``'s order: (relative path, True) for a file
    listed that is missing or (`digests`: each file there is read and its SHA-256 compared) different, (relative path,
    False) for a file there that the backup does not have."""
    there = walk(folder)
    here = next(there, None)
    for rel, digest in listed:
        key = order(rel)
        while here is not None and order(here) < key:
            yield here, False
            here = next(there, None)
        if here is not None and order(here) == key:
            if digests and sha256(folder / here) != digest:
                yield rel, True
            here = next(there, None)
        else:
            yield rel, True
    while here is not None:
        yield here, False
        here = next(there, None)


def restored(listing: Callable[[], Iterable[tuple[str, str]]], saved: Path, target: Path) -> Iterator[tuple[str, bool]]:
    """Copy every file a backup's list names from `saved` into `target` (a folder that was empty), checking the bytes
    copied against the list as they go, as ``compared`` would afterwards: (relative path, True) for a file listed that
    `saved` lacks or whose bytes differ from its digest (copied all the same: the check names it), then (relative path,
    False) for a file in `target` that the list does not name. `listing` gives the list anew each time it is called:
    once for the copy; the files in `target` are then counted, and only when they are not the files copied (something
    else wrote there during the restore) is the list read a second time, to name them by merging."""
    copied = 0
    for rel, digest in listing():
        if not (saved / rel).is_file():
            yield rel, True
            continue
        copied += 1
        if copy_hashed(saved / rel, target / rel) != digest:
            yield rel, True
    if sum(1 for _rel in walk(target)) != copied:
        yield from ((rel, False) for rel, in_backup in compared(listing(), target, digests=False) if not in_backup)
