"""Append to the hash-chained audit trail.

Each entry's hash = SHA-256 over the previous hash and the canonical JSON of the entry, so an
altered, inserted or deleted row breaks the chain from that point (see `verify_audit`).
Call inside the caller's transaction: the entry commits or rolls back with the change.
"""

from __future__ import annotations

import hashlib
import json

from django.db import connection
from django.utils import timezone

from .models import AuditEntry

GENESIS = "0" * 64


def _canonical(at, actor_id, actor_label, action, object_type, object_id, data) -> str:
    return json.dumps(
        {"at": at.isoformat(), "actor": actor_id, "actor_label": actor_label, "action": action,
         "object_type": object_type, "object_id": str(object_id), "data": data},
        sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str,
    )


def compute_hash(prev_hash: str, entry: AuditEntry) -> str:
    body = _canonical(entry.at, entry.actor_id, entry.actor_label, entry.action, entry.object_type,
                      entry.object_id, entry.data)
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def _lock_chain() -> None:
    # Serialize writers so two entries never share a predecessor.
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(7246001)")


def record(actor, action: str, object_type: str, object_id, data: dict | None = None, at=None) -> AuditEntry:
    _lock_chain()
    last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
    prev = last or GENESIS
    actor_id = getattr(actor, "pk", None) if actor is not None and getattr(actor, "is_authenticated", True) else None
    entry = AuditEntry(
        at=at or timezone.now(), actor_id=actor_id, actor_label=str(actor) if actor_id else "",
        action=action, object_type=object_type, object_id=str(object_id),
        data=json.loads(json.dumps(data or {}, default=str)), prev_hash=prev,
    )
    entry.hash = compute_hash(prev, entry)
    entry.save()
    return entry
