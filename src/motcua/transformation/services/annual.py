"""A unit's annual digital-transformation report: the narrative officers type per section, and every
figure the system already knows for that unit and year (one-stop statistics through the reporting
app, targets, tasks, budget, teams, trainings, next year's plan)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction

from motcua.core.errors import ValidationFailed
from motcua.reporting import indicators as statistics

from .. import permissions
from ..models import Narrative, Plan
from ..sections import ALL_SECTIONS, SECTION_TITLES
from . import community, indicators, plans
from .budget import PlanTable, plan_table, received_table
from .common import audit, stored_user
from .merger import received_count

MAX_TEXT = 50_000


def save_narrative(user, agency, year: int, section: str, text: str) -> Narrative:
    permissions.require_edit(user, agency)
    if section not in SECTION_TITLES:
        raise ValidationFailed("section_unknown", "Mục báo cáo không tồn tại.")
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > MAX_TEXT:
        raise ValidationFailed("text_too_long", f"Nội dung một mục tối đa {MAX_TEXT:,} ký tự.".replace(",", "."))
    year = plans._year(year)
    with transaction.atomic():
        row, _ = Narrative.objects.update_or_create(agency=agency, year=year, section=section,
                                                    defaults={"text": text, "updated_by": stored_user(user)})
        audit(user, "dx.narrative_saved", "dx_narrative", row.pk, {"agency": agency.code, "year": year,
                                                                   "section": section, "length": len(text)})
    return row


@dataclass
class AnnualFigures:
    agency: object
    year: int
    narratives: dict[str, str]
    plan: Plan | None
    report: Plan | None
    next_plan: Plan | None
    # the tasks the year's figures count (services/merger.py): with those a merger handed over to the unit —
    # only those when it has no plan of the year (its roll-up row «Chưa có kế hoạch; nhận từ đơn vị sáp nhập»)
    table: PlanTable
    next_table: PlanTable | None  # next year's plan as written (seed 004 Phụ lục II)
    statistics: object
    measured: list = field(default_factory=list)
    counts: community.CommunityCounts = field(default_factory=community.CommunityCounts)
    trainings: list = field(default_factory=list)

    @property
    def period(self) -> tuple[dt.date, dt.date]:
        return dt.date(self.year, 1, 1), dt.date(self.year, 12, 31)

    def targets_in(self, area: str) -> list:
        return [m for m in self.measured if m.target.area == area]

    @property
    def task_counts(self) -> dict[str, int]:
        out = {"tasks": 0, "done": 0, "in_progress": 0, "overdue": 0, "not_started": 0, "received": 0}
        for row in self.table.rows:
            out["tasks"] += 1
            out["received"] += row.received
            state = plans.task_state(row.task, self.period[1])[0]
            out[state] = out.get(state, 0) + 1
        return out

    @property
    def received_words(self) -> str:
        """The tasks the year's figures count that the unit received, by how it received them
        (merger.received_count: «3 nhiệm vụ nhận chuyển giao khi sắp xếp … và 1 nhiệm vụ nhận với tư cách cơ quan kế
        thừa»); "" when none."""
        return received_count([row.task for row in self.table.rows if row.received])

    @property
    def spending_table(self) -> PlanTable:
        """The year's money: the report's table when the unit keeps one, else the plan's (or the tasks it received)."""
        if self.report is not None:
            return plan_table(self.report, counted=True)
        return self.table


def figures(agency, year: int) -> AnnualFigures:
    year = plans._year(year)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    plan = Plan.objects.select_related("agency").filter(agency=agency, year=year, kind=Plan.PLAN).first()
    report = Plan.objects.select_related("agency").filter(agency=agency, year=year, kind=Plan.REPORT).first()
    next_plan = Plan.objects.select_related("agency").filter(agency=agency, year=year + 1, kind=Plan.PLAN).first()
    narratives = dict(Narrative.objects.filter(agency=agency, year=year).values_list("section", "text"))
    from ..models import Activity

    return AnnualFigures(
        agency=agency, year=year, narratives={k: narratives.get(k, "") for k, _ in ALL_SECTIONS},
        plan=plan, report=report, next_plan=next_plan, table=plan_table(plan, counted=True) if plan else received_table(agency, year),
        next_table=plan_table(next_plan) if next_plan else None,
        statistics=statistics.totals(start, end, indicators.scope_of(agency)),
        measured=indicators.measure_targets(plan) if plan else [],
        counts=community.total([agency.pk], start, community.last_day(agency, end)),
        trainings=list(Activity.objects.filter(agency=agency, date__gte=start, date__lte=end).order_by("date")))
