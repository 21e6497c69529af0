"""Who may do what, where. Roles are scoped to an agency; an assignment without agency is province-wide."""

from __future__ import annotations

from collections.abc import Iterable

from .models import RoleAssignment

PROVINCE_WIDE_ROLES = {"provincial_admin", "auditor"}


def roles_of(user) -> list[RoleAssignment]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    cache = getattr(user, "_motcua_roles", None)
    if cache is None:
        cache = list(RoleAssignment.objects.filter(user=user).select_related("agency"))
        user._motcua_roles = cache
    return cache


def has_role(user, roles: Iterable[str] | str, agency=None) -> bool:
    """True when the user holds one of `roles` in `agency` (or province-wide, or agency=None means anywhere)."""
    wanted = {roles} if isinstance(roles, str) else set(roles)
    agency_id = getattr(agency, "pk", agency)
    for ra in roles_of(user):
        if ra.role not in wanted:
            continue
        if agency_id is None or ra.agency_id is None or ra.agency_id == agency_id:
            return True
    return False


def agencies_of(user) -> set[int]:
    return {ra.agency_id for ra in roles_of(user) if ra.agency_id is not None}
