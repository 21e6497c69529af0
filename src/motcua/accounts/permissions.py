"""Roles and capabilities: who holds which role, where. Roles are scoped to an agency; an assignment
without agency is province-wide.

- ``roles_of(user)`` — the user's RoleAssignments (cached on the user object); ``forget_roles(user)``;
  ``roles_known(user)`` / ``remember_roles(user, assignments)`` for a caller that reads them with its own
  statement (the dossier lifecycle's locking read); ``hold_roles(user)`` to read them afresh and keep them
  unchanged until the caller's transaction ends.
- ``has_role(user, roles, agency=None)`` — holds one of ``roles`` in ``agency`` (or province-wide).
- ``agencies_of(user)`` — ids of the agencies where the user holds any role.
- ``staff_agencies_of(user)`` — agencies where the user holds a staff role.
- ``is_officer(user)`` / ``is_province_wide(user)``.
- ``can(user, capability, agency=None)`` — non-dossier capabilities (answer feedback, read audit, ...).

The role groups (OFFICER_ROLES, STAFF_ROLES, ...) are defined once, beside ``Role``, in
``motcua.accounts.models``. Who may see and act on a dossier and its files is decided by
``motcua.dossiers.access``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connections, router

from .models import ACTING_ROLES, OFFICER_ROLES, PROVINCE_WIDE_ROLES, STAFF_ROLES, Role, RoleAssignment

_MANAGERS = {Role.DEPARTMENT_HEAD, Role.LEADER, Role.UNIT_ADMIN}

# Non-dossier capabilities.
CAPABILITY_ROLES: dict[str, set[str]] = {
    "answer_feedback": ACTING_ROLES,
    "publish_feedback": _MANAGERS | {Role.PROVINCIAL_ADMIN},
    "view_feedback": STAFF_ROLES,
    "view_audit": {Role.AUDITOR, Role.PROVINCIAL_ADMIN},
    "manage_accounts": {Role.UNIT_ADMIN, Role.PROVINCIAL_ADMIN},
    "view_reports": STAFF_ROLES,
    # Draft, approve and apply a reorganization of administrative units (units.reorganization).
    "manage_reorganization": {Role.PROVINCIAL_ADMIN},
}


def roles_of(user) -> list[RoleAssignment]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    cache = getattr(user, "_motcua_roles", None)
    if cache is None:
        cache = list(RoleAssignment.objects.filter(user=user).select_related("agency"))
        user._motcua_roles = cache
    return cache


def roles_known(user) -> bool:
    return getattr(user, "_motcua_roles", None) is not None


def remember_roles(user, assignments: Iterable[RoleAssignment]) -> None:
    """Cache the user's role assignments, read by the caller's own statement (all of them, ``agency`` unloaded)."""
    user._motcua_roles = list(assignments)


def forget_roles(user) -> None:
    """Drop the cached roles (after assigning or removing a role)."""
    if user is not None and hasattr(user, "_motcua_roles"):
        del user._motcua_roles


def hold_roles(user) -> None:
    """Read the user's roles afresh (not the cached ones) and cache them, their rows locked FOR SHARE until the
    caller's transaction ends on PostgreSQL: a role removed or changed meanwhile waits for that transaction, so
    nothing it does on the strength of the role happens after the removal has committed. On SQLite the read is
    fresh only (a writing transaction there holds the whole database anyway)."""
    qs = RoleAssignment.objects.filter(user=user)
    connection = connections[router.db_for_write(RoleAssignment)]
    if connection.vendor == "postgresql":
        sql, params = qs.query.sql_with_params()
        qs = RoleAssignment.objects.db_manager(connection.alias).raw(f"{sql} FOR SHARE", params)
    remember_roles(user, qs)


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


def staff_agencies_of(user) -> set[int]:
    """Agencies where the user holds a staff role (citizen assignments never scope an agency)."""
    return {ra.agency_id for ra in roles_of(user) if ra.agency_id is not None and ra.role in STAFF_ROLES}


def is_officer(user) -> bool:
    return any(ra.role in STAFF_ROLES for ra in roles_of(user))


def is_province_wide(user) -> bool:
    """provincial_admin / auditor anywhere, or an officer role held without an agency."""
    if getattr(user, "is_superuser", False) and getattr(user, "is_authenticated", False):
        return True
    return any(ra.role in PROVINCE_WIDE_ROLES or (ra.role in OFFICER_ROLES and ra.agency_id is None)
               for ra in roles_of(user))


def can(user, capability: str, agency=None) -> bool:
    """Non-dossier capability (see CAPABILITY_ROLES) in `agency` (None: anywhere)."""
    if getattr(user, "is_superuser", False) and getattr(user, "is_authenticated", False):
        return True
    roles = CAPABILITY_ROLES.get(capability)
    if not roles:
        return False
    return has_role(user, roles, agency)
