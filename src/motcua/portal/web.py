"""Helpers shared by the citizen portal and the officers' back office."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.shortcuts import render

from motcua.core.errors import DomainError

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
OFFICER_ROLES = {"counter_officer", "specialist", "department_head", "leader", "unit_admin",
                 "provincial_admin", "auditor"}


def is_officer(user) -> bool:
    from motcua.accounts.permissions import roles_of

    return any(ra.role in OFFICER_ROLES for ra in roles_of(user))


def page(request, template: str, context: dict | None = None, status: int = 200):
    ctx = {"province_name": settings.MOTCUA_PROVINCE_NAME, "is_officer": is_officer(request.user)}
    ctx.update(context or {})
    return render(request, template, ctx, status=status)


def show_domain_error(request, err: DomainError) -> None:
    """An engine refused: tell the person why, in Vietnamese, never as a 500."""
    messages.error(request, err.message)


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


def deadline_class(due_at, now=None, soon_hours: int = 24) -> str:
    """'overdue' past the appointment, 'due-soon' within a working day of it, '' otherwise."""
    if not due_at:
        return ""
    from django.utils import timezone

    now = now or timezone.now()
    if due_at < now:
        return "overdue"
    if due_at - now <= dt.timedelta(hours=soon_hours):
        return "due-soon"
    return ""


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "?"



def action_label(action: str) -> str:
    from motcua.dossiers.lifecycle import ACTION_LABELS

    return ACTION_LABELS.get(action, action.replace("_", " "))


def actor(request):
    """The signed-in user as a real model instance (request.user is a lazy proxy; engines call type(user))."""
    user = request.user
    _ = user.pk  # force evaluation
    return getattr(user, "_wrapped", user)


TIMELINESS = {"early": "trước hạn", "on_time": "đúng hạn", "late": "quá hạn",
              "in_progress_on_time": "đang trong hạn", "in_progress_late": "đang quá hạn"}


def form_rows(procedure, form_data: dict) -> list[tuple[str, str]]:
    """The e-form answers with their labels from the procedure's schema; ISO dates shown dd/mm/yyyy."""
    labels = {f.get("name"): f.get("label") or f.get("name") for f in procedure.form_schema or [] if isinstance(f, dict)}
    rows = []
    for key, value in (form_data or {}).items():
        if isinstance(value, bool):
            value = "Có" if value else "Không"
        elif isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
            try:
                value = dt.date.fromisoformat(value).strftime("%d/%m/%Y")
            except ValueError:
                pass
        rows.append((labels.get(key, key), value))
    return rows
