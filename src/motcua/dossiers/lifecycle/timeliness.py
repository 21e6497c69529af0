"""Early, on time or late: the grading of dossiers and steps (Decision 766 indicator 2.1; control sheet
Mẫu 05), the online receipt deadline, and the hand-overs of a dossier."""

from __future__ import annotations

import datetime as dt

from motcua.core import calendar
from motcua.core.calendar import TZ

from .. import rules
from ..models import Channel, Dossier, Status, StepRun
from .commit import now


def _grade(end: dt.datetime, due: dt.datetime) -> str:
    if end > due:
        return "late"
    if end.astimezone(TZ).date() < due.astimezone(TZ).date():
        return "early"
    return "on_time"


def timeliness(dossier: Dossier, as_of=None) -> str | None:
    """'early' | 'on_time' | 'late' for decided dossiers, 'in_progress_on_time' | 'in_progress_late'
    for open ones, None when no deadline applies (draft, not yet received, refused, withdrawn)."""
    d = dossier
    if d.received_at is None or d.due_at is None or d.status == Status.WITHDRAWN:
        return None
    r = rules.rules_of(d)
    forced_late = d.supplement_count > r.late_if_supplements_over or (r.apology_counts_as_late and d.apology_count)
    end = d.decided_at or (d.closed_at if d.status == Status.STOPPED else None)
    if end is not None:
        return "late" if forced_late else _grade(end, d.due_at)
    as_of = now(as_of)
    due = d.due_at
    if d.paused_at is not None and as_of > d.paused_at:
        due = calendar.add_working_minutes(due, max(0, calendar.working_minutes_between(d.paused_at, as_of)))
    if forced_late or as_of > due:
        return "in_progress_late"
    return "in_progress_on_time"


def step_timeliness(step_run: StepRun, as_of=None) -> str | None:
    if step_run is None:
        return None
    if step_run.finished_at is not None:
        return _grade(step_run.finished_at, step_run.due_at)
    return "in_progress_late" if now(as_of) > step_run.due_at else "in_progress_on_time"


def awaiting_decision(dossier: Dossier) -> bool:
    """True when every process step is done and the dossier waits for the leader's decision."""
    return dossier.status == Status.PROCESSING and dossier.current_step_id is None


def online_receipt_due_at(dossier: Dossier) -> dt.datetime | None:
    """When an online dossier must have been received or sent a supplement request (Decree 45/2020)."""
    if dossier.channel != Channel.ONLINE or dossier.submitted_at is None:
        return None
    hours = rules.rules_for(rules.rule_version_for(dossier.submitted_at)).online_receipt_notice_working_hours
    return calendar.add_working_minutes(dossier.submitted_at, hours * 60)


def handovers(dossier: Dossier) -> list[dict]:
    """The hand-overs between agencies, for the control sheet (Mẫu 05, Circular 01/2018): who gave,
    who received, when, and whether the giving step finished early / on time / late."""
    rows = []
    events = (dossier.events.filter(to_agency__isnull=False)
              .select_related("agency", "to_agency", "actor", "step").order_by("at", "id"))
    for ev in events:
        rows.append({"at": ev.at, "action": ev.action, "from_agency": ev.agency, "to_agency": ev.to_agency,
                     "actor": ev.actor, "step": ev.step, "note": ev.note,
                     "timeliness": (ev.data or {}).get("step_timeliness")})
    return rows
