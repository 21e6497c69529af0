"""Reading what the outbox's events carry for the statistics (consumer.py, move_moments.py): their moments and the
dossier they are about."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from motcua.outbox.models import OutboxEvent

# What the national systems answered about a dossier (integrations.dispatcher): topic → how it changes the fact.
OUTCOME_TOPICS = ("integration.portal_sync", "integration.storage_sync")


def moment_of(value) -> dt.datetime | None:
    """A moment an outbox payload carries (ISO text, naive read as UTC), or None."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value
    parsed = parse_datetime(str(value))
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, dt.UTC)
    return parsed


def dossier_id_of(event: OutboxEvent) -> int | None:
    """The dossier an event is about (its payload, or the aggregate of a dossier event), or None."""
    if event.topic.startswith("dossier."):
        raw = event.payload.get("dossier_id", event.aggregate_id)
    elif event.topic == "engagement.rating_submitted" or event.topic in OUTCOME_TOPICS:
        raw = event.payload.get("dossier_id")
    else:
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None
