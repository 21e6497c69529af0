"""Write domain events to the outbox; must be called inside the caller's transaction.

The outbox is a kernel service: any app that changes state others must learn about calls ``emit`` in
the same transaction as the change. Readers (``integrations.dispatcher``, ``reporting.consumer``) take
the events from ``OutboxEvent`` after commit.
"""

from __future__ import annotations

from .models import OutboxEvent


def emit(topic: str, aggregate_type: str, aggregate_id, payload: dict) -> OutboxEvent:
    return OutboxEvent.objects.create(
        topic=topic, aggregate_type=aggregate_type, aggregate_id=str(aggregate_id), payload=payload
    )
