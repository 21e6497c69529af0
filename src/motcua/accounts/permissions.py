"""Who may do what, where. Roles are scoped to an agency; an assignment without agency is province-wide.

Public API (used by the lifecycle, the web pages and the API):

- ``roles_of(user)`` — the user's RoleAssignments (cached on the user object).
- ``has_role(user, roles, agency=None)`` — holds one of ``roles`` in ``agency`` (or province-wide).
- ``agencies_of(user)`` — ids of the agencies where the user holds any role.
- ``staff_agencies_of(user)`` — agencies where the user holds an officer role; ``forget_roles(user)``.
- ``is_officer(user)`` / ``is_province_wide(user)``.
- ``visible_dossiers(user, qs=None)`` — the dossiers a user may see:
    * anonymous: none;
    * citizen: the dossiers they applied for or submitted (``applicant=user`` or ``submitted_by=user``,
      the lifecycle's notion of owner);
    * officer (counter_officer, specialist, department_head, leader, unit_admin): dossiers received by
      (``agency``) or in the hands of (``current_agency``) one of their agencies, dossiers ever handed to one
      of their agencies (``DossierEvent.to_agency``) and dossiers assigned to them;
    * provincial_admin, auditor, and any officer role held without agency (province-wide): all.
  Roles add up: an officer who also filed a dossier as a citizen sees it too.
- ``can_view_dossier(user, dossier)``.
- ``can_act(user, action, dossier)`` — may the user perform this lifecycle action on this dossier now?
  ``action`` is a key of ``motcua.dossiers.lifecycle.GUARDS`` (receive, request_supplement, refuse,
  start_processing, complete_step, hand_over, pause, resume, extend, issue_apology, approve, reject,
  sign_result, return_result, withdraw, stop, provide_supplement, ...), ``save_draft``/``submit_online``,
  or ``rate``. It runs the lifecycle's own guard (status + role in the right agency), so buttons shown
  and transitions accepted never disagree. Role summary (lifecycle): counter_officer receives, refuses,
  asks for supplements and returns results at the receiving agency; specialist/department_head process
  in the agency holding the dossier; leader approves, rejects, signs, extends and apologizes;
  unit_admin and provincial_admin may do any officer action (in their agency / anywhere); auditor none;
  the applicant submits, supplements, withdraws and rates.
- ``check_act(user, action, dossier)`` — same as ``can_act`` but raises the guard's own error
  (PermissionDenied 'forbidden', or InvalidTransition when the status does not allow it).
- ``require(user, action, dossier=None, *, agency=None)`` — raises ``motcua.core.errors.PermissionDenied``
  (code ``forbidden``, Vietnamese message): ``action="view"`` checks ``can_view_dossier``; a lifecycle
  action runs ``check_act`` (its error propagates); any other name is a capability of ``CAPABILITY_ROLES``
  checked with ``can(user, action, agency)``.
- ``can(user, capability, agency=None)`` — non-dossier capabilities (answer feedback, read audit, ...).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from motcua.core.errors import DomainError, InvalidTransition, PermissionDenied

from .models import Role, RoleAssignment

PROVINCE_WIDE_ROLES = {Role.PROVINCIAL_ADMIN.value, Role.AUDITOR.value}
OFFICER_ROLES = {Role.COUNTER_OFFICER.value, Role.SPECIALIST.value, Role.DEPARTMENT_HEAD.value,
                 Role.LEADER.value, Role.UNIT_ADMIN.value}
STAFF_ROLES = OFFICER_ROLES | PROVINCE_WIDE_ROLES

_MANAGERS = {Role.DEPARTMENT_HEAD.value, Role.LEADER.value, Role.UNIT_ADMIN.value}

# Actions decided here rather than by the lifecycle guards.
LOCAL_ACTIONS = {"rate"}

# Non-dossier capabilities.
CAPABILITY_ROLES: dict[str, set[str]] = {
    "answer_feedback": OFFICER_ROLES | {Role.PROVINCIAL_ADMIN.value},
    "publish_feedback": _MANAGERS | {Role.PROVINCIAL_ADMIN.value},
    "view_feedback": STAFF_ROLES,
    "view_audit": {Role.AUDITOR.value, Role.PROVINCIAL_ADMIN.value},
    "manage_accounts": {Role.UNIT_ADMIN.value, Role.PROVINCIAL_ADMIN.value},
    "view_reports": STAFF_ROLES,
}

FORBIDDEN_MESSAGE = "Bạn không có quyền thực hiện thao tác này."
FORBIDDEN_VIEW_MESSAGE = "Bạn không có quyền xem hồ sơ này."


def roles_of(user) -> list[RoleAssignment]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    cache = getattr(user, "_motcua_roles", None)
    if cache is None:
        cache = list(RoleAssignment.objects.filter(user=user).select_related("agency"))
        user._motcua_roles = cache
    return cache


def forget_roles(user) -> None:
    """Drop the cached roles (after assigning or removing a role)."""
    if user is not None and hasattr(user, "_motcua_roles"):
        del user._motcua_roles


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
    """Agencies where the user holds an officer role (citizen assignments never scope an agency)."""
    return {ra.agency_id for ra in roles_of(user) if ra.agency_id is not None and ra.role in STAFF_ROLES}


def is_officer(user) -> bool:
    return any(ra.role in STAFF_ROLES for ra in roles_of(user))


def is_province_wide(user) -> bool:
    """provincial_admin / auditor anywhere, or an officer role held without an agency."""
    if getattr(user, "is_superuser", False) and getattr(user, "is_authenticated", False):
        return True
    return any(ra.role in PROVINCE_WIDE_ROLES or (ra.role in OFFICER_ROLES and ra.agency_id is None)
               for ra in roles_of(user))


def visible_dossiers(user, qs=None):
    """QuerySet of the dossiers `user` may see (rules in the module docstring)."""
    from motcua.dossiers.models import Dossier, DossierEvent

    qs = Dossier.objects.all() if qs is None else qs
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
        return qs.none()
    if is_province_wide(user):
        return qs
    cond = Q(applicant_id=user.pk) | Q(submitted_by_id=user.pk)
    agencies = staff_agencies_of(user)
    if agencies:
        handed = DossierEvent.objects.filter(to_agency_id__in=agencies).values("dossier_id")
        cond |= (Q(agency_id__in=agencies) | Q(current_agency_id__in=agencies) | Q(pk__in=handed)
                 | Q(assignee_id=user.pk))
    return qs.filter(cond)


def can_view_dossier(user, dossier) -> bool:
    if dossier is None or user is None or not getattr(user, "is_authenticated", False):
        return False
    if is_province_wide(user):
        return True
    if user.pk in (dossier.applicant_id, dossier.submitted_by_id):
        return True
    agencies = staff_agencies_of(user)
    if not agencies:
        return False
    if dossier.agency_id in agencies or dossier.current_agency_id in agencies or dossier.assignee_id == user.pk:
        return True
    from motcua.dossiers.models import DossierEvent

    return DossierEvent.objects.filter(dossier_id=dossier.pk, to_agency_id__in=agencies).exists()


def lifecycle_actions() -> set[str]:
    """Names of the lifecycle actions can_act understands (the lifecycle's guards + draft actions)."""
    from motcua.dossiers import lifecycle

    return set(getattr(lifecycle, "GUARDS", {})) | {"save_draft", "submit_online"}


def check_act(user, action: str, dossier) -> None:
    """Raise the lifecycle's own error (PermissionDenied / InvalidTransition ...) unless `action` is allowed now."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
        raise PermissionDenied("forbidden", "Bạn cần đăng nhập để thực hiện thao tác này.")
    if dossier is None:
        raise PermissionDenied("forbidden", FORBIDDEN_MESSAGE, details={"action": action})
    if action == "rate":
        from motcua.dossiers.models import Status

        if dossier.applicant_id != user.pk:
            raise PermissionDenied("forbidden", "Chỉ người nộp hồ sơ mới được đánh giá hồ sơ này.")
        if dossier.status != Status.RETURNED:
            raise InvalidTransition("rating_not_returned", "Chỉ đánh giá được hồ sơ đã trả kết quả.")
        return
    from motcua.dossiers import lifecycle

    if action in ("save_draft", "submit_online"):
        if action not in lifecycle.allowed_actions(dossier, user):
            raise PermissionDenied("forbidden", FORBIDDEN_MESSAGE, details={"action": action})
        return
    guard = getattr(lifecycle, "GUARDS", {}).get(action)
    if guard is None:
        raise PermissionDenied("forbidden", FORBIDDEN_MESSAGE, details={"action": action})
    guard(dossier, user)


def can_act(user, action: str, dossier) -> bool:
    """May `user` perform lifecycle `action` on `dossier` now (status and role)?

    Delegates to the lifecycle's own guard (motcua.dossiers.lifecycle.GUARDS[action]) so the answer is
    exactly what the transition will check; 'rate' (satisfaction rating) is decided here: the applicant,
    once the result was returned. Unknown actions are refused.
    """
    try:
        check_act(user, action, dossier)
    except DomainError:
        return False
    return True


def can(user, capability: str, agency=None) -> bool:
    """Non-dossier capability (see CAPABILITY_ROLES) in `agency` (None: anywhere)."""
    if getattr(user, "is_superuser", False) and getattr(user, "is_authenticated", False):
        return True
    roles = CAPABILITY_ROLES.get(capability)
    if not roles:
        return False
    return has_role(user, roles, agency)


def require(user, action: str, dossier=None, *, agency=None) -> None:
    """Raise PermissionDenied('forbidden') unless allowed. action: 'view', a lifecycle action or a capability."""
    if action == "view":
        ok = can_view_dossier(user, dossier)
        message = FORBIDDEN_VIEW_MESSAGE
    elif action in LOCAL_ACTIONS or action in lifecycle_actions():
        check_act(user, action, dossier)
        return
    else:
        ok = can(user, action, agency)
        message = FORBIDDEN_MESSAGE
    if not ok:
        raise PermissionDenied("forbidden", message, details={"action": action})
