"""What a merger of administrative units (motcua.units.reorganization) does to the old units' digital-transformation
work (the steps are in transformation/reorganization.py).

- An unfinished task is handed over to the new unit. A task's lead is made of parts — each lead unit as written, or
  the plan's unit for a task naming none —, and a merger moves the parts the old units carry to the new unit: one
  ``TaskHandover`` per part (a part an earlier merger moved goes on from the unit that received it). Every unit
  carrying a part reports on the task. ``Task.handed_over_to`` and ``handed_over_on`` say which unit the task
  counts for, and since when: the unit carrying its plan's unit's part when that part moved (its plan's unit was
  merged), else the one carrying the part that moved first. The plan's own content — the task's text, its lead
  units as written and chosen, its money — is not rewritten: an approved plan stays as it was approved, and the
  handover is shown beside it and kept in the audit trail. From then on the task counts once, for that unit, in
  the roll-ups (services/rollup.py) when its plan's unit had been merged by the end of the plan's year
  (``HANDED_AWAY``) — in its plan's year, for the unit that carried it when that year ended: a later merger, after
  that year, moves it on without changing the unit it counts for (``stays_counted``).
- A community digital-technology team that has not been dissolved moves to the new unit from the effective date;
  before that day it still counts for the old unit (``TeamMove``, one per merger that moved it: services/community.py),
  so an old unit's past figures do not change, also when a later merger moves the team again.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q

from motcua.units import lifetime
from motcua.units.models import Agency

from ..models import CommunityTeam, Plan, Task, TaskHandover, TeamMove
from .common import audit


def carrying(agency_ids) -> Q:
    """Tasks a part of whose lead `agency_ids` carry now: written (a lead unit, or the plan's unit for a task naming
    none) and not moved by a merger, or moved to them and not moved on."""
    moved_on = Exists(TaskHandover.objects.filter(task=OuterRef("pk"), from_agency_id__in=agency_ids))
    received = Exists(TaskHandover.objects.filter(task=OuterRef("pk"), to_agency_id__in=agency_ids))
    written = Q(lead_agencies__in=agency_ids) | Q(lead_agencies__isnull=True, plan__agency_id__in=agency_ids)
    return (written | received) & ~moved_on


def tasks_of_units(agency_ids):
    """Tasks not done a part of whose lead `agency_ids` carry (``carrying``)."""
    return (Task.objects.exclude(status=Task.DONE).filter(carrying(agency_ids))
            .distinct().select_related("plan__agency").order_by("plan__agency__code", "plan_id", "order"))


def _carriers(task: Task, moves: dict[int, int]) -> dict[int, int]:
    """{part (a lead unit as written, or the plan's unit for a task naming none): the unit carrying it now}, after
    the `moves` {from: to} of its handovers."""
    parts = [a.pk for a in task.lead_agencies.all()] or [task.plan.agency_id]
    out = {}
    for part in parts:
        unit, seen = part, {part}
        while unit in moves and moves[unit] not in seen:
            unit = moves[unit]
            seen.add(unit)
        out[part] = unit
    return out


def hand_over_task(user, task: Task, old_ids, successor, reason: str, on: dt.date) -> dict | None:
    """The new unit carries the parts of `task`'s lead that the old units carried, from `on`: its officers keep its
    results, progress and evidence (Nhiệm vụ của tôi) with those of the other parts' units. None when nothing is
    left to hand over (done meanwhile, or already handed over)."""
    task = (Task.objects.select_for_update(of=("self",)).filter(pk=task.pk).exclude(status=Task.DONE)
            .select_related("plan__agency").first())
    if task is None:
        return None
    old_ids = set(old_ids)
    handovers = list(task.handovers.order_by("on", "pk"))
    moves = {h.from_agency_id: h.to_agency_id for h in handovers}
    old = sorted({unit for unit in _carriers(task, moves).values() if unit in old_ids})
    if not old:
        return None
    for unit in old:
        TaskHandover.objects.create(task=task, from_agency_id=unit, to_agency=successor, on=on, reason=reason[:500])
        moves[unit] = successor.pk
    # The unit it counts for: the one carrying its plan's unit's part once that part moved, else the part that moved
    # first (HANDED_AWAY counts it there only when its plan's unit was merged by the end of the plan's year) —
    # unless it counts elsewhere in its plan's year already and this merger comes after that year ended
    # (``stays_counted``).
    carriers = _carriers(task, moves)
    first = handovers[0].from_agency_id if handovers else old[0]
    key = task.plan.agency_id if carriers.get(task.plan.agency_id, task.plan.agency_id) != task.plan.agency_id else first
    counted = carriers.get(key) or moves.get(key) or successor.pk
    if counted != task.handed_over_to_id and not stays_counted(task, on):
        task.handed_over_to_id, task.handed_over_on = counted, on
        task.save(update_fields=["handed_over_to", "handed_over_on"])  # the plan's content and its dates stay
    codes = dict(Agency.objects.filter(pk__in=old).values_list("pk", "code"))
    detail = {"plan": task.plan_id, "number": task.number, "from": [codes[pk] for pk in old], "to": successor.code,
              "on": on.isoformat(), "reason": reason}
    audit(user, "dx.task_lead_merged", "dx_task", task.pk, detail)
    return detail


# A task of a merged unit's plan handed over to another unit within (or before) its plan's year: it counts for
# that unit, not in its plan's figures. Handed over after the plan's year ended, it stays in that year's figures
# (the old unit's past reports and roll-ups do not change); the new unit carries it from then on. "Merged" is read
# as of the end of the plan's year — its unit's merger took effect within that year or before (units.lifetime) —,
# not as of today: a plan's unit merged only after its year keeps the year's tasks, also those another unit leads
# that a merger within the year handed over, before and after its own merger. A unit whose last day is not recorded
# (a department an administrator gave a successor) is not known to have merged by a year's end: its plans keep them.
HANDED_AWAY = (Q(handed_over_to__isnull=False, plan__agency__successor__isnull=False,
                 handed_over_on__year__lte=F("plan__year"))
               & lifetime.ended_within(F("plan__year"), "plan__agency__admin_unit__")
               & ~Q(handed_over_to=F("plan__agency")))
_COUNTS_ELSEWHERE = "counts_elsewhere_flag"


def with_counts_elsewhere(tasks):
    """`tasks` (a queryset) each marked with ``HANDED_AWAY``, for ``counts_elsewhere`` to read without a query."""
    return tasks.annotate(**{_COUNTS_ELSEWHERE: ExpressionWrapper(HANDED_AWAY, output_field=BooleanField())})


def counts_elsewhere(task: Task) -> bool:
    """``HANDED_AWAY`` for one task: as its query marked it (``with_counts_elsewhere``), else asked of the database."""
    if hasattr(task, _COUNTS_ELSEWHERE):
        return bool(getattr(task, _COUNTS_ELSEWHERE))
    return task.handed_over_to_id is not None and Task.objects.filter(HANDED_AWAY, pk=task.pk).exists()


def stays_counted(task: Task, on: dt.date) -> bool:
    """A task a merger within (or before) its plan's year handed over counts, in that year's figures, for the unit
    that carried it when the year ended: a later merger, from `on` after that year, moves it on to the next unit
    (``TaskHandover``: it carries the task from then on) but leaves ``handed_over_to`` / ``handed_over_on`` — so the
    unit that counted it, a year's past reports and roll-ups do not change (``HANDED_AWAY``)."""
    return counts_elsewhere(task) and on.year > task.plan.year


def _received(agency_id, year: int, kind: str) -> Q:
    """Tasks of merged units' plans of `year` and `kind` handed over to `agency_id` (``HANDED_AWAY``)."""
    return Q(HANDED_AWAY, handed_over_to=agency_id, plan__year=year, plan__kind=kind)


def received_by(keys) -> Q:
    """Tasks of merged units' plans handed over to a unit, for each (unit id, kind, year) of `keys` (``_received``):
    those its figures of that kind and year count, wherever their plan is (Q() matching nothing when `keys` is
    empty)."""
    out = Q(pk__in=[])
    for agency_id, kind, year in keys:
        out |= _received(agency_id, year, kind)
    return out


def _in_order(q: Q):
    return Task.objects.filter(q).select_related("plan__agency").order_by("plan_id", "order")


def counted_tasks(plan):
    """The tasks a plan's figures count (a round's answer, as the roll-up's row): its own, less those a merger
    handed over to another unit, plus those of merged units' plans of its year and kind handed over to its unit."""
    return _in_order(Q(plan=plan) & ~HANDED_AWAY | _received(plan.agency_id, plan.year, plan.kind))


# Why a task was handed over (``TaskHandover.reason``, written by transformation/reorganization.py): a merger's plan
# (a resolution rearranging administrative units), or a successor an administrator recorded in the admin for an agency
# that stopped working (units.succession) — not a rearrangement of administrative units. A reason left empty is of a
# handover recorded before reasons were kept, when a merger's plan was the only way (migration 0012).
MERGER_REASON = "Sắp xếp đơn vị hành chính"


def merger_reason(resolution_number: str) -> str:
    return f"{MERGER_REASON} theo Nghị quyết số {resolution_number}"


def succession_reason(agency, successor) -> str:
    """Why a successor recorded in the admin takes over (beside a handed-over task, in the round's notice)."""
    return f"{agency.name} ngừng hoạt động, {successor.name} là cơ quan kế thừa"


def by_merger(reason: str) -> bool:
    """A handover of `reason` was a merger's (an administrative-unit rearrangement), not an admin-recorded successor's."""
    return not reason or reason.startswith(MERGER_REASON)


# How the papers that count a received task print it (the plan's appendices that report, the annual report), and
# how an import of such a paper recognises it: the new unit's figures count it, its plan does not hold it. The group's
# title fits both ways of receiving a task (a merger's, a successor's); the words after the old unit on each row say
# how the unit received it ({by_merger: words}). The import also recognises the title printed before it fitted both
# (``RECEIVED_GROUPS``): papers printed then are still typed and imported back.
RECEIVED_GROUP = "Nhiệm vụ nhận chuyển giao từ đơn vị khác"
RECEIVED_GROUPS = (RECEIVED_GROUP, "Nhiệm vụ nhận chuyển giao khi sắp xếp đơn vị hành chính")
RECEIVED_BY = {True: "theo sắp xếp đơn vị hành chính", False: "với tư cách cơ quan kế thừa"}
# a count of received tasks of each kind, in a sentence ({by_merger: words after «n nhiệm vụ»})
RECEIVED_COUNTED = {True: "nhận chuyển giao khi sắp xếp đơn vị hành chính", False: "nhận với tư cách cơ quan kế thừa"}
_RECEIVED_FROM = re.compile(r"^(?P<content>.+?) \(nhận từ (?P<unit>.+) (?:"
                            + "|".join(re.escape(words) for words in RECEIVED_BY.values()) + r")\)$", re.S)


def _received_reason(task: Task) -> str:
    """The reason of the first handover that gave `task` to the unit it counts for ("" when none is found)."""
    for handover in task.handovers.all():  # by date (TaskHandover.Meta.ordering); prefetched by the papers
        if handover.to_agency_id == task.handed_over_to_id:
            return handover.reason
    return ""


def received_by_merger(task: Task) -> bool:
    """`task` (a received one) came to the unit it counts for by a merger, not from a successor recorded in the admin."""
    return by_merger(_received_reason(task))


def received_label(task: Task) -> str:
    """A received task as the papers print it: «… (nhận từ ‹old unit› theo sắp xếp đơn vị hành chính)» from a
    merger, «… (nhận từ ‹old unit› với tư cách cơ quan kế thừa)» from a successor recorded in the admin."""
    return f"{task.content} (nhận từ {task.plan.agency.name} {RECEIVED_BY[received_by_merger(task)]})"


def received_count(tasks) -> str:
    """How many of the received `tasks` came each way, for a sentence: «3 nhiệm vụ nhận chuyển giao khi sắp xếp đơn
    vị hành chính và 1 nhiệm vụ nhận với tư cách cơ quan kế thừa» (a kind with none left out; "" when none)."""
    merged = sum(1 for task in tasks if received_by_merger(task))
    counts = {True: merged, False: len(tasks) - merged}
    return " và ".join(f"{n} nhiệm vụ {RECEIVED_COUNTED[kind]}" for kind, n in counts.items() if n)


def parse_received(text: str) -> tuple[str, str] | None:
    """(the task's content, the old unit's name) of a text ``received_label`` wrote; None for any other text."""
    found = _RECEIVED_FROM.match(text or "")
    return (found["content"], found["unit"]) if found else None


def received_tasks(agency, year: int, kind: str = Plan.PLAN):
    """The tasks of merged units' plans of `year` and `kind` handed over to `agency`: those ``counted_tasks`` adds to
    its plan, or, for a unit without a plan of `year`, all its roll-up row «Chưa có kế hoạch; nhận từ đơn vị sáp
    nhập» counts."""
    return _in_order(_received(agency.pk, year, kind))


def teams_of_units(agency_ids, on: dt.date):
    """Community teams of `agency_ids` still active on `on`."""
    return (CommunityTeam.objects.filter(agency_id__in=agency_ids)
            .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=on))
            .select_related("agency").order_by("agency__code", "village", "pk"))


def move_team(user, team: CommunityTeam, old_ids, successor, reason: str, on: dt.date) -> dict | None:
    """`team` belongs to the new unit from `on`; None when it was moved already."""
    team = CommunityTeam.objects.select_for_update(of=("self",)).filter(pk=team.pk, agency_id__in=old_ids).select_related(
        "agency").first()
    if team is None:
        return None
    former = team.agency
    TeamMove.objects.create(team=team, from_agency=former, to_agency=successor, on=on)  # each merger's move is kept
    team.agency = successor
    team.save(update_fields=["agency"])
    detail = {"village": team.village, "members": team.members, "from": former.code, "to": successor.code,
              "on": on.isoformat(), "reason": reason}
    audit(user, "dx.team_moved", "dx_team", team.pk, detail)
    return detail
