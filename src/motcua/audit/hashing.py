"""The audit trail's hashes: one canonical form of an entry's content, its content hash, its chain link.

- ``content_hash`` = SHA-256 of the canonical JSON of the entry's content (time, actor, action, object, data).
  The writer computes it when it inserts the entry, with no lock and without reading any other row.
- ``link_hash(prev, …)`` = SHA-256 of the previous entry's chain hash followed by the canonical JSON; the
  chainer (audit.chainer) stores it as the entry's ``hash`` when it gives the entry its place ``seq``.
  Entries written before the chainer existed were hashed the same way, so their hashes stay valid.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.utils import timezone

GENESIS = "0" * 64


def canonical(at, actor_id, actor_label, action, object_type, object_id, data) -> str:
    at_utc = at.astimezone(dt.UTC) if timezone.is_aware(at) else at
    return json.dumps(
        {"at": at_utc.isoformat(), "actor": actor_id, "actor_label": actor_label, "action": action,
         "object_type": object_type, "object_id": str(object_id), "data": data},
        sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str,
    )


def content_hash(at, actor_id, actor_label, action, object_type, object_id, data) -> str:
    body = canonical(at, actor_id, actor_label, action, object_type, object_id, data)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def link_hash(prev_hash: str, at, actor_id, actor_label, action, object_type, object_id, data) -> str:
    body = canonical(at, actor_id, actor_label, action, object_type, object_id, data)
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def entry_content(entry) -> tuple:
    """The hashed fields of an AuditEntry, in the order the functions above take them."""
    return (entry.at, entry.actor_id, entry.actor_label, entry.action, entry.object_type, entry.object_id,
            entry.data)
