"""Append to, read and verify the hash-chained audit trail.

Writing
    ``record(actor, action, object_type, object_id, data=None, at=None)`` appends one entry: a single INSERT
    with the SHA-256 of the entry's canonical content (``content_hash``, audit.hashing), no lock and no other
    row read. Call it inside the caller's transaction: the entry commits or rolls back with the change. The
    chainer (audit.chainer, ``manage.py chain_audit``) later links the committed entries into the hash chain
    in commit order, off the writers' path (``seq``, ``prev_hash``, ``hash``). On SQLite (one writer at a
    time) ``record`` chains the entry itself, in the same transaction.

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
    ``verify_chain(expect_head=None, anchors=None)`` walks the chain in ``seq`` order and returns a
    ``ChainReport`` with the first broken row (on PostgreSQL across the table's time partitions, and from the
    end of the partitions detached for archiving: ``archived_segments``, ``verify_segment``, audit.segments);
    then it checks the content hash of every entry not chained yet (the window) and reports how many there
    are and how old the oldest is. ``manage.py verify_audit`` prints it and exits non-zero when the chain is
    broken or the window is older than its bound. A deleted chained row shows up as a gap in ``seq`` and a
    broken link at the next row; an altered row, chained or not, as a content hash that does not match. Deleting the newest rows, emptying the table or
    rewriting and re-hashing the chain are detected against what is kept outside the table: the signed
    anchors (audit.anchors, checked by ``verify_audit`` by default) and a head hash saved elsewhere
    (``verify_audit --expect-head HASH``, printed by every run).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from . import chainer
from .hashing import GENESIS, content_hash, entry_content, link_hash
from .models import AuditEntry
from .verification import ChainReport, verify_chain, verify_segment

__all__ = ["GENESIS", "ChainReport", "archived_segments", "chain_start", "compute_hash", "entry", "record", "save",
           "verify_chain", "verify_segment"]
archived_segments, chain_start = chainer.archived_segments, chainer.chain_start
READ_ACTION = "personal_data.read"
DOSSIER_PERSONAL_FIELDS = ("applicant_name", "applicant_id_number", "applicant_phone", "applicant_email",
                           "applicant_address", "form_data")


def compute_hash(prev_hash: str, entry: AuditEntry) -> str:
    """The chain hash `entry` has when it follows an entry whose chain hash is `prev_hash`."""
    return link_hash(prev_hash, *entry_content(entry))


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
    The entry is chained later by the chainer (PostgreSQL) or here, in the same transaction (SQLite).
    """
    return save(entry(actor, action, object_type, object_id, data, at), savepoint=savepoint)


def entry(actor, action: str, object_type: str, object_id, data: dict | None = None, at=None) -> AuditEntry:
    """The entry ``record`` would append, not saved yet: content cleaned, ``content_hash`` computed.

    For a writer that sends the INSERT itself (the dossier lifecycle's one statement, dossiers/lifecycle/store.py)
    where the chainer links entries later; otherwise ``save`` it."""
    actor_id, label = _actor(actor)
    new = AuditEntry(
        at=at or timezone.now(), actor_id=actor_id, actor_label=label,
        action=_clean(action)[:64], object_type=_clean(object_type)[:64], object_id=_clean(str(object_id))[:64],
        data=_clean(json.loads(json.dumps(data or {}, default=str))),
    )
    new.content_hash = content_hash(*entry_content(new))
    return new


def save(new: AuditEntry, *, savepoint: bool = True) -> AuditEntry:
    """Insert an entry made by ``entry`` (chained here on SQLite, by the chainer elsewhere)."""
    with transaction.atomic(savepoint=savepoint):
        if chainer.inline():  # SQLite: writers are serialized (BEGIN IMMEDIATE), the head cannot move under us
            seq, prev = chainer.head()
            new.seq, new.prev_hash, new.hash = seq + 1, prev, compute_hash(prev, new)
        new.save()
    return new


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
