"""Stored files that no row refers to any more ("orphans"), and their removal (``manage.py sweep_orphan_files``);
the other way round, rows that name a file the storage does not have (``missing``: checked after every backup
and restore, ``core.backup.checks``, a few directories' listings at a time, so that millions of stored documents are
checked without holding their names).

A rolled-back transaction removes the files it wrote (transactional.py); what remains are files whose writer
died before its transaction ended, and files of attachments deleted later (a dossier removed in the admin).
The sweep looks only under ``documents/`` of the document storage, where attachments are written, and keeps:

- every file an ``Attachment`` row names (results, digitized PDFs, evidence of transformation tasks,
  components reused from the citizen repository, which share their source's file);
- every file any model's ``FileField`` names (report and paper builds), whatever its folder;
- every file younger than the age threshold, so a transaction still running is never swept.

A file the portal held for a citizen who had not chosen where to submit yet (``AttachmentKind.HELD``, no dossier)
is kept only while younger than the threshold: past it, its row is removed (with ``apply``) and its file swept.

PKI material, keys, audit anchors and backups live in their own folders and are never looked at.
References are read from the primary database (the writer's), after the files were listed: a file listed
and then referenced is kept.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.core.files.storage import Storage
from django.db import connections, models, router
from django.utils import timezone

from motcua.core.backup import WholeCheck, checks
from motcua.core.money import format_number

from .models import Attachment, AttachmentKind
from .storage import document_storage

ROOT = "documents"
CHUNK = 500


@dataclass
class Sweep:
    scanned: int = 0
    young: int = 0
    referenced: int = 0
    orphans: list[tuple[str, int]] = field(default_factory=list)  # (name, bytes)
    removed: int = 0
    held_expired: int = 0  # held files never sent with a dossier (their rows removed with apply)

    @property
    def orphan_bytes(self) -> int:
        return sum(size for _, size in self.orphans)


def walk(storage: Storage, folder: str) -> Iterator[str]:
    try:
        dirs, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in dirs:
        yield from walk(storage, f"{folder}/{sub}")


def _references() -> list[tuple[type[models.Model], str]]:
    """(model, field name) of every column naming a stored file: attachments and every FileField."""
    found = [(Attachment, "storage_path")]
    for model in apps.get_models():
        for f in model._meta.get_fields():
            if isinstance(f, models.FileField) and f.concrete:
                found.append((model, f.name))
    return found


def referenced(names: Iterable[str]) -> set[str]:
    """The names among `names` that some row refers to (read from the primary database)."""
    names = list(names)
    keep: set[str] = set()
    for model, column in _references():
        rows = model._default_manager.using(router.db_for_write(model))
        for start in range(0, len(names), CHUNK):
            chunk = names[start:start + CHUNK]
            keep.update(rows.filter(**{f"{column}__in": chunk}).values_list(column, flat=True))
    return keep


def sweep(*, older_than: dt.timedelta, apply: bool, storage: Storage | None = None, now=None) -> Sweep:
    """Find (and with `apply`, delete) files under documents/ older than `older_than` that no row names."""
    storage = storage or document_storage()
    cutoff = (now or timezone.now()) - older_than
    result = Sweep()
    candidates = []
    for name in walk(storage, ROOT):
        result.scanned += 1
        if storage.get_modified_time(name) > cutoff:
            result.young += 1
        else:
            candidates.append(name)
    expired = Attachment.objects.filter(kind=AttachmentKind.HELD, dossier__isnull=True, uploaded_at__lt=cutoff)
    expired_paths = set(expired.values_list("storage_path", flat=True))
    result.held_expired = len(expired_paths)
    if apply and expired_paths:
        expired.filter(storage_path__in=expired_paths).delete()
    keep = referenced(candidates) - expired_paths
    result.referenced = len(keep)
    for name in candidates:
        if name in keep:
            continue
        try:
            size = storage.size(name)
        except FileNotFoundError:
            continue
        result.orphans.append((name, size))
        if apply:
            storage.delete(name)
            result.removed += 1
    return result


# --- files a row names that are not stored -------------------------------------------------------------------

SHOWN = 20  # missing files named one by one; the rest are counted
KEPT = 8  # directory listings held at once by ``missing``


class _Listings:
    """Whether a storage holds a name, looked up in its directory's listing. The rows come ordered by name, so one
    listing serves a directory's rows one after the other; only the last ``KEPT`` directories' names are held (the
    storage of millions of documents is never listed whole into memory), and a bucket is asked once per directory,
    not once per file. A name its directory's listing lacks is asked for on its own before it is called missing."""

    def __init__(self, storage: Storage):
        self.storage = storage
        self.kept: OrderedDict[str, set[str]] = OrderedDict()

    def __contains__(self, name: str) -> bool:
        folder, _, base = name.rpartition("/")
        files = self.kept.get(folder)
        if files is None:
            try:
                files = set(self.storage.listdir(folder)[1])
            except (FileNotFoundError, NotADirectoryError):
                files = set()
            self.kept[folder] = files
            if len(self.kept) > KEPT:
                self.kept.popitem(last=False)
        else:
            self.kept.move_to_end(folder)
        return base in files or self.storage.exists(name)


def missing(shown: int = SHOWN) -> tuple[int, int, list[str]]:
    """How many stored files rows name, how many of those the storage does not have, and «model.field: name» of the
    first `shown` of them. Memory stays at a few directories' names, however many files are stored."""
    names = lost = 0
    gone: list[str] = []
    listings: dict[int, _Listings] = {}
    tables: dict[str, list[str]] = {}
    for model, column in _references():
        alias = router.db_for_write(model)
        if alias not in tables:
            tables[alias] = connections[alias].introspection.table_names()
        if model._meta.db_table not in tables[alias]:
            continue  # a backup of an older release, restored before `migrate` creates this (empty) table
        storage = document_storage() if model is Attachment else getattr(model, column).field.storage
        stored = listings.setdefault(id(storage), _Listings(storage))
        rows = model._default_manager.using(alias).exclude(**{column: ""}).order_by(column)
        for name in rows.values_list(column, flat=True).distinct().iterator(chunk_size=CHUNK):
            names += 1
            if name not in stored:
                lost += 1
                if len(gone) < shown:
                    gone.append(f"{model._meta.label}.{column}: {name}")
    return names, lost, gone


@checks.register("documents")
class StoredFiles(WholeCheck):
    """Every file a row names is stored: what a backup cannot carry, and what a restore must give back."""

    def run(self) -> tuple[str, list[str]]:
        names, lost, gone = missing(SHOWN)
        problems = [f"Tệp {item} có trong dữ liệu nhưng không có trong kho lưu trữ tệp." for item in gone]
        if lost > len(gone):
            problems.append(f"… và {format_number(lost - len(gone))} tệp khác cũng thiếu.")
        return (f"{format_number(names - lost)}/{format_number(names)} tệp được dữ liệu tham chiếu có trong kho lưu "
                "trữ."), problems
