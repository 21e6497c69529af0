"""What every statistics page shares: the frame, the period, the unit, and refusals shown as a page."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from motcua.accounts import permissions
from motcua.core.errors import DomainError, PermissionDenied
from motcua.reporting import indicators
from motcua.reporting.access import check_scope
from motcua.reporting.continuity import LINEAGE
from motcua.reporting.scopes import scope_label
from motcua.units.models import Agency
from motcua.web.pages import officer_frame, page

MONTHS = ["T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "T10", "T11", "T12"]
CHANNELS = {"online": "Trực tuyến", "counter": "Trực tiếp", "post": "Bưu chính công ích"}


def render(request, template: str, ctx: dict | None = None, status: int = 200):
    """The page in the back office's frame for officers, in the portal's for everyone else."""
    officer = permissions.is_officer(request.user)
    frame = {"stats_base": "backoffice/base_bo.html" if officer else "base.html", "stats_officer": officer,
             "nav": "statistics"}
    if officer:
        frame = officer_frame(request, **frame)
    frame.update(ctx or {})
    return page(request, template, frame, status=status)


def error(request, exc: DomainError):
    return render(request, "reporting/error.html", {"error": exc}, status=exc.status)


def period_from(request) -> tuple[dt.date, dt.date]:
    g = request.GET
    if g.get("tu") and g.get("den"):
        return indicators.parse_period(start=g["tu"], end=g["den"])
    return indicators.parse_period(g.get("ky") or str(timezone.localdate().year))


def agency_or_404(code: str) -> Agency:
    """The agency of a scope: its code, or "lineage:<code>" (with the units merged into it)."""
    return get_object_or_404(Agency.objects.select_related("admin_unit", "successor"), code=code.removeprefix(LINEAGE))


def scope_name(scope: str | None) -> str:
    if not scope or scope == "province":
        return "Toàn tỉnh"
    if label := scope_label(scope):  # level:… / unit:…
        return label
    agency = Agency.objects.filter(code=scope.removeprefix(LINEAGE)).only("name").first()
    if agency is None:
        return "Đơn vị không còn hoạt động"
    return f"{agency.name} (gồm các đơn vị tiền thân)" if scope.startswith(LINEAGE) else agency.name


def may_list_dossiers(user, scope: str | None) -> bool:
    """Officers of the unit (province-wide roles: every unit) may open the dossiers behind a figure."""
    try:
        check_scope(user, scope)
    except PermissionDenied:
        return False
    return True


def own_unit(user) -> str | None:
    """The code of the one agency an officer works in, unless province-wide: where a commune's leader expects a unit's
    statistics to open (the dossiers behind its figures are theirs to open, may_list_dossiers)."""
    if not getattr(user, "is_authenticated", False) or permissions.is_province_wide(user):
        return None
    mine = permissions.staff_agencies_of(user)
    if len(mine) != 1:
        return None
    return Agency.objects.filter(pk__in=mine, is_active=True).values_list("code", flat=True).first()


def agencies(selected: str | None = None):
    """The active agencies, and the one chosen even when it has stopped (a unit merged away: its history)."""
    chosen = Q(code=selected.removeprefix(LINEAGE)) if selected else Q(pk__in=[])
    return Agency.objects.filter(Q(is_active=True) | chosen).order_by("name").only("code", "name")
