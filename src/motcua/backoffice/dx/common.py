"""Look-ups and rendering shared by the digital-transformation screens."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone

from motcua.core.errors import DomainError
from motcua.papers.transformation.appendices import KINDS as PAPER_KINDS
from motcua.transformation import permissions
from motcua.transformation.models import Plan, Task
from motcua.transformation.services import indicators, merger, plans
from motcua.transformation.services.budget import plan_table

from ..views.common import bo_page

NAV = "dx"
SUB = {"dx_my_tasks": "mine", "dx_rounds": "rounds", "dx_round": "rounds", "dx_round_answer": "rounds",
       "dx_dashboard": "dashboard", "dx_community": "community", "dx_catalogue": "catalogue"}


def page(request, template: str, ctx: dict | None = None, status: int = 200):
    ctx = dict(ctx or {})
    ctx.setdefault("nav", NAV)
    match = getattr(request, "resolver_match", None)
    ctx.setdefault("sub", SUB.get(getattr(match, "url_name", ""), "plans"))
    user = request.user
    ctx.update({"dx_admin": permissions.is_provincial_admin(user), "dx_reads_all": permissions.reads_all(user)})
    return bo_page(request, template, ctx, status=status)


def plan_or_404(request, pk: int) -> Plan:
    plan = permissions.visible_plans(request.user).select_related("agency", "parent__agency", "approved_by").filter(
        pk=pk).first()
    if plan is None:
        raise Http404("Không tìm thấy kế hoạch.")
    return plan


def task_or_404(request, pk: int) -> Task:
    task = Task.objects.select_related("plan__agency", "section").filter(
        pk=pk, plan__in=permissions.visible_plans(request.user)).first()
    if task is None:
        raise Http404("Không tìm thấy nhiệm vụ.")
    return task


def editor_context(request, plan: Plan, task_form=None, **extra) -> dict:
    """What the plan page and its fragments show: the table with totals, task states, the targets.

    `task_form`: a new task that was refused, shown again as typed in its group (`open_section`)."""
    from .forms import BudgetLineForm, SectionForm, TargetForm, TaskForm, ValueForm

    user = request.user
    table = plan_table(plan)
    for section in table.sections:
        refused = task_form is not None and section.section.pk == extra.get("open_section")
        section.task_form = task_form if refused else TaskForm(auto_id=f"s{section.section.pk}-%s")
    for row in table.rows:
        row.state = plans.task_state(row.task, reported=plan.kind == Plan.REPORT)
        row.can_report = permissions.can_report_on_task(user, row.task)
    editable = permissions.can_edit_plan(user, plan)
    ctx = {"plan": plan, "table": table, "paper_kinds": list(PAPER_KINDS.items()), "editable": editable,
           "locked": plan.is_approved,
           "can_approve": permissions.can_approve_plan(user, plan),
           # a commune sees the province's plan it derives from, not the province's annual report page
           "can_see_annual": permissions.can_view_agency(user, plan.agency),
           "measured": indicators.measure_targets(plan),
           # tasks of merged units' plans handed over to this unit: they count in this plan's figures
           "received": list(merger.received_tasks(plan.agency, plan.year, plan.kind).select_related("plan__agency")),
           "received_group": merger.RECEIVED_GROUP,
           "section_form": SectionForm(), "line_form": BudgetLineForm(),
           "target_form": TargetForm(), "value_form": ValueForm()}
    ctx.update(extra)
    return ctx


def error_status(err: DomainError) -> int:
    return err.status if 400 <= err.status < 500 else 422


def date_css(day, soon_days: int = 7) -> str:
    """'overdue' after the day, 'due-soon' within `soon_days` of it (the back office's deadline colours)."""
    if day is None:
        return ""
    left = (day - timezone.localdate()).days
    return "overdue" if left < 0 else "due-soon" if left <= soon_days else ""


def unit_or_404(request, code: str):
    """The unit a code names (admin unit or agency code), if the officer may see it."""
    try:
        agency = plans.unit_agency(code)
    except DomainError:
        raise Http404 from None
    if not permissions.can_view_agency(request.user, agency):
        raise Http404
    return agency
