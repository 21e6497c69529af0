"""Who sees and changes digital-transformation data, and where.

- a unit's officers see their unit's plans, the plans where their unit leads a task, and the province's
  own plans (which theirs implement); editors
  (unit admin, leader, department head, specialist) change them; a leader or the unit admin approves;
- the provincial admin sees and changes everything, keeps the catalogues and opens reporting rounds;
- an auditor, and an officer role held province-wide (without an agency), reads everything and changes nothing:
  a plan, its round answers, teams and report are a unit's own, written by its officers and approved by its
  leader (docs/transformation.md, "Who does what"), so a role changes a unit's data only where it is held for that
  unit (``_held_in``), never through a province-wide assignment — unlike a dossier, which a province-wide officer
  may act on anywhere (dossiers/access.py);
- a citizen's account (or any without a staff role) reaches none of it: the back office asks officer_required,
  the API ``works_for_state`` on every route (api/transformation);
- a unit that succeeded others in a merger (motcua.units.reorganization) reads their plans, round answers and
  reports, and changes none of them: they stay the old unit's history (its open tasks are handed over to the
  successor, which reports on them, and its teams move to it: transformation/services/merger.py);
- a closed unit (merged, or dissolved: its last day has passed) changes none of its own data either — plans, tasks and
  their results, budget, targets and values, evidence, teams, round answers, annual report: a role left on it (a
  closure dated in the admin moves none) reads it, and only the provincial admin changes it (``is_closed``, asked
  by ``can_edit_agency`` and ``can_report_on_task``; refused with FORBIDDEN_CLOSED_UNIT, a task's result with
  ``closed_refusal``: which unit closed, since when, who carries the task now).
The roles and role groups come from motcua.accounts.models (Role), the checks from motcua.accounts.permissions.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from motcua.accounts.models import OFFICER_ROLES, Role
from motcua.accounts.permissions import has_role, is_officer, is_province_wide, roles_of, staff_agencies_of
from motcua.core.errors import PermissionDenied
from motcua.units import lifetime
from motcua.units.models import Agency
from motcua.units.reorganization import latest_successor, predecessor_ids

EDIT_ROLES = frozenset({Role.UNIT_ADMIN, Role.LEADER, Role.DEPARTMENT_HEAD, Role.SPECIALIST})
APPROVE_ROLES = frozenset({Role.UNIT_ADMIN, Role.LEADER})
PROVINCIAL_ADMIN = Role.PROVINCIAL_ADMIN

FORBIDDEN_OTHER_UNIT = "Bạn chỉ được thay đổi dữ liệu chuyển đổi số của đơn vị mình."
FORBIDDEN_CLOSED_UNIT = ("Đơn vị đã sáp nhập hoặc giải thể: dữ liệu chuyển đổi số của đơn vị là lịch sử, chỉ quản trị "
                         "tỉnh được thay đổi, lập hoặc nhập kế hoạch của đơn vị cho các năm đơn vị còn hoạt động.")
FORBIDDEN_NOT_STAFF = "Chỉ cán bộ, công chức, viên chức được xem và cập nhật dữ liệu chuyển đổi số."


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_active", True)


def is_provincial_admin(user) -> bool:
    if not _signed_in(user):
        return False
    return bool(getattr(user, "is_superuser", False)) or has_role(user, PROVINCIAL_ADMIN)


def works_for_state(user) -> bool:
    """Holds a staff role (an officer, the provincial admin, the auditor), or is a superuser."""
    return _signed_in(user) and (is_officer(user) or is_provincial_admin(user))


def reads_all(user) -> bool:
    """Provincial admin, auditor, or an officer role held province-wide."""
    return _signed_in(user) and is_province_wide(user)


def _held_in(user, roles, agency) -> bool:
    """Holds one of `roles` for `agency` itself: unlike accounts' has_role, a role held province-wide (no agency)
    does not count — it reads every unit's data and changes none (module docstring)."""
    return agency is not None and any(ra.role in roles and ra.agency_id == agency.pk for ra in roles_of(user))


def is_closed(agency) -> bool:
    """Closed: turned off by a merger's plan, or its unit's last day has passed (a dissolution dated in the admin
    leaves the agency ticked «đang hoạt động»: units.lifetime decides by the date). Its data is history (module
    docstring)."""
    return not agency.is_active or lifetime.of_unit(agency.admin_unit).ended_before(timezone.localdate())


def holds_edit_role(user, agency) -> bool:
    """The provincial admin, or an editor's role held for `agency` itself — whether or not the unit is still open
    (``can_edit_agency`` asks that too)."""
    if not _signed_in(user) or agency is None:
        return False
    return is_provincial_admin(user) or _held_in(user, EDIT_ROLES, agency)


def can_edit_agency(user, agency) -> bool:
    """Change `agency`'s DX data (and create or import its plans): its editors while it is open; of a closed unit
    only the provincial admin."""
    return holds_edit_role(user, agency) and (is_provincial_admin(user) or not is_closed(agency))


def require_edit(user, agency) -> None:
    """403 unless ``can_edit_agency``: said FORBIDDEN_CLOSED_UNIT when the unit is closed."""
    if not can_edit_agency(user, agency):
        closed = agency is not None and is_closed(agency)
        raise PermissionDenied("forbidden", FORBIDDEN_CLOSED_UNIT if closed else FORBIDDEN_OTHER_UNIT)


def can_view_agency(user, agency) -> bool:
    if not _signed_in(user) or agency is None:
        return False
    if reads_all(user):
        return True
    seen = {None}
    while agency is not None and agency.pk not in seen:  # the unit itself, then the units it was merged into
        if has_role(user, OFFICER_ROLES, agency):
            return True
        seen.add(agency.pk)
        agency = agency.successor if agency.successor_id else None
    return False


def visible_plans(user, qs=None):
    from .models import Plan

    qs = Plan.objects.all() if qs is None else qs
    if not _signed_in(user):
        return qs.none()
    if reads_all(user):
        return qs
    mine = staff_agencies_of(user)
    if not mine:
        return qs.none()
    led = Plan.objects.filter(Q(tasks__lead_agencies__in=mine) | Q(tasks__handed_over_to__in=mine)
                              | Q(tasks__handovers__to_agency__in=mine)).values("pk")
    # The province's own plans are read by every unit that implements them; a merged unit's by its successor.
    return qs.filter(Q(agency_id__in=mine | predecessor_ids(mine)) | Q(pk__in=led)
                     | Q(agency__kind=Agency.PROVINCIAL_COMMITTEE))


def can_view_plan(user, plan) -> bool:
    return visible_plans(user).filter(pk=plan.pk).exists()


def can_view_paper_of(user, job) -> bool:
    """Whether ``user`` may still read what a paper build (``PaperJob``) is made of: its plan, or the unit of its
    annual report (a build is made again only then)."""
    return can_view_plan(user, job.plan) if job.plan_id else can_view_agency(user, job.agency)


def visible_rows(user, rows) -> list:
    """The rows of a roll-up (services/rollup.py) `user` may see: a plan's row to whoever may see the plan; a row
    without a plan (a unit that took over merged ones, with the tasks and teams it now carries) to whoever may see
    that unit. The back office's dashboard and the API's roll-up both list these."""
    shown = set(visible_plans(user).filter(pk__in=[r.plan.pk for r in rows if r.plan]).values_list("pk", flat=True))
    return [r for r in rows if (r.plan.pk in shown if r.plan else can_view_agency(user, r.agency))]


def can_edit_plan(user, plan) -> bool:
    return can_edit_agency(user, plan.agency)


def can_approve_plan(user, plan) -> bool:
    return can_edit_plan(user, plan) and (is_provincial_admin(user) or _held_in(user, APPROVE_ROLES, plan.agency))


def require_approve(user, plan, message: str) -> None:
    """403 unless ``can_approve_plan``: said FORBIDDEN_CLOSED_UNIT to the editors of a closed unit, else `message`."""
    if holds_edit_role(user, plan.agency):
        require_edit(user, plan.agency)
    require(can_approve_plan(user, plan), message)


def carried_by(agency_ids) -> Q:
    """Tasks that `agency_ids` carry: led by them, of their plan naming no lead unit in the system, or handed over
    to them by a merger — the whole task or a part of its lead (services/merger.py)."""
    from .models import TaskHandover

    received = Exists(TaskHandover.objects.filter(task=OuterRef("pk"), to_agency_id__in=agency_ids))
    return (Q(lead_agencies__in=agency_ids) | Q(handed_over_to__in=agency_ids) | Q(received)
            | Q(lead_agencies__isnull=True, handed_over_to__isnull=True, plan__agency_id__in=agency_ids))


def _report_units(task) -> list:
    """The units whose officers report on `task`: its lead units (its plan's unit when it names none in the system),
    and every unit a merger handed the task, or a part of its lead, over to."""
    units = list(task.lead_agencies.select_related("admin_unit")) or [task.plan.agency]
    if task.handed_over_to_id:
        units.append(task.handed_over_to)
    units += [h.to_agency for h in task.handovers.select_related("to_agency__admin_unit")]  # each part a merger moved
    return units


def can_report_on_task(user, task) -> bool:
    """Result, progress and evidence: the plan's editors and the officers of a lead unit (of the plan's own
    unit when the task names no lead unit in the system), or of a unit a merger handed the task, or a part of its
    lead, over to."""
    if can_edit_plan(user, task.plan):
        return True
    # a closed lead unit reports no more: its successor, which the merger handed the task over to, does
    return _signed_in(user) and any(_held_in(user, OFFICER_ROLES, a) and not is_closed(a) for a in _report_units(task))


def reporting_agencies(user) -> set[int]:
    """The units `user` holds a staff role in that are still open: those whose carried tasks it reports on («Nhiệm
    vụ của tôi»); a closed unit's are history, reported on by the successor a merger handed them over to."""
    held = staff_agencies_of(user)
    return {a.pk for a in Agency.objects.filter(pk__in=held).select_related("admin_unit") if not is_closed(a)}


def require_report(user, task) -> None:
    """403 unless ``can_report_on_task``. To an officer whose only hold on the task is a closed unit's role — a lead
    unit, its plan's unit, or a unit a merger handed it over to that has closed since — the refusal says which unit
    closed, since when, and who carries the task now (``closed_refusal``); to any other, FORBIDDEN_OTHER_UNIT."""
    if can_report_on_task(user, task):
        return
    units = _report_units(task)
    mine = {a.pk: a for a in (*units, task.plan.agency) if _signed_in(user) and _held_in(user, OFFICER_ROLES, a)}
    closed = [a for a in mine.values() if is_closed(a)]
    if not closed:
        raise PermissionDenied("forbidden", FORBIDDEN_OTHER_UNIT)
    # who carries it now: a unit still open among those reporting on it, else the closed unit's successor
    now = {a.pk: a for a in (*units, *filter(None, map(latest_successor, closed))) if not is_closed(a)}
    raise PermissionDenied("forbidden", closed_refusal(closed, list(now.values())))


def closed_refusal(closed, now) -> str:
    """Why an officer of the `closed` units changes none of a task's results: each unit's closure as the statistics
    tell it («Xã A đã sáp nhập vào Xã B từ ngày dd/mm/yyyy», «… đã giải thể từ ngày …»; an agency turned off without
    a recorded last day: «… đã ngừng hoạt động»), and the units `now` carrying the task, when there are some."""
    today = timezone.localdate()
    facts = []
    for agency in closed:
        life = lifetime.of_unit(agency.admin_unit)
        facts.append(life.closure_of(agency.admin_unit.name, today) if life.ended_before(today)
                     else f"{agency.name} đã ngừng hoạt động")
    told = f"{'; '.join(facts)}: dữ liệu chuyển đổi số của đơn vị là lịch sử, chỉ quản trị tỉnh được thay đổi."
    if now:
        told += f" Nhiệm vụ này nay do {', '.join(a.name for a in now)} thực hiện và cập nhật kết quả."
    return told


def require(allowed: bool, message: str = FORBIDDEN_OTHER_UNIT) -> None:
    if not allowed:
        raise PermissionDenied("forbidden", message)


def editable_agencies(user):
    """The working units whose data `user` changes: for a unit's editors not a closed one (``can_edit_agency``)."""
    qs = Agency.objects.filter(is_active=True).select_related("admin_unit")
    if is_provincial_admin(user):
        return qs
    held = qs.filter(pk__in={ra.agency_id for ra in roles_of(user) if ra.role in EDIT_ROLES and ra.agency_id})
    return qs.filter(pk__in=[a.pk for a in held if can_edit_agency(user, a)])


def plan_agencies(user):
    """The units whose plans (and reports) `user` may create or import in the back office: ``editable_agencies``,
    and for the provincial admin also the units closed by a merger or a dissolution — their plans of the years they
    existed are still imported after the closure (``plans.check_unit_existed`` decides the year). A closed unit's data
    is otherwise history: its officers' roles moved to the successor or ended, which reads it and changes none."""
    if is_provincial_admin(user):
        return Agency.objects.select_related("admin_unit__replaced_by")
    return editable_agencies(user)


def visible_agencies(user):
    qs = Agency.objects.filter(is_active=True).select_related("admin_unit")
    return qs if reads_all(user) else qs.filter(pk__in=staff_agencies_of(user))


class SystemActor:
    """Management commands act as the system: every right, recorded in the audit trail by name."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    pk = None

    def __init__(self, label: str = "lệnh quản trị"):
        self.label = label

    def __str__(self):
        return self.label
