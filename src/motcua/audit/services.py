"""Append to, read and verify the hash-chained audit trail.

Writing
    ``record(actor, action, object_type, object_id, data=None, at=None)`` appends one entry. Each entry's
    hash = SHA-256 over the previous hash and the canonical JSON of the entry, so an altered, inserted or
    deleted row breaks the chain from that point. Call it inside the caller's transaction: the entry commits
    or rolls back with the change. On PostgreSQL writers are serialized by a transaction-scoped advisory
    lock (``pg_advisory_xact_lock``) so two entries never share a predecessor; ``record`` opens an atomic
    block itself so the lock is held until the entry is committed even when the caller has no transaction.
    On SQLite the settings use ``BEGIN IMMEDIATE`` transactions, which serialize writers the same way.

Reads of personal data (Decree 13/2023/ND-CP on personal data protection: processing must be traceable)
    Every display of a person's identifying data (name, ID number, phone, e-mail, address, form data) to
    someone other than that person must leave a trace:

    - ``record_read(user, object_type, object_id, fields)`` — one entry, action ``personal_data.read``;
    - ``record_dossier_read(user, dossier, fields=DOSSIER_PERSONAL_FIELDS)`` — same for a dossier's
      applicant data; does nothing when the reader is the applicant themself;
    - ``@logs_personal_read("dossier", fields=[...], id_kwarg="pk")`` — decorator for a Django view or a
      django-ninja operation: after a successful (2xx or non-HttpResponse) result it records the read by
      ``request.user`` of the object whose id is the ``id_kwarg`` keyword argument.

Verifying
    ``verify_chain(expect_head=None, anchors=None)`` walks the chain in id order and returns a ``ChainReport``
    with the first broken row (on PostgreSQL across the table's time partitions, and from the end of the
    partitions detached for archiving: ``archived_segments``, ``verify_segment``, audit.segments); ``manage.py verify_audit`` prints it and exits non-zero when the chain is broken.
    A deleted row shows up as a broken link at the next row. Deleting the newest rows, emptying the table or
    rewriting and re-hashing the chain are detected against what is kept outside the table: the signed
    anchors (audit.anchors, checked by ``verify_audit`` by default) and a head hash saved elsewhere
    (``verify_audit --expect-head HASH``, printed by every run).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from .models import AuditEntry

GENESIS = "0" * 64
READ_ACTION = "personal_data.read"
DOSSIER_PERSONAL_FIELDS = ("applicant_name", "applicant_id_number", "applicant_phone", "applicant_email",
                           "applicant_address", "form_data")


def _canonical(at, actor_id, actor_label, action, object_type, object_id, data) -> str:
    at_utc = at.astimezone(dt.UTC) if timezone.is_aware(at) else at
    return json.dumps(
        {"at": at_utc.isoformat(), "actor": actor_id, "actor_label": actor_label, "action": action,
         "object_type": object_type, "object_id": str(object_id), "data": data},
        sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str,
    )


def _hash(prev_hash: str, at, actor_id, actor_label, action, object_type, object_id, data) -> str:
    body = _canonical(at, actor_id, actor_label, action, object_type, object_id, data)
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def compute_hash(prev_hash: str, entry: AuditEntry) -> str:
    return _hash(prev_hash, entry.at, entry.actor_id, entry.actor_label, entry.action, entry.object_type,
                 entry.object_id, entry.data)


def _lock_chain() -> None:
    # Serialize writers so two entries never share a predecessor (released at commit/rollback).
    # Callers should record as late as possible in their transaction: the lock is held until COMMIT.
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(7246001)")


def _actor(actor) -> tuple[int | None, str]:
    if isinstance(actor, str):
        return None, _clean(actor)[:200]
    if actor is None or not getattr(actor, "is_authenticated", True):
        return None, ""
    actor_id = getattr(actor, "pk", None)
    return actor_id, (_clean(str(actor))[:200] if actor_id else "")


def _clean(value):
    """PostgreSQL text/jsonb cannot hold NUL characters: drop them so no user input can break the audit write."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def record(actor, action: str, object_type: str, object_id, data: dict | None = None, at=None, *,
           savepoint: bool = True) -> AuditEntry:
    """Append one entry. `actor`: a user, None/anonymous, or a string label for system jobs.

    ``savepoint=False`` (hot paths that write nothing after the entry and never catch its errors, e.g. the
    dossier lifecycle): inside the caller's transaction no savepoint is taken, two round trips fewer; a
    database error then spoils the caller's whole transaction. Outside a transaction it makes no difference.
    """
    actor_id, label = _actor(actor)
    with transaction.atomic(savepoint=savepoint):
        _lock_chain()
        last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
        prev = last or GENESIS
        entry = AuditEntry(
            at=at or timezone.now(), actor_id=actor_id, actor_label=label,
            action=_clean(action)[:64], object_type=_clean(object_type)[:64], object_id=_clean(str(object_id))[:64],
            data=_clean(json.loads(json.dumps(data or {}, default=str))), prev_hash=prev,
        )
        entry.hash = compute_hash(prev, entry)
        entry.save()
    return entry


# --- reads of personal data -------------------------------------------------------------------------------

def record_read(user, object_type: str, object_id, fields: Iterable[str], purpose: str = "") -> AuditEntry:
    """Log that `user` was shown `fields` of a person's data held in `object_type` #`object_id`."""
    data = {"fields": sorted(set(fields))}
    if purpose:
        data["purpose"] = purpose
    return record(user, READ_ACTION, object_type, object_id, data)


def record_dossier_read(user, dossier, fields: Iterable[str] = DOSSIER_PERSONAL_FIELDS,
                        purpose: str = "") -> AuditEntry | None:
    """Log an officer's (or integrator's) read of a dossier's applicant data; the applicant's own reads are not."""
    if user is not None and getattr(user, "is_authenticated", False) and dossier.applicant_id == user.pk:
        return None
    return record_read(user, "dossier", dossier.pk, fields, purpose)


def logs_personal_read(object_type: str, fields: Iterable[str], id_kwarg: str = "pk"):
    """Decorator for a view/operation showing personal data of the object identified by kwargs[id_kwarg]."""
    fields = tuple(fields)

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            result = view(request, *args, **kwargs)
            status = getattr(result, "status_code", 200)
            if 200 <= status < 300 and kwargs.get(id_kwarg) is not None:
                record_read(getattr(request, "user", None) or getattr(request, "auth", None), object_type,
                            kwargs[id_kwarg], fields)
            return result

        return wrapper

    return decorator


def reads_of(object_type: str, object_id):
    """Who read this object's personal data, newest first (for the data subject and auditors)."""
    return AuditEntry.objects.filter(action=READ_ACTION, object_type=object_type,
                                     object_id=str(object_id)).order_by("-id")


# --- verification ------------------------------------------------------------------------------------------

@dataclass
class ChainReport:
    ok: bool
    checked: int
    head: str
    broken_id: int | None = None
    reason: str = ""
    anchors: int = 0

    def message(self) -> str:
        if self.ok:
            against = f", khớp {self.anchors} mốc neo" if self.anchors else ""
            return (f"Đã kiểm tra {self.checked} bản ghi nhật ký{against}: chuỗi băm toàn vẹn. "
                    f"Mã băm cuối: {self.head}")
        where = f" tại bản ghi #{self.broken_id}" if self.broken_id is not None else ""
        return f"Chuỗi nhật ký bị phá vỡ{where}: {self.reason} (đã kiểm tra {self.checked} bản ghi)."


def archived_segments() -> list:
    """The audit trail's partitions detached for archiving (``manage.py partitions detach``, PostgreSQL), oldest
    first: each ends the chain at (``last_id``, ``last_hash``), where the entries left in the table go on."""
    from motcua.db.models import ArchivedPartition

    return list(ArchivedPartition.objects.filter(table=AuditEntry._meta.db_table, last_id__isnull=False)
                .order_by("last_id"))


def chain_start() -> tuple[str, int]:
    """(hash, id) the chain in the table continues from: the genesis, or the end of the newest archived segment."""
    segments = archived_segments()
    return (segments[-1].last_hash, segments[-1].last_id) if segments else (GENESIS, 0)


_COLUMNS = ("id", "at", "actor_id", "actor_label", "action", "object_type", "object_id", "data", "prev_hash", "hash")


def _walk(rows, prev: str, expect_head: str | None = None, anchored: dict | None = None,
          anchors_total: int = 0) -> ChainReport:
    """Check links, hashes and the anchors in ``anchored`` (entry id → Anchor; each must be met) along ``rows``."""
    anchored = dict(anchored or {})
    checked = 0
    seen_expected = expect_head is None
    for pk, at, actor_id, label, action, otype, oid, data, prev_hash, stored in rows:
        if prev_hash != prev:
            return ChainReport(False, checked, prev, pk,
                               "liên kết tới bản ghi trước không khớp (bản ghi trước đã bị xóa hoặc sửa)")
        expected = _hash(prev, at, actor_id, label, action, otype, oid, data)
        if expected != stored:
            return ChainReport(False, checked, prev, pk, "nội dung bản ghi đã bị sửa (mã băm không khớp)")
        anchor = anchored.pop(pk, None)
        if anchor is not None and anchor.hash != stored:
            return ChainReport(False, checked, prev, pk, f"khác với mốc neo số {anchor.seq} ({anchor.at}): chuỗi đã "
                               "bị viết lại từ bản ghi này hoặc trước đó")
        prev = stored
        checked += 1
        if not seen_expected and stored == expect_head:
            seen_expected = True
    if anchored:
        first = min(anchored.values(), key=lambda a: a.entry_id)
        return ChainReport(False, checked, prev, first.entry_id,
                           f"đã được neo (mốc số {first.seq}, {first.at}) nhưng không còn trong cơ sở dữ liệu: "
                           "nhật ký đã bị xóa hoặc cắt bớt")
    if not seen_expected:
        return ChainReport(False, checked, prev, None,
                           "không tìm thấy mã băm cuối đã lưu trước đó: các bản ghi mới nhất đã bị xóa")
    return ChainReport(True, checked, prev, anchors=anchors_total)


def verify_chain(expect_head: str | None = None, chunk_size: int = 2000, anchors=None,
                 seal_check=None) -> ChainReport:
    """Walk the whole chain in id order; report the first row whose link or hash does not match.

    ``anchors``: audit.anchors.Anchor list; every anchored entry must still be there with its anchored hash.
    On PostgreSQL the walk crosses the table's time partitions in id order, which is the chain's order. It
    starts at the genesis, or where the archived segments end (``archived_segments``): an anchor inside an
    archived segment was checked when that segment was detached (``audit.segments``), one on its last entry
    must equal its recorded last hash, and ``seal_check(segment)`` (given with anchors by ``verify_audit``)
    must accept the segment's signed record, so a forged archive record cannot hide deleted old entries.
    """
    anchored = {a.entry_id: a for a in anchors or ()}
    prev, after = GENESIS, 0
    for seg in archived_segments():
        if seal_check is not None and not seal_check(seg):
            return ChainReport(False, 0, prev, seg.first_id,
                               f"hồ sơ lưu trữ phân vùng {seg.partition} không có chữ ký hợp lệ của khóa mốc neo "
                               "(bản ghi lưu trữ bị giả hoặc bị sửa): không thể tin các bản ghi cũ đã được tách")
        for entry_id in sorted(e for e in anchored if e <= seg.last_id):
            anchor = anchored.pop(entry_id)
            if entry_id == seg.last_id and anchor.hash != seg.last_hash:
                return ChainReport(False, 0, prev, entry_id,
                                   f"khác với mốc neo số {anchor.seq} ({anchor.at}): phân vùng {seg.partition} đã "
                                   "lưu trữ kết thúc bằng một mã băm khác")
        prev, after = seg.last_hash, seg.last_id
    rows = AuditEntry.objects.filter(id__gt=after).order_by("id").values_list(*_COLUMNS)
    return _walk(rows.iterator(chunk_size=chunk_size), prev, expect_head, anchored, len(anchors or ()))


def verify_segment(partition: str, anchors=None) -> ChainReport:
    """Verify the entries of one partition table (PostgreSQL) as the next segment of the chain: links, hashes,
    every anchor before the first entry that stays in the table, and that this entry follows the segment."""
    prev, after = chain_start()
    table = connection.ops.quote_name(partition)
    field = AuditEntry._meta.get_field("data")
    with connection.cursor() as cur:
        cur.execute(f"SELECT max(id) FROM {table}")
        last = cur.fetchone()[0] or after
    following = AuditEntry.objects.filter(id__gt=last).order_by("id").values_list("id", "prev_hash").first()
    anchored = {a.entry_id: a for a in anchors or ()
                if after < a.entry_id and (following is None or a.entry_id < following[0])}

    def rows(cur):
        for chunk in iter(lambda: cur.fetchmany(2000), []):
            for r in chunk:  # a plain cursor returns jsonb as text; the ORM path decodes it the same way
                yield (*r[:7], field.from_db_value(r[7], None, connection) if isinstance(r[7], str) else r[7], *r[8:])

    with connection.cursor() as cur:
        cur.execute(f"SELECT {', '.join(_COLUMNS)} FROM {table} WHERE id > %s ORDER BY id", [after])
        report = _walk(rows(cur), prev, anchored=anchored, anchors_total=len(anchored))
    if report.ok and following is not None and following[1] != report.head:
        return ChainReport(False, report.checked, report.head, following[0],
                           "liên kết tới bản ghi trước không khớp (bản ghi trước đã bị xóa hoặc sửa)")
    return report
