"""Import a plan spreadsheet: validate every row first, then write all of it in one transaction, or nothing."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from motcua.core.errors import InvalidTransition, ValidationFailed

from .. import permissions
from ..models import BudgetLine, Plan, PlanSection, Task
from ..services import plans as plan_services
from ..services.common import audit, stored_user
from .reader import ParsedPlan, parse


@dataclass
class ImportResult:
    plan: Plan | None
    parsed: ParsedPlan
    created: bool
    dry_run: bool

    @property
    def tasks(self) -> int:
        return len(self.parsed.tasks)


def _errors(parsed: ParsedPlan) -> ValidationFailed:
    n, first = len(parsed.errors), parsed.errors[0]
    where = f"dòng {first['row']}" if first["row"] else "cả bảng"
    return ValidationFailed("plan_import_invalid", f"Tệp có {n} lỗi, chưa nhập dòng nào ({where}: {first['message']}"
                                                   f"{'; …' if n > 1 else ''}).", details={"errors": parsed.errors})


def import_plan(user, data: bytes, *, agency, year: int, kind: str = Plan.PLAN, first_year: int | None = None,
                replace: bool = False, dry_run: bool = False, title: str = "", parent: Plan | None = None
                ) -> ImportResult:
    """Read `data` (.xlsx) into the agency's plan (or report) of `year`, creating it if needed.

    dry_run: validate and return what would be written (the preview); nothing is stored. A plan that
    already has tasks is only replaced when `replace` is set; an approved plan is never touched."""
    permissions.require(permissions.can_edit_agency(user, agency))
    year = plan_services._year(year)
    plan = Plan.objects.filter(agency=agency, year=year, kind=kind).first()
    first = plan.first_year if plan is not None and first_year in (None, "") else (
        plan_services._year(first_year, "Năm bắt đầu") if first_year not in (None, "") else year)
    if plan is not None:
        permissions.require(permissions.can_edit_plan(user, plan))
        if plan.is_approved:
            raise InvalidTransition("plan_approved", "Kế hoạch đã phê duyệt; mở lại kế hoạch trước khi nhập lại.")
        existing = plan.tasks.count()
        if existing and not replace:
            raise ValidationFailed("plan_not_empty", f"Kế hoạch đã có {existing} nhiệm vụ; chọn \u201cthay thế\u201d "
                                                     "để nhập lại toàn bộ.", status=409)
    parsed = parse(data, first_year=first, last_year=year)
    if parsed.errors:
        raise _errors(parsed)
    if dry_run:
        return ImportResult(plan, parsed, plan is None, True)
    with transaction.atomic():
        created = plan is None
        if created:
            plan = plan_services.create_plan(user, agency=agency, year=year, kind=kind, first_year=first, title=title,
                                             parent=parent)
        else:
            if first != plan.first_year:
                plan.first_year = first
                plan.save(update_fields=["first_year", "updated_at"])
            plan.tasks.all().delete()
            plan.sections.all().delete()
        _write(plan, parsed, user)
        audit(user, "dx.plan_imported", "dx_plan", plan.pk, {"tasks": len(parsed.tasks), "replace": bool(replace),
                                                             "planned_vnd": parsed.planned_vnd})
    return ImportResult(plan, parsed, created, False)


def _write(plan: Plan, parsed: ParsedPlan, user) -> None:
    order, lead_units = 0, plan_services.lead_matcher()
    for s_order, ps in enumerate(parsed.sections, start=1):
        section = PlanSection.objects.create(plan=plan, order=s_order, numeral=ps.numeral or "",
                                             title=ps.title[:500], group=ps.group)
        for n, pt in enumerate(ps.tasks, start=1):
            order += 1
            task = Task.objects.create(
                plan=plan, section=section, order=order, number=pt.number or str(n), content=pt.content,
                explanation=pt.explanation, lead_text=pt.lead_text, cooperating_text=pt.cooperating_text,
                deadline=pt.deadline, year=pt.year, result=pt.result, note=pt.note,
                updated_by=stored_user(user))
            leads = lead_units(pt.lead_text)
            if leads:
                task.lead_agencies.set(leads)
            for pl in pt.lines:
                line = BudgetLine.objects.create(task=task, year=pl.year or plan.year, planned_vnd=pl.planned_vnd,
                                                 disbursed_vnd=pl.disbursed_vnd, decimals=pl.decimals)
                line.sources.set(pl.sources)
