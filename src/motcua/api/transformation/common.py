"""Look-ups shared by the digital-transformation routers: a visible plan or 404, a unit by code, the output shapes."""

from __future__ import annotations

from motcua.core.errors import NotFound
from motcua.transformation import permissions
from motcua.transformation.models import Plan, Task
from motcua.transformation.money import format_million
from motcua.transformation.services import merger
from motcua.transformation.services import plans as plan_services
from motcua.transformation.services.budget import plan_table


def plan_or_404(request, plan_id: int) -> Plan:
    plan = permissions.visible_plans(request.auth).select_related("agency", "approved_by").filter(pk=plan_id).first()
    if plan is None:
        raise NotFound("plan_not_found", "Không tìm thấy kế hoạch.")
    return plan


def visible_or_404(request, model, pk: int, plan_path: str, code: str, message: str, related: str = ""):
    """A row of `model` whose plan (reached through `plan_path`) the caller may see, or 404."""
    qs = model.objects.select_related(related) if related else model.objects.all()
    obj = qs.filter(pk=pk, **{f"{plan_path}__in": permissions.visible_plans(request.auth)}).first()
    if obj is None:
        raise NotFound(code, message)
    return obj


def task_or_404(request, task_id: int) -> Task:
    return visible_or_404(request, Task, task_id, "plan", "task_not_found", "Không tìm thấy nhiệm vụ.", "plan__agency")


def units(codes) -> list:
    return [plan_services.unit_agency(c) for c in codes or []]


def plan_out(plan: Plan, table=None) -> dict:
    table = table or plan_table(plan)
    return {"id": plan.pk, "unit": plan.agency.code, "unit_name": plan.agency.name, "year": plan.year,
            "first_year": plan.first_year, "kind": plan.kind, "title": plan.title, "number": plan.number,
            "legal_basis": plan.legal_basis, "parent_id": plan.parent_id, "status": plan.status,
            "approved_by": str(plan.approved_by) if plan.approved_by_id else None, "approved_at": plan.approved_at,
            "planned_vnd": table.planned_vnd, "planned": table.total, "sources": [s.code for s in table.sources]}


def line_out(line) -> dict:
    return {"id": line.pk, "year": line.year, "planned_vnd": line.planned_vnd,
            "planned": format_million(line.planned_vnd, line.decimals), "disbursed_vnd": line.disbursed_vnd,
            "disbursed": format_million(line.disbursed_vnd) if line.disbursed_vnd is not None else "",
            "sources": [s.code for s in line.sources.all()], "note": line.note}


def task_out(task: Task, lines=None) -> dict:
    state, label = plan_services.task_state(task)
    return {"id": task.pk, "section_id": task.section_id, "number": task.number, "content": task.content,
            "explanation": task.explanation, "lead_text": task.lead_text,
            "lead_units": [a.code for a in task.lead_agencies.all()], "cooperating_text": task.cooperating_text,
            # a merger handed the task over (the plan's lead units above stay as written)
            "handed_over_to": task.handed_over_to.code if task.handed_over_to_id else None,
            "handed_over_on": task.handed_over_on, "counts_elsewhere": merger.counts_elsewhere(task),
            "handovers": [{"from": h.from_agency.code, "to": h.to_agency.code, "on": h.on, "reason": h.why}
                          for h in task.handovers.all()],  # prefetched with both agencies by plan_table
            "deadline": task.deadline, "year": task.year, "status": task.status, "state": state, "state_label": label,
            "progress": task.progress, "result": task.result, "note": task.note,
            "evidence": [a.pk for a in task.evidence.all()],
            "budget_lines": [line_out(li) for li in (lines if lines is not None else task.budget_lines.all())]}


def plan_detail(plan: Plan) -> dict:
    table = plan_table(plan)
    sections = [{"id": s.section.pk, "numeral": s.section.numeral, "title": s.section.title,
                 "group": s.section.group.code if s.section.group_id else None, "planned_vnd": s.planned_vnd,
                 "planned": s.amount, "tasks": [task_out(r.task, r.lines) for r in s.rows]} for s in table.sections]
    return {**plan_out(plan, table), "sections": sections}
