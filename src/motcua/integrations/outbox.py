"""Write domain events to the outbox; must be called inside the caller's transaction."""

from __future__ import annotations

from .models import OutboxEvent


def emit(topic: str, aggregate_type: str, aggregate_id, payload: dict) -> OutboxEvent:
    return OutboxEvent.objects.create(
        topic=topic, aggregate_type=aggregate_type, aggregate_id=str(aggregate_id), payload=payload
    )
