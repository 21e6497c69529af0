"""Roll-up: a plan and the plans that implement it (province ← department / commune), or a whole year.

Totals of budget by funding source and by group, community teams and members, people trained, and a
row per unit with its progress. Budget lines with several sources count once, under the sources
written together ("CTX, NSH"), so the rows add up to the total. A task of a merged unit's plan that the
merger handed over to the new unit (services/merger.py) counts, with its money, in the new unit's row — its
plan of the year and kind (a report's task in its report's row) when it is among the plans, else a row of its
own without a plan — and no longer in the old unit's: each task counts once. A plan's row counts such a task also
when the old unit's plan is not among the plans rolled up (a plan's roll-up holds only the plans implementing it),
as the plan's own figures do (merger.counted_tasks). A unit's community teams count once,
in its row of the year's plan.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from motcua.units.models import Agency

from ..models import BudgetLine, Plan, Task
from ..money import format_million
from . import community
from .catalogue import source_codes
from .merger import counts_elsewhere, received_by, with_counts_elsewhere
from .plans import task_state

NO_GROUP = "Chưa xếp nhóm"
NO_SOURCE = "Chưa ghi nguồn"


@dataclass
class UnitRow:
    """A unit's figures: its plan's, or (``plan`` None) only the tasks a merger handed over to it."""

    agency: Agency
    plan: Plan | None = None
    tasks: int = 0
    done: int = 0
    overdue: int = 0
    progress_sum: int = 0
    planned_vnd: int = 0
    disbursed_vnd: int = 0
    counts: community.CommunityCounts = field(default_factory=community.CommunityCounts)

    @property
    def progress(self) -> int:
        return round(self.progress_sum / self.tasks) if self.tasks else 0

    @property
    def planned(self) -> str:
        return format_million(self.planned_vnd)

    @property
    def disbursed(self) -> str:
        return format_million(self.disbursed_vnd)


@dataclass
class Rollup:
    year: int
    rows: list[UnitRow]
    by_source: list[tuple[str, int]]
    by_group: list[tuple[str, int]]

    def _sum(self, attr):
        return sum(getattr(r, attr) for r in self.rows)

    @property
    def planned_vnd(self) -> int:
        return self._sum("planned_vnd")

    @property
    def disbursed_vnd(self) -> int:
        return self._sum("disbursed_vnd")

    @property
    def tasks(self) -> int:
        return self._sum("tasks")

    @property
    def done(self) -> int:
        return self._sum("done")

    @property
    def overdue(self) -> int:
        return self._sum("overdue")

    @property
    def teams(self) -> int:
        return sum(r.counts.teams for r in self.rows)

    @property
    def members(self) -> int:
        return sum(r.counts.members for r in self.rows)

    @property
    def trained(self) -> int:
        return sum(r.counts.trained for r in self.rows)

    @property
    def planned(self) -> str:
        return format_million(self.planned_vnd)

    @property
    def disbursed(self) -> str:
        return format_million(self.disbursed_vnd)


def descendants(plan: Plan) -> list[Plan]:
    """The plans implementing `plan`, at any depth (a commune's plan under a department's under the province's)."""
    out, frontier, seen = [], [plan.pk], {plan.pk}
    while frontier:
        children = list(Plan.objects.filter(parent_id__in=frontier).exclude(pk__in=seen).select_related("agency"))
        out.extend(children)
        frontier = [c.pk for c in children]
        seen.update(frontier)
    return out


class _Rows:
    """The rows of a roll-up and which row each task counts in."""

    def __init__(self, plans):
        self.by_plan = {p.pk: UnitRow(p.agency, p) for p in plans}
        # {(unit, kind, year): its plan's row} — where the tasks a merger handed over to the unit count
        self.by_unit: dict[tuple[int, str, int], UnitRow] = {}
        for row in self.by_plan.values():
            self.by_unit.setdefault((row.agency.pk, row.plan.kind, row.plan.year), row)
        self.extra: dict[tuple[int, str, int], UnitRow] = {}

    def of(self, task: Task) -> UnitRow:
        """The plan's row; for a task of a merged unit's plan handed over to another unit, that unit's row of the
        plan's kind and year, as merger.counted_tasks counts it (a report's task in its report's row, not its plan's)."""
        if not counts_elsewhere(task):
            return self.by_plan[task.plan_id]
        return self.row_of(task.handed_over_to_id, task.plan.kind, task.plan.year)

    def row_of(self, agency_id: int, kind: str, year: int, agency: Agency | None = None) -> UnitRow:
        """The unit's row of `kind` and `year`: its plan's, else one of its own without a plan."""
        key = (agency_id, kind, year)
        row = self.by_unit.get(key)
        if row is None:
            row = self.by_unit[key] = self.extra[key] = UnitRow(agency or Agency.objects.get(pk=agency_id))
        return row

    def all(self) -> list[UnitRow]:
        rows = [*self.by_plan.values(), *self.extra.values()]
        return sorted(rows, key=lambda r: (r.agency.kind != "provincial_committee", r.agency.code, r.plan is None))


def rollup(plans, year: int, today: dt.date | None = None) -> Rollup:
    today = today or timezone.localdate()
    rows = _Rows(plans)
    # the plans' tasks, and those their units received from merged units' plans, also from a plan not rolled up here
    # (a plan's roll-up holds only the plans implementing it): a plan's row counts what its figures count
    # (merger.counted_tasks); each task once, in one row
    counted = Q(plan_id__in=rows.by_plan) | received_by(rows.by_unit)
    tasks = with_counts_elsewhere(Task.objects.filter(counted).select_related("plan").only(
        "plan_id", "status", "progress", "deadline", "year", "handed_over_to_id", "plan__year", "plan__kind"))
    row_of_task = {}
    for task in tasks:
        row = row_of_task[task.pk] = rows.of(task)
        row.tasks += 1
        row.progress_sum += 100 if task.status == Task.DONE else task.progress
        state = task_state(task, today)[0]
        row.done += state == Task.DONE
        row.overdue += state == "overdue"
    by_source: dict[str, int] = defaultdict(int)
    by_group: dict[str, int] = defaultdict(int)
    lines = (BudgetLine.objects.filter(task__in=Task.objects.filter(counted).values("pk"))
             .select_related("task__section__group").prefetch_related("sources"))
    for line in lines:
        row = row_of_task[line.task_id]  # its task's row
        row.planned_vnd += line.planned_vnd
        row.disbursed_vnd += line.disbursed_vnd or 0
        by_source[source_codes(line.sources.all()) or NO_SOURCE] += line.planned_vnd
        group = line.task.section.group
        by_group[group.name if group else NO_GROUP] += line.planned_vnd
    # the unit that took over merged ones counts their teams once they moved (services/community.py)
    present = {r.agency.pk for r in rows.all()}
    heirs = {s.pk: s for s in Agency.objects.filter(predecessors__in=present).exclude(pk__in=present).distinct()}
    counts = community.counts(present | set(heirs), dt.date(year, 1, 1), dt.date(year, 12, 31))
    for pk, heir in heirs.items():
        if pk in counts:
            rows.row_of(pk, Plan.PLAN, year, heir)
    every = rows.all()
    # a unit's teams count once: in its row of the year's plan ("kế hoạch"), else its first row (a report's)
    home: dict[int, UnitRow] = {}
    for row in every:
        home.setdefault(row.agency.pk, row)
    home.update({pk: row for (pk, kind, of), row in rows.by_unit.items() if (kind, of) == (Plan.PLAN, year)})
    for row in every:
        if home[row.agency.pk] is row:
            row.counts = counts.get(row.agency.pk, community.CommunityCounts())
    return Rollup(year, every, sorted(by_source.items(), key=lambda kv: -kv[1]),
                  sorted(by_group.items(), key=lambda kv: -kv[1]))


def rollup_plan(plan: Plan) -> Rollup:
    return rollup([plan, *descendants(plan)], plan.year)


def rollup_year(plans_qs, year: int) -> Rollup:
    """Every plan (kind "kế hoạch") of `year` among `plans_qs` (e.g. permissions.visible_plans(user))."""
    return rollup(list(plans_qs.filter(year=year, kind=Plan.PLAN).select_related("agency")), year)
