"""Page helpers shared by the citizen portal and the officers' back office."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import render
from django.urls import reverse

from motcua.accounts.models import Role
from motcua.accounts.permissions import has_role, is_officer, roles_of, staff_agencies_of
from motcua.core.errors import DomainError
from motcua.dossiers.handover import arriving

from .closing import closing_notices


def page(request, template: str, context: dict | None = None, status: int = 200):
    ctx = {"province_name": settings.MOTCUA_PROVINCE_NAME, "is_officer": is_officer(request.user)}
    ctx.update(context or {})
    return render(request, template, ctx, status=status)


def workplace(user) -> str:
    """Where a person works once signed in: the counter's queue, an officer's own work list, a citizen's dossiers."""
    if has_role(user, Role.COUNTER_OFFICER):
        return reverse("backoffice:queue")
    if is_officer(user):
        return reverse("backoffice:inbox")
    return reverse("portal:my_dossiers")


def officer_frame(request, **kw) -> dict:
    """What the back-office frame (backoffice/base_bo.html) shows around a page: the officer's roles, the counter
    links. Used by the back office and by the statistics pages an officer opens."""
    kw.setdefault("area", "backoffice")
    kw["my_roles"] = sorted({ra.get_role_display() for ra in roles_of(request.user)})
    kw["is_counter"] = has_role(request.user, Role.COUNTER_OFFICER)
    kw["can_reorganize"] = request.user.has_perm("units.manage_reorganization")
    kw["closing_notices"] = [*closing_notices(request.user),  # their unit closes (or has closed) with dossiers open
                             *arriving(staff_agencies_of(request.user))]  # a predecessor's dossiers still moving in
    return kw


def show_domain_error(request, err: DomainError) -> None:
    """An engine refused: tell the person why, in Vietnamese, never as a 500."""
    messages.error(request, err.message)


def place_domain_error(form, err: DomainError) -> None:
    """Show an engine's refusal on the form: each message of ``err.details`` at its field, else at the top."""
    placed = False
    for key, msg in (err.details or {}).items():
        if key in form.fields and isinstance(msg, str):
            form.add_error(key, msg)
            placed = True
    if not placed:
        form.add_error(None, err.message)


def actor(request):
    """The signed-in user as a real model instance (request.user is a lazy proxy; engines call type(user))."""
    user = request.user
    _ = user.pk  # force evaluation
    return getattr(user, "_wrapped", user)
