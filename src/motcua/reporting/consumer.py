"""Keeps DossierFact and StatCounter up to date from outbox events.

Idempotent and restartable: each batch updates facts, counters and the consumer's cursor (last
applied event id) in one transaction; a crash rolls all three back together and the next run starts
again after the cursor. A fact also remembers the last event applied to it, so replaying an old
event changes nothing.

Outbox ids are allocated before commit, so a transaction that commits late can expose an id lower
than one already consumed; ``consume`` therefore only reads events older than ``lag_seconds``
(the management command uses a few seconds; tests use 0).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.dateparse import parse_date

from motcua.db import health
from motcua.db.router import read_alias
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.engagement.models import SatisfactionRating
from motcua.integrations.models import Delivery
from motcua.outbox.models import OutboxEvent
from motcua.units.succession import SUCCESSOR_RECORDED

from . import retention
from .metrics import (
    ALL,
    DIMENSIONS,
    METRICS,
    SYNC_ACKNOWLEDGED,
    SYNC_REJECTED,
    TERMINAL_STATUSES,
    FactData,
    add_move,
    contributions,
    day_bounds,
    diff,
)
from .models import ConsumerCursor, DossierFact, StatCounter
from .move_moments import TRANSFER, MoveMoments
from .payloads import dossier_id_of, moment_of

CONSUMER_NAME = "reporting.counters"
REORGANIZED = "units.reorganized"  # a merger applied: ratings of its late days now count for the new unit
# a merger's plan applied, or a successor recorded in the admin: ratings of the closed unit's late days now count for
# its successor
SUCCESSIONS = (REORGANIZED, SUCCESSOR_RECORDED)
TOPIC_PREFIXES = ("dossier.", "engagement.", "integration.", *SUCCESSIONS)
_FACT_FIELDS = FactData.field_names()


def fact_data(row: DossierFact | None) -> FactData | None:
    if row is None:
        return None
    return FactData(**{name: getattr(row, name) for name in _FACT_FIELDS})


def _apply_dossier_payload(row: DossierFact, payload: dict, at: dt.datetime | None,
                           moved_at: dt.datetime | None = None) -> None:
    """``moved_at``: for a transfer, the moment its move counts from (MoveMoments)."""
    status = payload.get("to_status") or row.status
    row.status = status
    row.code = payload.get("code") or row.code or ""
    moved_from = row.agency_code
    if payload.get("action") == TRANSFER and moved_from and payload.get("agency_code") not in (None, moved_from):
        row.agency_moves = add_move(row.agency_moves, moved_from, moved_at or at)
    for key in ("agency_code", "current_agency_code", "procedure_code", "field_code", "channel", "rule_version"):
        if key in payload:
            setattr(row, key, payload.get(key) or "")
    if "procedure_online_level" in payload:
        row.online_level = payload.get("procedure_online_level") or ""
    for key in ("received_at", "due_at", "decided_at", "returned_at"):
        if key in payload:
            setattr(row, key, moment_of(payload.get(key)))
    for key in ("fee_paid_online", "digitized_at_receipt", "result_digitized", "result_electronic",
                "components_reused", "vault_linked", "applicant_vneid", "applicant_population"):
        if key in payload:
            setattr(row, key, bool(payload.get(key)))
    for key in ("fee_vnd", "supplement_count", "apology_count"):
        if key in payload:
            setattr(row, key, int(payload.get(key) or 0))
    if status == "draft":
        row.submitted_at = None
    elif payload.get("action") in ("submit_online", "receive_at_counter") or row.submitted_at is None:
        row.submitted_at = moment_of(payload.get("submitted_at")) or at
    if status in TERMINAL_STATUSES:
        row.closed_at = moment_of(payload.get("closed_at")) or row.closed_at or at
    else:
        row.closed_at = None


def _apply_engagement_payload(row: DossierFact, payload: dict, at: dt.datetime | None) -> bool:
    """engagement.rating_submitted: {"dossier_id", "satisfied", "at", …}; other engagement events are ignored."""
    if not isinstance(payload.get("satisfied"), bool):
        return False
    row.satisfied = payload["satisfied"]
    row.rated_at = at
    return True


def _apply_outcome_payload(row: DossierFact, topic: str, payload: dict) -> bool:
    """integration.portal_sync: the portal's last answer is the dossier's sync status (Decision 766 1.4);
    integration.storage_sync: a document reached the national personal storage (4.4)."""
    outcome = payload.get("outcome")
    if outcome not in (SYNC_ACKNOWLEDGED, SYNC_REJECTED):
        return False
    if topic == "integration.portal_sync":
        row.sync_status = outcome
    elif outcome == SYNC_ACKNOWLEDGED:
        row.storage_synced = True
    return True


def _rated_before_merger(event: OutboxEvent) -> list[int]:
    """The facts a merger's ``units.reorganized`` (or a ``units.successor_recorded``) may change: dossiers of its old agencies rated since it took effect
    (``rated_for``, read again once the old units are closed)."""
    codes = [c for p in event.payload.get("predecessors") or () for c in p.get("agency_codes") or ()]
    rated = DossierFact.objects.filter(agency_code__in=codes, rated_at__isnull=False)
    effective = parse_date(str(event.payload.get("effective_date") or ""))
    if effective is not None:
        rated = rated.filter(rated_at__gte=day_bounds(effective, effective)[0])
    return list(rated.values_list("pk", flat=True))


def _counter_rows(deltas: dict[tuple, dict[str, int]]):
    """Spread day deltas over the day, month and year grains, fine and rolled up."""
    rows: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (day, agency, procedure, field, level, channel), values in deltas.items():
        for grain, start in (("d", day), ("m", day.replace(day=1)), ("y", day.replace(month=1, day=1))):
            # the fine row, and the agency roll-up (procedure and field "*") most reports read
            for key in ((grain, start, agency, procedure, field, level, channel),
                        (grain, start, agency, ALL, ALL, level, channel)):
                bucket = rows[key]
                for metric, value in values.items():
                    bucket[metric] += value
    return rows


def upsert_counters(deltas: dict[tuple, dict[str, int]]) -> None:
    """Add the deltas to StatCounter with one INSERT … ON CONFLICT DO UPDATE (SQLite and PostgreSQL)."""
    if not deltas:
        return
    table = StatCounter._meta.db_table
    metrics = list(METRICS)
    keys = ["grain", "period_start", *DIMENSIONS]
    cols = keys + metrics
    qn = connection.ops.quote_name
    sql = (
        f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in cols)}) VALUES ({', '.join(['%s'] * len(cols))}) "
        f"ON CONFLICT ({', '.join(qn(k) for k in keys)}) DO UPDATE SET "
        + ", ".join(f"{qn(m)} = {qn(table)}.{qn(m)} + EXCLUDED.{qn(m)}" for m in metrics)
    )
    params = [[*key, *(values.get(m, 0) for m in metrics)] for key, values in _counter_rows(deltas).items()]
    with connection.cursor() as cur:
        cur.executemany(sql, params)


def _merge(total: dict, part: dict) -> None:
    for key, values in part.items():
        bucket = total.setdefault(key, {})
        for metric, value in values.items():
            bucket[metric] = bucket.get(metric, 0) + value


def apply_events(events: list[OutboxEvent], moments: MoveMoments | None = None) -> None:
    """Apply events to facts and counters (caller holds the transaction); ``moments``: the plans already read."""
    moments = moments if moments is not None else MoveMoments()
    moments.prepare(events)
    ids = {i for i in (dossier_id_of(e) for e in events) if i is not None}
    mergers = [e for e in events if e.topic in SUCCESSIONS]
    if mergers:
        moments.units_changed()
    reorganized = {pk for e in mergers for pk in _rated_before_merger(e)}
    facts = {f.pk: f for f in DossierFact.objects.filter(pk__in=ids | reorganized)}
    before = {pk: fact_data(f) for pk, f in facts.items()}
    touched: set[int] = set(reorganized)
    for event in events:
        dossier_id = dossier_id_of(event)
        if dossier_id is None:
            continue
        row = facts.get(dossier_id)
        if row is not None and row.last_event_id >= event.pk:
            continue  # already applied
        at = moment_of(event.payload.get("at")) or event.created_at
        if event.topic.startswith("dossier."):
            if row is None:
                row = facts[dossier_id] = DossierFact(dossier_id=dossier_id)
            moved_at = moments.of_outbox(event, at) if event.payload.get("action") == TRANSFER else None
            _apply_dossier_payload(row, event.payload, at, moved_at)
        elif event.topic.startswith("engagement."):
            if row is None:
                row = facts[dossier_id] = DossierFact(dossier_id=dossier_id)
            if not _apply_engagement_payload(row, event.payload, at):
                continue
        else:
            if row is None:
                row = facts[dossier_id] = DossierFact(dossier_id=dossier_id)
            if not _apply_outcome_payload(row, event.topic, event.payload):
                continue
        row.last_event_id = event.pk
        touched.add(dossier_id)
    deltas: dict = {}
    for pk in touched:
        facts[pk].rated_for = moments.rated_for(fact_data(facts[pk]))
        _merge(deltas, diff(contributions(before.get(pk)), contributions(fact_data(facts[pk]))))
    new = [facts[pk] for pk in touched if pk not in before]
    old = [facts[pk] for pk in touched if pk in before]
    if new:
        DossierFact.objects.bulk_create(new)
    if old:
        DossierFact.objects.bulk_update(old, [*_FACT_FIELDS, "code", "status", "current_agency_code",
                                              "last_event_id"])
    upsert_counters(deltas)


def _pending_events(after_id: int, batch_size: int, lag_seconds: float) -> list[OutboxEvent]:
    """The next events after the cursor; read on the replica when one is configured and fresh.

    Only events older than `lag_seconds` are taken, so a transaction that took its event id before
    another one but committed after it is not skipped. On the replica "now" is the replica's horizon
    (every commit before it is there), not the wall clock.
    """
    source = read_alias()
    horizon = health.horizon() if source != DEFAULT_DB_ALIAS else None
    if horizon is not None:
        cutoff = dt.datetime.fromtimestamp(horizon - lag_seconds, tz=dt.UTC)
        try:
            return list(OutboxEvent.objects.using(source).filter(pk__gt=after_id, created_at__lte=cutoff)
                        .order_by("pk")[:batch_size])
        except DatabaseError:
            health.mark_down()  # read this batch on the leader
    qs = OutboxEvent.objects.filter(pk__gt=after_id).order_by("pk")
    if lag_seconds:
        qs = qs.filter(created_at__lte=timezone.now() - dt.timedelta(seconds=lag_seconds))
    return list(qs[:batch_size])


def consume(*, batch_size: int = 500, lag_seconds: float = 0, max_batches: int | None = None,
            name: str = CONSUMER_NAME) -> int:
    """Apply every pending event; returns how many events were read."""
    total = 0
    batches = 0
    moments = MoveMoments()  # a plan read once for the whole run (a rebuild replays every transfer)
    while max_batches is None or batches < max_batches:
        with transaction.atomic():
            cursor, _ = ConsumerCursor.objects.get_or_create(name=name)
            cursor = ConsumerCursor.objects.select_for_update().get(pk=cursor.pk)
            events = _pending_events(cursor.last_event_id, batch_size, lag_seconds)
            if not events:
                return total
            apply_events([e for e in events if e.topic.startswith(TOPIC_PREFIXES)], moments)
            cursor.last_event_id = events[-1].pk
            cursor.save(update_fields=["last_event_id", "updated_at"])
        total += len(events)
        batches += 1
    return total


# ---- the naive truth ----

def fact_from_dossier(d, moments: MoveMoments | None = None) -> FactData:
    moments = moments or MoveMoments()
    fact = FactData(
        agency_code=d.agency.code, procedure_code=d.procedure.code, field_code=d.procedure.field.code,
        online_level=d.procedure.online_level, channel=d.channel, status=d.status, rule_version=d.rule_version,
        submitted_at=d.submitted_at or d.received_at, received_at=d.received_at, due_at=d.due_at,
        decided_at=d.decided_at, returned_at=d.returned_at,
        closed_at=d.closed_at if d.status in TERMINAL_STATUSES else None, fee_vnd=d.fee_vnd,
        fee_paid_online=d.fee_paid_online, digitized_at_receipt=d.digitized_at_receipt,
        result_digitized=d.result_digitized, result_electronic=d.result_electronic,
        supplement_count=d.supplement_count, apology_count=d.apology_count,
        components_reused=d.components_reused, vault_linked=d.vault_linked, applicant_vneid=d.applicant_vneid,
        applicant_population=d.applicant_population, agency_moves=_moves_of(d, moments), **_rating_of(d),
        **_national_answers(d))
    fact.rated_for = moments.rated_for(fact)
    return fact


def _moves_of(d, moments: MoveMoments) -> str:
    """The agencies a reorganization moved the dossier from, read from its own events."""
    text = ""
    events = getattr(d, "transfers", None)
    for event in d.events.filter(action=TRANSFER).order_by("at", "id") if events is None else events:
        if event.data.get("from_agency") != event.data.get("to_agency"):
            text = add_move(text, event.data["from_agency"], moments.moment(event.data, event.at))
    return text


def _national_answers(d) -> dict:
    """What the national portal and personal storage answered, read from the deliveries themselves."""
    mine = Delivery.objects.filter(aggregate_key=f"dossier:{d.pk}", status__in=(Delivery.DELIVERED, Delivery.DEAD))
    last = mine.filter(target="dvcqg").order_by("-event_id").values_list("status", flat=True).first()
    status = {Delivery.DELIVERED: SYNC_ACKNOWLEDGED, Delivery.DEAD: SYNC_REJECTED}.get(last, "")
    stored = mine.filter(target="dvcqg_storage", status=Delivery.DELIVERED).exists()
    return {"sync_status": status, "storage_synced": stored}


def _rating_of(d) -> dict:
    """The applicant's rating, read the way the event carries it (the naive truth for satisfaction)."""
    rating = SatisfactionRating.objects.filter(dossier_id=d.pk).values("satisfied", "created_at").first()
    if rating is None:
        return {}
    return {"satisfied": rating["satisfied"], "rated_at": rating["created_at"]}


def recompute_from_dossiers(queryset=None) -> dict[tuple, dict[str, int]]:
    """Counters computed by scanning raw dossiers: {(grain, period_start, *dims): {metric: value}}."""
    qs = queryset if queryset is not None else Dossier.objects.exclude(status="draft")
    total: dict = {}
    transfers = Prefetch("events", DossierEvent.objects.filter(action=TRANSFER).order_by("at", "id"),
                         to_attr="transfers")
    moments = MoveMoments()
    for d in qs.select_related("agency", "procedure__field").prefetch_related(transfers).iterator(chunk_size=500):
        _merge(total, contributions(fact_from_dossier(d, moments)))
    return {k: {m: v for m, v in vals.items() if v} for k, vals in _counter_rows(total).items()
            if any(vals.values())}


def stored_counters() -> dict[tuple, dict[str, int]]:
    """The StatCounter table in the same shape as recompute_from_dossiers (zero rows dropped)."""
    out = {}
    for row in StatCounter.objects.all().values():
        key = (row["grain"], row["period_start"], *(row[d] for d in DIMENSIONS))
        vals = {m: row[m] for m in METRICS if row[m]}
        if vals:
            out[key] = vals
    return out


class RebuildRefused(Exception):
    """The outbox no longer holds every event: a replay would lose figures (message in Vietnamese)."""


def rebuild() -> int:
    """Drop facts and counters and replay the whole outbox (after a definition change).

    Refused once months of the outbox were detached for archiving (PostgreSQL, ``manage.py partitions``):
    their events are no longer there to replay; attach them again first (docs/operations.md)."""
    archived = retention.archived_events()
    if archived:
        raise RebuildRefused(
            f"Không dựng lại được: {len(archived)} phân vùng sự kiện ({', '.join(a.partition for a in archived)}) đã "
            "được tách để lưu trữ, dựng lại sẽ mất số liệu của các tháng đó. Gắn lại các phân vùng này trước "
            "(docs/operations.md, “Partitions by time”).")
    with transaction.atomic():
        StatCounter.objects.all().delete()
        DossierFact.objects.all().delete()
        ConsumerCursor.objects.filter(name=CONSUMER_NAME).delete()
    return consume()
