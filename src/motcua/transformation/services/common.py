"""Small helpers the services share: the user to store on a row, and the audit trail entry."""

from __future__ import annotations

from motcua.audit.services import record

from ..permissions import SystemActor


def stored_user(user):
    """The user to keep on a row (None for the system or an anonymous caller)."""
    return user if getattr(user, "pk", None) else None


def audit(user, action: str, object_type: str, object_id, data: dict | None = None):
    return record(str(user) if isinstance(user, SystemActor) else user, action, object_type, object_id, data)
