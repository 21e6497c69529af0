"""Who may see and act on a dossier and its files: the one rule every web page, API route and app uses.

- ``visible_dossiers(user, qs=None)`` — the dossiers a user may see:
    * anonymous or inactive: none;
    * citizen: the dossiers they applied for or submitted (``applicant=user`` or ``submitted_by=user``,
      the lifecycle's notion of owner);
    * officer (counter_officer, specialist, department_head, leader, unit_admin): dossiers received by
      (``agency``) or in the hands of (``current_agency``) one of their agencies, dossiers ever handed to one
      of their agencies (``DossierEvent.to_agency``: inter-agency hand-over, liên thông) and dossiers assigned
      to them;
    * provincial_admin, auditor, and any officer role held without agency (province-wide): all.
  Roles add up: an officer who also filed a dossier as a citizen sees it too.
- ``can_view_dossier(user, dossier)`` — the same rule for one dossier. A dossier's files are shown to whoever
  may view the dossier (``motcua.documents.attachments.can_access_attachment`` asks this).
- ``handles_dossier(user, dossier)`` — an officer acting for the receiving or the current agency of the dossier
  (``dossier=None``: an acting officer anywhere); may add officer files (scans, results) and digitize them.
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
  action runs ``check_act`` (its error propagates); any other name is a capability of
  ``motcua.accounts.permissions.CAPABILITY_ROLES`` checked with ``can(user, action, agency)``.

Roles themselves (``roles_of``, ``has_role``, the role groups) belong to ``motcua.accounts``.
"""

from __future__ import annotations

from django.db.models import Q

from motcua.accounts.models import ACTING_ROLES
from motcua.accounts.permissions import can, has_role, is_province_wide, staff_agencies_of
from motcua.core.errors import DomainError, InvalidTransition, PermissionDenied
from motcua.db.expressions import AmongIds

from . import lifecycle
from .models import Dossier, DossierEvent, Status

# Actions decided here rather than by the lifecycle guards.
LOCAL_ACTIONS = {"rate"}
DRAFT_ACTIONS = {"save_draft", "submit_online"}

FORBIDDEN_MESSAGE = "Bạn không có quyền thực hiện thao tác này."
FORBIDDEN_VIEW_MESSAGE = "Bạn không có quyền xem hồ sơ này."


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_active", True)


def visible_dossiers(user, qs=None):
    """QuerySet of the dossiers `user` may see (rules in the module docstring)."""
    qs = Dossier.objects.all() if qs is None else qs
    if not _signed_in(user):
        return qs.none()
    if is_province_wide(user):
        return qs
    cond = Q(applicant_id=user.pk) | Q(submitted_by_id=user.pk)
    agencies = staff_agencies_of(user)
    if agencies:
        # Each branch on its own index ((agency, status), (current_agency, status), assignee, applicant,
        # (submitted_by, idempotency_key), the primary key for the hand-overs), combined by a BitmapOr: with the
        # hand-overs as ``pk IN (SELECT …)`` every back-office list read the whole dossier table (AmongIds).
        handed = DossierEvent.objects.filter(to_agency_id__in=agencies).values("dossier_id")
        cond |= (Q(agency_id__in=agencies) | Q(current_agency_id__in=agencies) | Q(AmongIds(handed))
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
    return DossierEvent.objects.filter(dossier_id=dossier.pk, to_agency_id__in=agencies).exists()


def handles_dossier(user, dossier) -> bool:
    """An acting officer of the dossier's receiving or current agency (any agency when `dossier` is None)."""
    if dossier is None:
        return has_role(user, ACTING_ROLES)
    return any(has_role(user, ACTING_ROLES, agency) for agency in {dossier.agency_id, dossier.current_agency_id}
               - {None})


def lifecycle_actions() -> set[str]:
    """Names of the lifecycle actions can_act understands (the lifecycle's guards + draft actions)."""
    return set(lifecycle.GUARDS) | DRAFT_ACTIONS


def check_act(user, action: str, dossier) -> None:
    """Raise the lifecycle's own error (PermissionDenied / InvalidTransition ...) unless `action` is allowed now."""
    if not _signed_in(user):
        raise PermissionDenied("forbidden", "Bạn cần đăng nhập để thực hiện thao tác này.")
    if dossier is None:
        raise PermissionDenied("forbidden", FORBIDDEN_MESSAGE, details={"action": action})
    if action == "rate":
        if dossier.applicant_id != user.pk:
            raise PermissionDenied("forbidden", "Chỉ người nộp hồ sơ mới được đánh giá hồ sơ này.")
        if dossier.status != Status.RETURNED:
            raise InvalidTransition("rating_not_returned", "Chỉ đánh giá được hồ sơ đã trả kết quả.")
        return
    if action in DRAFT_ACTIONS:
        if action not in lifecycle.allowed_actions(dossier, user):
            raise PermissionDenied("forbidden", FORBIDDEN_MESSAGE, details={"action": action})
        return
    guard = lifecycle.GUARDS.get(action)
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
