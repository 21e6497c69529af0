"""Deliver outbox events to every target, at least once, in order per dossier, exactly once in effect.

One batch (``run_batch``) does three things:

1. **fan out** — each committed outbox event without a FanOut row gets one Delivery per target that
   accepts it (unique (event, target): two workers fanning out at once create each row once);
2. **claim** — pending deliveries that are due, not leased, and have no earlier undelivered (pending
   or dead) delivery of the same aggregate to the same target, are leased to this worker in a short
   transaction (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite serialises writers);
3. **attempt** — each claimed delivery is sent outside any transaction, then marked delivered, or
   rescheduled with exponential backoff, or dead after ``max_attempts`` (or a permanent error).

A worker killed between 2 and 3 loses nothing: its lease expires and another worker sends the
delivery again; the receiver drops the second copy by its ``Idempotency-Key`` (``{event}:{target}``).
A dead delivery blocks later events of the same dossier for that target until it is resent
(admin action / API), so a receiver never sees a dossier's statuses out of order.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from motcua.outbox.models import OutboxEvent
from motcua.outbox.services import emit

from .adapters import PermanentError, TransientError, active_targets, build, postal
from .config import dispatch_config
from .models import Delivery, FanOut, PostalShipment

log = logging.getLogger(__name__)


@dataclass
class BatchResult:
    fanned_out: int = 0
    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def idle(self) -> bool:
        return not (self.fanned_out or self.claimed)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def backoff(attempts: int, config: dict | None = None) -> timedelta:
    """Delay before the next try after `attempts` failed ones: base × 2^(attempts−1), capped."""
    cfg = config or dispatch_config()
    return timedelta(seconds=min(cfg["base_delay_s"] * (2 ** max(attempts - 1, 0)), cfg["max_delay_s"]))


def fan_out(limit: int = 500, now=None) -> int:
    now = now or timezone.now()
    targets = active_targets()
    # Only look back a window below the newest fanned-out id: an event committed late (its id taken
    # before others committed) is still found, without scanning the whole outbox each batch.
    newest = FanOut.objects.aggregate(m=Max("event_id"))["m"] or 0
    floor = max(0, newest - dispatch_config()["fanout_window"])
    events = list(OutboxEvent.objects.filter(pk__gt=floor, fanout__isnull=True).order_by("id")[:limit])
    for event in events:
        with transaction.atomic():
            rows = [Delivery(event=event, target=t.target, aggregate_key=f"{event.aggregate_type}:{event.aggregate_id}",
                             next_attempt_at=now) for t in targets if t.accepts(event)]
            Delivery.objects.bulk_create(rows, ignore_conflicts=True)
            FanOut.objects.bulk_create([FanOut(event=event)], ignore_conflicts=True)
    return len(events)


def _claimable(now):
    earlier_open = Delivery.objects.filter(
        target=OuterRef("target"), aggregate_key=OuterRef("aggregate_key"), event_id__lt=OuterRef("event_id"),
        status__in=(Delivery.PENDING, Delivery.DEAD),
    )
    return (Delivery.objects.filter(status=Delivery.PENDING, next_attempt_at__lte=now)
            .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
            .exclude(Exists(earlier_open)).order_by("event_id", "id"))


def claim(worker: str, limit: int, now=None, lease_s: float | None = None) -> list[Delivery]:
    now = now or timezone.now()
    lease = timedelta(seconds=lease_s if lease_s is not None else dispatch_config()["lease_s"])
    with transaction.atomic():
        qs = _claimable(now)
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        rows = list(qs[:limit])
        # one delivery per (target, aggregate) per batch keeps each dossier's order
        seen, picked = set(), []
        for row in rows:
            key = (row.target, row.aggregate_key)
            if key not in seen:
                seen.add(key)
                picked.append(row)
        ids = [r.pk for r in picked]
        Delivery.objects.filter(pk__in=ids).update(leased_until=now + lease, lease_owner=worker[:64])
    return list(Delivery.objects.filter(pk__in=ids).select_related("event").order_by("event_id", "id"))


def attempt(delivery: Delivery, worker: str, adapters: dict, now_fn=timezone.now) -> str:
    """Send one claimed delivery and record the outcome; returns the new status ('retry' when rescheduled)."""
    cfg = dispatch_config()
    target = delivery.target
    if target not in adapters:
        adapters[target] = build(target)
    adapter = adapters[target]
    error, permanent, response = "", False, {}
    if adapter is None:
        error, permanent = "Đích gửi đã bị tắt hoặc không còn cấu hình.", False
    else:
        try:
            response = adapter.deliver(delivery.event, delivery) or {}
        except TransientError as exc:
            error = str(exc)
        except PermanentError as exc:
            error, permanent = str(exc), True
        except Exception as exc:  # an adapter bug must not stop the worker; keep it for the admin
            log.exception("adapter %s failed on delivery %s", target, delivery.pk)
            error = f"{type(exc).__name__}: {exc}"
    now = now_fn()
    attempts = delivery.attempts + 1
    mine = Delivery.objects.filter(pk=delivery.pk, lease_owner=worker[:64], status=Delivery.PENDING)
    if not error:
        with transaction.atomic():
            if mine.update(status=Delivery.DELIVERED, attempts=attempts, delivered_at=now, leased_until=None,
                           last_error="", response=_small(response), updated_at=now):
                _record_outcome(adapter, delivery, "acknowledged", now)
        return Delivery.DELIVERED
    if permanent or attempts >= cfg["max_attempts"]:
        with transaction.atomic():
            if mine.update(status=Delivery.DEAD, attempts=attempts, leased_until=None, last_error=error[:2000],
                           updated_at=now):
                _record_outcome(adapter, delivery, "rejected", now, error)
        return Delivery.DEAD
    mine.update(attempts=attempts, leased_until=None, last_error=error[:2000], updated_at=now,
                next_attempt_at=now + backoff(attempts, cfg))
    return "retry"


def _record_outcome(adapter, delivery: Delivery, outcome: str, at, reason: str = "") -> None:
    """What a receiver that statistics measure answered about a dossier: an outbox event in the same transaction as
    the delivery's new status (the reporting consumer reads it; no adapter subscribes to ``integration.*``)."""
    topic = getattr(adapter, "outcome_topic", None)
    dossier_id = (delivery.event.payload or {}).get("dossier_id")
    if not topic or dossier_id is None:
        return
    emit(topic, "dossier", dossier_id, {"dossier_id": dossier_id, "target": delivery.target, "outcome": outcome,
                                        "event_id": delivery.event_id, "topic": delivery.event.topic,
                                        "at": at.isoformat(), "reason": reason[:500]})


def _small(response: dict) -> dict:
    text = str(response)
    return response if len(text) <= 2000 else {"truncated": text[:2000]}


def run_batch(*, worker: str | None = None, limit: int | None = None, now=None) -> BatchResult:
    """One pass of the dispatcher: fan out new events, claim due deliveries, send them."""
    worker = worker or worker_id()
    limit = limit or dispatch_config()["batch"]
    result = BatchResult()
    result.fanned_out = fan_out(now=now)
    deliveries = claim(worker, limit, now=now)
    result.claimed = len(deliveries)
    adapters: dict = {}
    for delivery in deliveries:
        outcome = attempt(delivery, worker, adapters)
        if outcome == Delivery.DELIVERED:
            result.delivered += 1
        elif outcome == Delivery.DEAD:
            result.dead += 1
            result.errors.append(f"{delivery.target} #{delivery.event_id}: {delivery.last_error}")
        else:
            result.retried += 1
    return result


def resend(ids) -> int:
    """Put dead deliveries back in the queue (admin action, API): attempts start again from zero."""
    return Delivery.objects.filter(pk__in=list(ids), status=Delivery.DEAD).update(
        status=Delivery.PENDING, attempts=0, next_attempt_at=timezone.now(), leased_until=None, lease_owner="")


def pending_count() -> int:
    return Delivery.objects.filter(status=Delivery.PENDING).count() + OutboxEvent.objects.filter(
        fanout__isnull=True).count()


def refresh_postal(limit: int = 200) -> int:
    """Ask the post office for the status of every shipment not yet delivered; returns how many changed."""
    adapter = build("postal")
    if adapter is None:
        return 0
    changed = 0
    for shipment in PostalShipment.objects.exclude(status__in=postal.FINAL)[:limit]:
        before = shipment.status
        try:
            changed += adapter.refresh(shipment) != before
        except (TransientError, PermanentError) as exc:
            log.warning("postal status of %s: %s", shipment.tracking_number, exc)
    return changed
