"""How dates, deadlines, actions and e-form answers are shown on the portal and in the back office."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from motcua.core.answers import field_kinds, shown_answer
from motcua.core.calendar import TZ
from motcua.dossiers.lifecycle import event_label

TIMELINESS = {"early": "trước hạn", "on_time": "đúng hạn", "late": "quá hạn",
              "in_progress_on_time": "đang trong hạn", "in_progress_late": "đang quá hạn"}


def vn_date(value) -> str:
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(TZ) if value.tzinfo else value
    return value.strftime("%d/%m/%Y")


def vn_datetime(value) -> str:
    if not value:
        return ""
    value = value.astimezone(TZ) if value.tzinfo else value
    return value.strftime("%H:%M %d/%m/%Y")


# what deadline_class's colour means, said in words beside it: colour alone is lost on some eyes (WCAG 1.4.1)
DEADLINE_WORDS = {"overdue": "quá hạn", "due-soon": "sắp đến hạn"}


def deadline_class(due_at, now=None, soon_hours: int = 24) -> str:
    """'overdue' past the appointment, 'due-soon' within a working day of it, '' otherwise."""
    if not due_at:
        return ""
    now = now or timezone.now()
    if due_at < now:
        return "overdue"
    if due_at - now <= dt.timedelta(hours=soon_hours):
        return "due-soon"
    return ""


def action_label(action: str) -> str:
    return event_label(action, None)


def event_name(event) -> str:
    """What a dossier event is called in a timeline (a transfer to an admin-recorded successor: lifecycle.event_label)."""
    return event_label(event.action, event.data)


def form_rows(procedure, form_data: dict) -> list[tuple[str, str]]:
    """The e-form answers with their labels from the procedure's schema, as people read them (core.answers)."""
    labels = {f.get("name"): f.get("label") or f.get("name") for f in procedure.form_schema or [] if isinstance(f, dict)}
    kinds = field_kinds(procedure.form_schema)
    return [(labels.get(key, key), shown_answer(value, kinds.get(key))) for key, value in (form_data or {}).items()]
