"""The moment a reorganization's move of a dossier counts from in the statistics, and the agency a rating counts
for (metrics.py, *Agency*)."""

from __future__ import annotations

import datetime as dt

from motcua.dossiers.models import DossierEvent
from motcua.outbox.models import OutboxEvent
from motcua.units.models import Agency, ReorganizationPlan
from motcua.units.reorganization import successor_on

from .metrics import FactData, local_day
from .payloads import dossier_id_of, moment_of

TRANSFER = "transfer_agency"  # a reorganization's move (dossiers.lifecycle.reorganization)


class MoveMoments:
    """The moment a reorganization's move counts from (metrics.py, *Agency*), in one place for the consumer, the
    rebuild and the naive recomputation: when the merger took effect, the plan's ``takes_effect_at``, however late
    the plan was applied.

    A transfer carries it as ``effective_at`` (event data and outbox payload). One written before that release
    carries only its plan's pk in its event data (``plan``; its outbox payload not even that, only ``event_id``),
    so the plan's ``takes_effect_at`` is read here, once per plan for this object's life (a consume run, a rebuild,
    a recomputation), and the stored history is not rewritten. The transfer's own moment only when the plan is not
    there any more."""

    def __init__(self) -> None:
        self._plans: dict[int, dt.datetime | None] = {}
        self._transfers: dict = {}  # event pk, or (dossier pk, moment) → a transfer's event data
        self._takers: dict[tuple[str, dt.date], str] = {}  # (agency code, day) → who answers for it then
        self._agencies: dict[str, Agency | None] = {}  # code → the agency with its unit (and successors walked)

    def moment(self, data: dict, at: dt.datetime) -> dt.datetime:
        """When the move of the transfer whose event data (or outbox payload) is ``data`` and moment ``at`` counts."""
        carried = moment_of(data.get("effective_at"))
        if carried is not None:
            return carried
        plan = data.get("plan")
        if plan is not None and plan not in self._plans:
            self._load_plans([plan])
        return self._plans.get(plan) or at

    def of_outbox(self, event: OutboxEvent, at: dt.datetime) -> dt.datetime:
        """The moment of a ``dossier.transfer_agency`` outbox event (``prepare`` read the batch's old ones)."""
        payload = event.payload
        if payload.get("effective_at") or payload.get("plan") is not None:
            return self.moment(payload, at)
        data = self._transfers.get(payload.get("event_id")) or self._transfers.get((dossier_id_of(event), at), {})
        return self.moment(data, at)

    def prepare(self, events: list[OutboxEvent]) -> None:
        """Read, in one query each, the event data and plans of the transfers in ``events`` written before their
        payload carried ``effective_at`` (by the dossier event's id, or by dossier and moment for the oldest)."""
        old = [e for e in events if e.topic == f"dossier.{TRANSFER}" and not e.payload.get("effective_at")
               and e.payload.get("plan") is None]
        dossiers = {i for i in (dossier_id_of(e) for e in old) if i is not None}
        if not dossiers:
            return
        for pk, dossier, moment, data in DossierEvent.objects.filter(dossier_id__in=dossiers, action=TRANSFER) \
                .values_list("pk", "dossier_id", "at", "data"):
            self._transfers[pk] = self._transfers[(dossier, moment)] = data
        self._load_plans([d.get("plan") for d in self._transfers.values() if d.get("plan") not in self._plans])

    def _load_plans(self, pks: list) -> None:
        self._plans.update(dict.fromkeys(pks))  # a plan not there any more: the transfer's own moment
        pks = [pk for pk in pks if isinstance(pk, int)]
        if not pks:
            return
        for plan in ReorganizationPlan.objects.filter(pk__in=pks).only("pk", "effective_date"):
            self._plans[plan.pk] = plan.takes_effect_at

    def units_changed(self) -> None:
        """A merger was applied since ``rated_for`` read the units: read them again."""
        self._takers.clear()
        self._agencies.clear()

    def rated_for(self, f: FactData) -> str:
        """``FactData.rated_for``: where the dossier's agency on the day of its rating (``agency_at``) had closed by
        then, the agency that succeeded it (units.reorganization.successor_on), "" otherwise (the rating counts
        where every other figure of that day would). A figure given after a unit's last day is never the closed
        unit's: a dossier its old committee returned before the merger took effect stays in its history (not moved,
        dossiers.lifecycle.reorganization.moves_under), but a rating given since counts for the new unit. Read
        from the units as they are now, once per agency and day for this object's life; the consumer reads it
        again when a merger's ``units.reorganized`` lands (a plan applied after the ratings of its late days)."""
        if f.rated_at is None or f.satisfied is None:
            return ""
        key = (f.agency_at(f.rated_at), local_day(f.rated_at))
        if key not in self._takers:
            if key[0] not in self._agencies:  # one statement per agency, not per agency and day
                self._agencies[key[0]] = Agency.objects.select_related("admin_unit").filter(code=key[0]).first()
            agency = self._agencies[key[0]]
            taker = successor_on(agency, key[1]) if agency is not None else None
            self._takers[key] = taker.code if taker is not None else ""
        return self._takers[key]
