"""The commit path every transition shares, written once.

A transition declared with ``transitions.transition(action, actor=..., checks=...)`` runs it: in one transaction
it locks the dossier row (``lock``), runs the action's guard (guards.GUARDS: status, role, legal limits), the
argument checks in their order, the time-order check, then the change, and commits it: the dossier row (changed
columns only), a DossierEvent, an outbox event (``dossier.<action>``, payload below) and the audit entry (one
statement on PostgreSQL: store.py). A refusal raises before anything is written; the instance the caller passed is
refreshed after a success.

Transitions that create the dossier (save_draft, submit_online, receive_at_counter; with ``creation.py``) and
recorded facts use ``lock``/``run_locked`` and ``commit`` directly.

Lock order (no deadlock between transitions, whoever acts on whichever dossiers): the submitting account
(``creation.create_once``, idempotent submissions only), the receiving agency's row ``FOR SHARE`` (submissions: in the same
statement as the account's, else intake's first; intake_reads says why), the day's code sequence, the dossier. An
administrator switching an agency off or recording its successor locks the agency's row, then its dossiers
(units.succession): the same order, and the share lock lets submissions into one agency run side by side. The audit entry takes
no lock (the chainer links entries later: audit/chainer.py). Rows are locked ``FOR NO KEY UPDATE``: Django's
foreign keys are checked at COMMIT with ``FOR KEY SHARE`` on the rows they name (the actor's account, the
dossier, the event's agency), which ``FOR UPDATE`` would block — two transitions of one account would wait for each
other, and an administrator's lock on the agency (units.succession) for the transition it waits for.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from motcua.audit import services as audit
from motcua.core.calendar import TZ
from motcua.core.errors import NotFound, ValidationFailed
from motcua.outbox.models import OutboxEvent

from ..models import Dossier, DossierEvent, Slip
from . import store


def now(at) -> dt.datetime:
    if at is None:
        return timezone.now()
    if timezone.is_naive(at):
        return at.replace(tzinfo=TZ)
    return at


def iso(value):
    return value.isoformat() if value else None


@dataclass(frozen=True)
class DossierRef:
    """A dossier named by its code, for callers that have not loaded it (the API).

    Pass it instead of a Dossier to any transition: the dossier is then found and locked by the
    transition's own locking statement. When ``visible(dossier)`` is false, or there is no such
    dossier, ``not_found`` (default: NotFound "dossier_not_found") is raised and nothing is written.
    """

    code: str
    visible: Callable[[Dossier], bool] | None = None
    not_found: Exception | None = None


def _not_found(ref=None):
    if isinstance(ref, DossierRef) and ref.not_found is not None:
        return ref.not_found
    return NotFound("dossier_not_found", "Không tìm thấy hồ sơ.")


# ---------------------------------------------------------------------------------------------- locking

def lock_queryset():
    """The locking read as the ORM writes it: what runs outside a transaction (where Django refuses it) and
    the reference that ``store.lock_row``, the statement every transition runs, must load the same as."""
    return (Dossier.objects.select_for_update(of=("self",), no_key=True)
            .select_related("procedure", "procedure__field", "agency", "agency__admin_unit", "current_agency",
                            "current_agency__admin_unit", "current_step").order_by())


def _fetch_locked(field: str, value, actor=None, reads: tuple = ()) -> Dossier | None:
    if not store.writer().in_atomic_block:
        return lock_queryset().filter(**{field: value}).first()  # Django refuses: a lock needs a transaction
    return store.lock_row(field, value, actor, reads)


def lock(dossier, actor=None, reads: tuple = ()) -> Dossier:
    """Lock and load the dossier with what every transition reads, in one statement.

    The same statement reads the role assignments of ``actor``
    for the guard (and the visibility rule of a ``DossierRef``), and what ``reads`` names (store.READS); it
    remembers the loaded values so that ``commit`` writes only the columns that changed.
    """
    if isinstance(dossier, DossierRef):
        d = _fetch_locked("code", dossier.code, actor, reads) if dossier.code else None
        if d is None or (dossier.visible is not None and not dossier.visible(d)):
            raise _not_found(dossier)
    else:
        pk = getattr(dossier, "pk", dossier)
        d = _fetch_locked("pk", int(pk), actor, reads) if pk is not None else None
        if d is None:
            raise _not_found()
    remember_loaded(d)
    return d


def remember_loaded(d: Dossier) -> None:
    """The row's values as loaded (or inserted): ``commit`` then writes only the columns changed since."""
    loaded = {}
    for f in Dossier._meta.concrete_fields:
        value = getattr(d, f.attname)
        loaded[f.attname] = copy.deepcopy(value) if isinstance(value, (dict, list)) else value
    d._lifecycle_loaded = loaded


def _changed_fields(d: Dossier) -> list[str] | None:
    """Columns changed since ``lock`` loaded the row, or None when unknown (write them all)."""
    loaded = getattr(d, "_lifecycle_loaded", None)
    if loaded is None or d._state.adding or d.pk is None:
        return None
    return [f.attname for f in Dossier._meta.concrete_fields
            if not f.primary_key and getattr(d, f.attname) != loaded.get(f.attname)]


def check_time_order(d: Dossier, at: dt.datetime) -> None:
    # The time of the latest event is a column of the locked row: read with the lock, so a transition that waited
    # for it sees the time its predecessor wrote (not a snapshot from before the wait).
    last = d.last_event_at
    if last and at < last:
        raise ValidationFailed("time_before_last_event",
                               "Thời điểm thao tác không được trước thao tác gần nhất của hồ sơ.")


# ---------------------------------------------------------------------------------------------- commit

def payload(d: Dossier, *, action: str, from_status: str, at: dt.datetime, **extra) -> dict:
    """The outbox payload of a dossier event (reporting and integrations rely on it)."""
    proc = d.procedure
    data = {
        "dossier_id": d.pk,
        "code": d.code,
        "action": action,
        "from_status": from_status,
        "to_status": d.status,
        "at": at.isoformat(),
        "procedure_code": proc.code,
        "procedure_online_level": proc.online_level,
        "field_code": proc.field.code if proc.field_id else None,
        "agency_code": d.agency.code,
        "current_agency_code": d.current_agency.code if d.current_agency_id else None,
        "channel": d.channel,
        "submitted_at": iso(d.submitted_at),
        "received_at": iso(d.received_at),
        "closed_at": iso(d.closed_at),
        "due_at": iso(d.due_at),
        "decided_at": iso(d.decided_at),
        "returned_at": iso(d.returned_at),
        "fee_vnd": d.fee_vnd,
        "fee_paid_online": d.fee_paid_online,
        "digitized_at_receipt": d.digitized_at_receipt,
        "result_digitized": d.result_digitized,
        "result_electronic": d.result_electronic,
        "supplement_count": d.supplement_count,
        "apology_count": d.apology_count,
        "components_reused": d.components_reused,
        "vault_linked": d.vault_linked,
        "applicant_vneid": d.applicant_vneid,
        "applicant_population": d.applicant_population,
        "applicant_id_number": d.applicant_id_number or None,
        "version": d.version,
        "rule_version": d.rule_version,
        "step_order": d.current_step.order if d.current_step_id else None,
        "to_agency_code": None,
    }
    data.update(extra)
    return data


def commit(d: Dossier, *, action: str, from_status: str, actor, at: dt.datetime, note: str = "",
           agency=None, to_agency=None, step=None, data: dict | None = None, published: dict | None = None) -> Dossier:
    """Save the dossier and write its event, audit entry and outbox event (same transaction); ``published``: keys
    the outbox payload carries besides the usual ones."""
    d.version += 1
    if d.last_event_at is None or at > d.last_event_at:
        d.last_event_at = at
    changed = _changed_fields(d)
    if changed is None:
        if d._state.adding:
            store.insert(d)  # a new row: one INSERT .. RETURNING its id (store.py)
        else:
            d.save()  # a row not loaded by ``lock``: the ORM writes it whole
    event = DossierEvent(
        dossier=d, action=action, from_status=from_status, to_status=d.status, at=at,
        actor=actor if getattr(actor, "pk", None) else None,
        agency=agency if agency is not None else (d.current_agency or d.agency),
        to_agency=to_agency, step=step, note=note, data=data or {},
    )
    extra = {"to_agency_code": to_agency.code} if to_agency is not None else {}
    extra.update(published or {})
    body = payload(d, action=action, from_status=from_status, at=at, **extra)
    outbox = OutboxEvent(topic=f"dossier.{action}", aggregate_type="dossier", aggregate_id=str(d.pk), payload=body)
    # The audit entry: its content hash now, its place in the chain later (audit/chainer.py; no lock).
    entry = audit.entry(actor, f"dossier.{action}", "dossier", d.pk,
                        {"code": d.code, "from": from_status, "to": d.status, "note": note, **(data or {})}, at=at)
    # The changed columns, the event, the outbox event (its payload gains "event_id") and the audit entry: one
    # statement on PostgreSQL (store.py).
    store.write(d, changed, event, outbox, entry)
    remember_loaded(d)
    d.__dict__.pop("_lifecycle_open_run", None)  # the change may have closed or opened a step run
    return d


def refresh_caller(original, fresh: Dossier) -> Dossier:
    """Copy the new state onto the instance the caller passed in, so it is not left stale."""
    if isinstance(original, Dossier) and original is not fresh:
        for f in Dossier._meta.concrete_fields:
            setattr(original, f.attname, getattr(fresh, f.attname))
        original._state.fields_cache = dict(fresh._state.fields_cache)
    return fresh


def issue_slip(d: Dossier, kind: str, *, officer, at, **data) -> Slip:
    """A slip (Mẫu 01–04) issued by the transition, in its transaction; printed by motcua.papers.slips."""
    clean = {k: (iso(v) if isinstance(v, dt.datetime) else v) for k, v in data.items()}
    slip = Slip(dossier=d, kind=kind, issued_at=at, issued_by=officer if getattr(officer, "pk", None) else None,
                data=clean)
    store.insert(slip)
    return slip


def run_locked(original, body: Callable[[Dossier], Dossier]) -> Dossier:
    """Lock the dossier, run `body` on it in the same transaction, refresh the caller's instance."""
    with transaction.atomic():
        fresh = body(lock(original))
    return refresh_caller(original, fresh)


def flag_of(flag, d: Dossier) -> bool:
    """A flag a transition records: a bool, or a function of the locked dossier that says it. A layer above
    passes the function when the flag is what the dossier's documents show (documents.digitization_flags): it is then
    asked inside the transition, once the transition is allowed, and no client's word stands in for it."""
    return bool(flag(d) if callable(flag) else flag)


