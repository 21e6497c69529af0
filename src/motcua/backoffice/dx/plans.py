"""Plan list, creation, the plan editor (htmx fragments for sections, tasks, budget lines, targets), my tasks."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget

from motcua.core.digits import whole_number
from motcua.core.downloads import attachment_header
from motcua.core.errors import DomainError
from motcua.documents.attachments import get_attachment
from motcua.transformation import permissions
from motcua.transformation.models import BudgetLine, IndicatorValue, Plan, Target, Task
from motcua.transformation.services import budget, indicators, plans
from motcua.transformation.xlsx.writer import export_plan
from motcua.web.files import attachment_response
from motcua.web.pages import actor

from ..views.common import officer_required
from .common import date_css, editor_context, error_status, page, plan_or_404, task_or_404
from .forms import BudgetLineForm, DisbursedForm, PlanForm, ResultForm, SectionForm, TargetForm, TaskForm, ValueForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SECTIONS, TARGETS = "backoffice/dx/_sections.html", "backoffice/dx/_targets.html"


@officer_required
def home(request):
    year = request.GET.get("nam") or ""
    qs = permissions.visible_plans(request.user).select_related("agency", "parent__agency")
    if whole_number(year, high=9999) is not None:
        qs = qs.filter(year=whole_number(year))
    return page(request, "backoffice/dx/home.html", {
        "plans": qs.order_by("-year", "agency__code", "kind")[:300], "year": year,
        "can_create": permissions.editable_agencies(request.user).exists()})


@officer_required
def plan_new(request):
    agencies = permissions.plan_agencies(request.user).order_by("code")
    if not agencies.exists():
        return page(request, "backoffice/forbidden.html", {}, status=403)
    parents = permissions.visible_plans(request.user).filter(kind=Plan.PLAN).select_related("agency")
    initial = {"year": timezone.localdate().year}
    if len(agencies) == 1:  # an officer of one unit writes that unit's plan
        initial["agency"] = agencies[0]
    form = PlanForm(request.POST or None, agencies=agencies, parents=parents, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            c = form.cleaned_data
            try:
                plan = plans.create_plan(actor(request), agency=c["agency"], year=c["year"], kind=c["kind"],
                                         first_year=c["first_year"], title=c["title"], number=c["number"],
                                         legal_basis=c["legal_basis"], parent=c["parent"])
            except DomainError as err:
                form.add_error(None, err.message)
                status = error_status(err)
            else:
                messages.success(request, f"Đã lập {plan.title}.")
                return redirect("backoffice:dx_plan", pk=plan.pk)
    return page(request, "backoffice/dx/plan_new.html", {"form": form}, status=status)


@officer_required
def plan_detail(request, pk):
    return page(request, "backoffice/dx/plan.html", editor_context(request, plan_or_404(request, pk)))


def _fragment(request, plan, template, status=200, **extra):
    """htmx: the part that changed; a plain form post: back to the plan page."""
    if status < 400:  # saved: the forms are empty again
        for typed in ("task_form", "target_form", "typed_line", "typed_value"):
            extra.pop(typed, None)
    if request.htmx:  # the changed part, and the plan's total beside it (out of band)
        return page(request, template, editor_context(request, plan, oob=True, **extra), status=status)
    if status >= 400 and extra.get("error"):
        messages.error(request, extra["error"])
    nxt = request.POST.get("next", "")
    if nxt.startswith("/can-bo/chuyen-doi-so/") and "//" not in nxt:
        return redirect(nxt)
    return redirect("backoffice:dx_plan", pk=plan.pk)


def _run(request, plan, template, call, ok: str = "", **extra):
    try:
        call()
    except DomainError as err:
        return _fragment(request, plan, template, error_status(err), error=err.message, **extra)
    if ok and not request.htmx:
        messages.success(request, ok)
    return _fragment(request, plan, template, **extra)


def _submit(request, plan, form, call, template: str = SECTIONS, ok: str = "", **extra):
    """Check the form (422 with its first message), then run the service with its cleaned data."""
    if not form.is_valid():
        return _fragment(request, plan, template, 422, error=_first_error(form), **extra)
    return _run(request, plan, template, lambda: call(form.cleaned_data), ok=ok, **extra)


@officer_required
@require_POST
def section_add(request, pk):
    plan = plan_or_404(request, pk)
    return _submit(request, plan, SectionForm(request.POST), lambda c: plans.add_section(
        actor(request), plan, title=c["title"], group=c["group"]))


@officer_required
@require_POST
def task_add(request, pk, section_id):
    plan = plan_or_404(request, pk)
    section = get_object_or_404(plan.sections, pk=section_id)
    form = TaskForm(request.POST, auto_id=f"s{section.pk}-%s")  # refused: shown again as typed
    return _submit(request, plan, form, lambda c: plans.add_task(
        actor(request), plan, section=section, **{k: v for k, v in c.items() if v not in (None, "")}),
        open_section=section.pk, task_form=form)


def _first_error(form) -> str:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        return f"{label}: {errors[0]}" if label else errors[0]
    return "Dữ liệu không hợp lệ."


@officer_required
def task_edit(request, tid):
    task = task_or_404(request, tid)
    plan = task.plan
    if request.method == "GET":
        form = TaskForm(initial={f: getattr(task, f) for f in TaskForm.base_fields}, auto_id=f"t{task.pk}-%s")
        return page(request, "backoffice/dx/_task_form.html", {
            "plan": plan, "task": task, "form": form,
            "editable_content": permissions.can_edit_plan(request.user, plan) and not plan.is_approved})
    editable = permissions.can_edit_plan(request.user, plan) and not plan.is_approved
    form = TaskForm(request.POST) if editable and "content" in request.POST else ResultForm(request.POST)

    def save(c):
        c = {**c, "progress": c.get("progress") or 0}
        if not c.get("status"):
            c.pop("status", None)
        return plans.update_task(actor(request), task, **c)

    from_my_tasks = not request.htmx and request.POST.get("next") == reverse("backoffice:dx_my_tasks")
    if not (from_my_tasks or request.htmx):
        return _submit(request, plan, form, save, ok="Đã lưu nhiệm vụ.")
    # A refused save comes back as typed, with the reason: on "my tasks" (often on a phone), or in place of the
    # form on the plan page (htmx).
    status = _try_save(form, save)
    form.auto_id = f"t{task.pk}-%s"
    if from_my_tasks:
        if not status:
            messages.success(request, "Đã lưu nhiệm vụ.")
            return redirect("backoffice:dx_my_tasks")
        return _my_tasks_page(request, failed={task.pk: form}, status=status)
    if not status:
        return _fragment(request, plan, SECTIONS)
    shown = page(request, "backoffice/dx/_task_form.html", {"plan": plan, "task": task, "form": form,
                                                            "editable_content": isinstance(form, TaskForm)},
                 status=status)
    return retarget(reswap(shown, "outerHTML"), f"#task-form-{task.pk}")


def _try_save(form, save) -> int:
    """0 once saved; else the status to answer with, the reason added to the form."""
    if not form.is_valid():
        return 422
    try:
        save(form.cleaned_data)
    except DomainError as err:
        form.add_error(None, err.message)
        return error_status(err)
    return 0


@officer_required
@require_POST
def task_delete(request, tid):
    task = task_or_404(request, tid)
    return _run(request, task.plan, SECTIONS, lambda: plans.delete_task(actor(request), task))


@officer_required
@require_POST
def line_add(request, tid):
    task = task_or_404(request, tid)
    typed = {"task": task.pk, **{k: request.POST.get(k, "")[:200] for k in ("planned", "sources", "year")}}
    return _submit(request, task.plan, BudgetLineForm(request.POST), lambda c: budget.add_budget_line(
        actor(request), task, planned=c["planned"], sources=c["sources"], year=c["year"], disbursed=c["disbursed"]),
        typed_line=typed)  # refused: shown again as typed


@officer_required
@require_POST
def line_delete(request, lid):
    line = get_object_or_404(BudgetLine.objects.select_related("task__plan"), pk=lid,
                             task__plan__in=permissions.visible_plans(request.user))
    return _run(request, line.task.plan, SECTIONS,
                lambda: budget.delete_budget_line(actor(request), line))


@officer_required
@require_POST
def line_disbursed(request, lid):
    """The amount disbursed of a budget line: reported any time, also once the plan is approved."""
    line = get_object_or_404(BudgetLine.objects.select_related("task__plan__agency"), pk=lid,
                             task__plan__in=permissions.visible_plans(request.user))
    return _submit(request, line.task.plan, DisbursedForm(request.POST), lambda c: budget.update_budget_line(
        actor(request), line, disbursed=c["disbursed"]), ok="Đã lưu số giải ngân.")


@officer_required
@require_POST
def evidence_add(request, tid):
    task = task_or_404(request, tid)
    upload = request.FILES.get("file")
    if upload is None:
        return _fragment(request, task.plan, SECTIONS, 422, error="Chọn tệp minh chứng.")
    return _run(request, task.plan, SECTIONS,
                lambda: plans.add_evidence(actor(request), task, upload, name=upload.name), ok="Đã lưu tệp minh chứng.")


@officer_required
def evidence(request, att_id):
    """A task's or a value's evidence file, for those who may see the plan."""
    visible = permissions.visible_plans(request.user)
    task = Task.objects.filter(evidence__pk=att_id, plan__in=visible).first()
    value = IndicatorValue.objects.filter(evidence_id=att_id, target__plan__in=visible).first()
    if task is None and value is None:
        raise Http404("Không tìm thấy tệp.")
    return attachment_response(get_attachment(att_id))


@officer_required
@require_POST
def target_add(request, pk):
    plan = plan_or_404(request, pk)
    form = TargetForm(request.POST)  # refused: shown again as typed
    return _submit(request, plan, form, lambda c: indicators.add_target(
        actor(request), plan, measure=c["measure"], value=c["value"], comparator=c["comparator"], name=c["name"],
        unit=c["unit"] or None, area=c["area"] or None), template=TARGETS, target_form=form)


@officer_required
@require_POST
def value_add(request, target_id):
    target = get_object_or_404(Target.objects.select_related("plan__agency"), pk=target_id,
                               plan__in=permissions.visible_plans(request.user))
    typed = {"target": target.pk, **{k: request.POST.get(k, "")[:500] for k in ("value", "note")}}
    return _submit(request, target.plan, ValueForm(request.POST, request.FILES), lambda c: indicators.enter_value(
        actor(request), target, value=c["value"], note=c["note"], evidence=c.get("evidence"),
        evidence_name=c["evidence"].name if c.get("evidence") else None), template=TARGETS,
        ok="Đã lưu giá trị chỉ tiêu.", typed_value=typed)  # refused: shown again as typed (a file is chosen again)


@officer_required
@require_POST
def plan_status(request, pk, action):
    plan = plan_or_404(request, pk)
    call = {"phe-duyet": plans.approve_plan, "mo-lai": plans.reopen_plan}.get(action)
    if call is None:
        raise Http404
    try:
        call(actor(request), plan)
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, "Đã phê duyệt kế hoạch." if action == "phe-duyet" else "Đã mở lại kế hoạch để sửa.")
    return redirect("backoffice:dx_plan", pk=plan.pk)


@officer_required
def plan_export(request, pk):
    plan = plan_or_404(request, pk)
    resp = HttpResponse(export_plan(plan), content_type=XLSX)
    resp["Content-Disposition"] = attachment_header(f"ke-hoach-{plan.agency.code}-{plan.year}.xlsx")
    return resp


@officer_required
def my_tasks(request):
    return _my_tasks_page(request)


def _my_tasks_page(request, failed: dict | None = None, status: int = 200):
    """Tasks of plans that my unit leads (or, when no lead unit is named, of my unit's plans), soonest deadline first;
    `failed`: the forms that were sent back, by task, shown as typed with their messages."""
    failed = failed or {}
    mine = permissions.reporting_agencies(request.user)  # not a closed unit's: its data is history
    # a report's rows (money spent in past years, seed 004 Phụ lục I) are not work to do
    qs = (Task.objects.filter(permissions.carried_by(mine), plan__kind=Plan.PLAN)
          .exclude(status=Task.DONE).select_related("plan__agency", "section").distinct())
    today = timezone.localdate()
    rows = []
    for task in qs:
        due = plans.due_date(task)
        state, label = plans.task_state(task, today)
        css = "overdue" if state == "overdue" else date_css(due, soon_days=30)
        form = failed.get(task.pk) or ResultForm(initial={"status": task.status, "progress": task.progress,
                                                          "result": task.result}, auto_id=f"t{task.pk}-%s")
        rows.append({"task": task, "due": due, "state": label, "css": css, "form": form})
    rows.sort(key=lambda r: (r["due"] is None, r["due"]))
    return page(request, "backoffice/dx/my_tasks.html", {"rows": rows[:300], "today": today, "sub": "mine"},
                status=status)
