"""Budget lines (planned and disbursed, several funding sources) and the plan's table with its totals."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Prefetch

from motcua.core.errors import ValidationFailed

from .. import permissions
from ..models import BudgetLine, FundingSource, Plan, PlanSection, Task, TaskHandover
from ..money import format_million, parse_million
from .catalogue import resolve_sources, source_codes, source_names
from .merger import RECEIVED_GROUP, counted_tasks, received_label, received_tasks, with_counts_elsewhere
from .plans import _unlocked, _year, check_time


def _amount(value, label: str) -> tuple[int, int]:
    if isinstance(value, tuple):
        return value
    try:
        return parse_million(value)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.code, f"{label}: {exc.message}") from None


def _sources(value) -> list[FundingSource]:
    if isinstance(value, (list, tuple)) and value and all(isinstance(s, FundingSource) for s in value):
        return list(value)
    return resolve_sources(value)


def add_budget_line(user, task: Task, *, planned, year=None, disbursed=None, sources=(), note: str = "") -> BudgetLine:
    """`planned` / `disbursed`: triệu đồng as written ("92,460") or an already parsed (đồng, decimals)."""
    plan = task.plan
    permissions.require_edit(user, plan.agency)
    _unlocked(plan)
    year = _year(year, "Năm kinh phí") if year not in (None, "") else (task.year or (task.deadline.year if task.deadline
                                                                                       else plan.year))
    check_time(plan, None, year)
    planned_vnd, decimals = _amount(planned, "Kinh phí")
    disbursed_vnd = _amount(disbursed, "Giải ngân")[0] if disbursed not in (None, "") else None
    found = _sources(sources)
    with transaction.atomic():
        line = BudgetLine.objects.create(task=task, year=year, planned_vnd=planned_vnd, disbursed_vnd=disbursed_vnd,
                                         decimals=decimals, note=(note or "").strip())
        line.sources.set(found)
    return line


def update_budget_line(user, line: BudgetLine, **fields) -> BudgetLine:
    """Planned amount, year and sources are the plan's content; the disbursed amount is reported any time."""
    plan = line.task.plan
    permissions.require_edit(user, plan.agency)
    if set(fields) - {"disbursed", "note"}:
        _unlocked(plan)
    if "year" in fields:
        line.year = _year(fields["year"], "Năm kinh phí")
        check_time(plan, None, line.year)
    if "planned" in fields:
        line.planned_vnd, line.decimals = _amount(fields["planned"], "Kinh phí")
    if "disbursed" in fields:
        d = fields["disbursed"]
        line.disbursed_vnd = _amount(d, "Giải ngân")[0] if d not in (None, "") else None
    if "note" in fields:
        line.note = (fields["note"] or "").strip()
    found = _sources(fields["sources"]) if "sources" in fields else None
    with transaction.atomic():
        line.save()
        if found is not None:
            line.sources.set(found)
    return line


def delete_budget_line(user, line: BudgetLine) -> None:
    permissions.require_edit(user, line.task.plan.agency)
    _unlocked(line.task.plan)
    line.delete()


# ---- the plan's table ----

@dataclass
class TaskRow:
    task: Task
    lines: list[BudgetLine]
    sources: list[FundingSource]
    planned_vnd: int | None
    disbursed_vnd: int | None
    decimals: int | None
    received: bool = False  # a task of a merged unit's plan that this table's plan counts (counted_tasks)

    @property
    def content(self) -> str:
        """The task as written; a received one says where it comes from."""
        return received_label(self.task) if self.received else self.task.content

    @property
    def amount(self) -> str:
        return format_million(self.planned_vnd, self.decimals)

    @property
    def disbursed(self) -> str:
        return format_million(self.disbursed_vnd) if self.disbursed_vnd is not None else ""

    @property
    def source_codes(self) -> str:
        return source_codes(self.sources)

    @property
    def source_names(self) -> str:
        return source_names(self.sources)


@dataclass
class SectionRows:
    section: PlanSection
    rows: list[TaskRow] = field(default_factory=list)

    @property
    def planned_vnd(self) -> int:
        return sum(r.planned_vnd or 0 for r in self.rows)

    @property
    def disbursed_vnd(self) -> int:
        return sum(r.disbursed_vnd or 0 for r in self.rows)

    @property
    def has_budget(self) -> bool:
        return any(r.lines for r in self.rows)

    @property
    def amount(self) -> str:
        return format_million(self.planned_vnd) if self.has_budget else ""


@dataclass
class PlanTable:
    plan: Plan
    sections: list[SectionRows]

    @property
    def rows(self) -> list[TaskRow]:
        return [r for s in self.sections for r in s.rows]

    @property
    def planned_vnd(self) -> int:
        return sum(s.planned_vnd for s in self.sections)

    @property
    def disbursed_vnd(self) -> int:
        return sum(s.disbursed_vnd for s in self.sections)

    @property
    def has_budget(self) -> bool:
        return any(s.has_budget for s in self.sections)

    @property
    def total(self) -> str:
        return format_million(self.planned_vnd)

    @property
    def sources(self) -> list[FundingSource]:
        seen = {}
        for r in self.rows:
            for s in r.sources:
                seen.setdefault(s.pk, s)
        return sorted(seen.values(), key=lambda s: (s.order, s.code))

    @property
    def source_codes(self) -> str:
        return source_codes(self.sources)



def _row(task: Task, received: bool = False) -> TaskRow:
    lines = list(task.budget_lines.all())
    sources = {}
    for line in lines:
        for s in line.sources.all():
            sources.setdefault(s.pk, s)
    planned = sum(li.planned_vnd for li in lines) if lines else None
    disbursed = [li.disbursed_vnd for li in lines if li.disbursed_vnd is not None]
    return TaskRow(task, lines, sorted(sources.values(), key=lambda s: (s.order, s.code)), planned,
                   sum(disbursed) if disbursed else None, lines[0].decimals if len(lines) == 1 else None, received)


def _tasks():
    lines = Prefetch("budget_lines", queryset=BudgetLine.objects.prefetch_related("sources").order_by("year", "id"))
    handovers = Prefetch("handovers", queryset=TaskHandover.objects.select_related("from_agency", "to_agency"))
    return with_counts_elsewhere(Task.objects.order_by("order")).select_related("handed_over_to").prefetch_related(
        lines, "lead_agencies", "evidence", handovers)


def _with_received(plan: Plan, sections: list[SectionRows], received) -> PlanTable:
    """`sections`, then the tasks `received` from merged units' plans in a last group, marked where they come from."""
    rows = [_row(task, received=True) for task in received.select_related("plan__agency").order_by(
        "plan__agency__code", "plan_id", "order")]
    if rows:
        sections.append(SectionRows(PlanSection(plan=plan, order=len(sections) + 1, title=RECEIVED_GROUP), rows))
    return PlanTable(plan, sections)


def plan_table(plan: Plan, *, counted: bool = False) -> PlanTable:
    """Sections in order with their tasks, each task's budget (sum of its lines), subtotals and total.

    `counted`: the tasks the plan's figures count (merger.counted_tasks, as its roll-up row and round answer) —
    without those a merger handed over to another unit, with those handed over to its unit in a last group."""
    tasks = _tasks()
    counted_ids = set(counted_tasks(plan).values_list("pk", flat=True)) if counted else None
    own = tasks.filter(pk__in=counted_ids) if counted else tasks
    sections = []
    for section in plan.sections.select_related("group").prefetch_related(Prefetch("tasks", queryset=own)).order_by(
            "order"):
        for task in section.tasks.all():
            task.plan = plan
        sections.append(SectionRows(section, [_row(task) for task in section.tasks.all()]))
    if not counted:
        return PlanTable(plan, sections)
    return _with_received(plan, sections, tasks.filter(pk__in=counted_ids).exclude(plan=plan))


def received_table(agency, year: int) -> PlanTable:
    """A unit without a plan of `year`: the tasks a merger handed over to it (merger.received_tasks), as its
    roll-up row «Chưa có kế hoạch; nhận từ đơn vị sáp nhập» counts them. Its plan only names the unit and the
    year for the appendices' titles: it is not saved, there is none."""
    plan = Plan(agency=agency, year=year, first_year=year, kind=Plan.PLAN)
    return _with_received(plan, [], _tasks().filter(pk__in=received_tasks(agency, year).values("pk")))
