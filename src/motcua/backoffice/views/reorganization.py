"""Reorganizing administrative units, for the provincial administrator: plans (draft, edit, approve), the
preview read before the confirm button, applying (resumable: a run cut short is finished by applying again)
and the report of what was done. The work itself is motcua.units.reorganization."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from motcua.accounts.models import RoleAssignment
from motcua.core.admin_site import SafeModelMultipleChoiceField
from motcua.core.errors import DomainError
from motcua.units import reorganization as reorg
from motcua.units.models import AdministrativeUnit, Agency, ReorganizationPlan
from motcua.units.services import COMMUNE_LEVELS
from motcua.web.forms import DateField
from motcua.web.pages import actor, place_domain_error, show_domain_error

from .common import bo_page, officer_required

DATE = {"input_formats": ["%d/%m/%Y"], "widget": forms.TextInput(attrs={"placeholder": "dd/mm/yyyy", "size": 10})}


class PlanForm(forms.Form):
    resolution_number = forms.CharField(label="Số nghị quyết", max_length=64,
                                        help_text="ví dụ 1677/NQ-UBTVQH15")
    resolution_date = DateField(label="Ngày ban hành nghị quyết", **DATE)
    effective_date = DateField(label="Ngày có hiệu lực", **DATE)
    old_units = SafeModelMultipleChoiceField(  # a forged id (past 64 bits, "abc") is a form error, not a 500
        label="Các đơn vị được sắp xếp", queryset=AdministrativeUnit.objects.none(),
        help_text="giữ Ctrl (hoặc Cmd) để chọn nhiều đơn vị",
        widget=forms.SelectMultiple(attrs={"size": 12}))
    new_code = forms.CharField(label="Mã đơn vị mới", max_length=16)
    new_name = forms.CharField(label="Tên đơn vị mới", max_length=200, help_text="ví dụ: Xã Hòa Bình")
    new_level = forms.ChoiceField(label="Cấp đơn vị mới", choices=ReorganizationPlan.COMMUNE_LEVELS)
    assignments = forms.CharField(
        label="Thủ tục giao cơ quan khác", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="mỗi dòng «mã thủ tục = mã cơ quan»; để trống: cơ quan của đơn vị mới nhận mọi thủ tục")
    ended_roles = forms.MultipleChoiceField(
        label="Phân quyền kết thúc (không chuyển sang đơn vị mới)", required=False,
        widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label="Ghi chú", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, plan: ReorganizationPlan | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        wanted = Q(level__in=COMMUNE_LEVELS, is_active=True)
        if plan is not None:
            wanted |= Q(pk__in=plan.old_units.values("pk"))
        self.fields["old_units"].queryset = AdministrativeUnit.objects.filter(wanted).order_by("name")
        self.fields["old_units"].label_from_instance = lambda u: f"{u.name} ({u.code})"
        held = RoleAssignment.objects.filter(agency__admin_unit__in=plan.old_units.all()) if plan else []
        self.fields["ended_roles"].choices = [
            (str(ra.pk), f"{ra.user.full_name or ra.user.username} — {ra.get_role_display()} — {ra.agency.name}")
            for ra in (held.select_related("user", "agency").order_by("agency__code", "user__username")
                       if plan else [])]
        if not self.fields["ended_roles"].choices:
            del self.fields["ended_roles"]

    def clean_assignments(self):
        try:
            return reorg.parse_assignments(self.cleaned_data.get("assignments") or "")
        except DomainError as err:
            raise forms.ValidationError(err.message) from err

    def service_fields(self) -> dict:
        c = self.cleaned_data
        return {"resolution_number": c["resolution_number"], "resolution_date": c["resolution_date"],
                "effective_date": c["effective_date"], "old_units": list(c["old_units"]), "new_code": c["new_code"],
                "new_name": c["new_name"], "new_level": c["new_level"], "assignments": c["assignments"],
                "ended_roles": c.get("ended_roles") or [], "note": c["note"]}


def _initial(plan: ReorganizationPlan) -> dict:
    return {"resolution_number": plan.resolution_number,
            "resolution_date": plan.resolution_date.strftime("%d/%m/%Y"),
            "effective_date": plan.effective_date.strftime("%d/%m/%Y"), "old_units": list(plan.old_units.all()),
            "new_code": plan.new_code, "new_name": plan.new_name, "new_level": plan.new_level,
            "assignments": "\n".join(f"{p.procedure_code} = {p.agency.code}"
                                     for p in plan.procedure_assignments.select_related("agency")),
            "ended_roles": [str(i) for i in plan.ended_roles], "note": plan.note}


def _manager(request):
    """The page for provincial administrators only; others get the back office's refusal page."""
    if not request.user.has_perm(reorg.plans.PERMISSION):
        return bo_page(request, "backoffice/forbidden.html", {}, status=403)
    return None


def _form_page(request, plan=None):
    refused = _manager(request)
    if refused:
        return refused
    if plan is not None and plan.status != ReorganizationPlan.DRAFT:
        messages.error(request, "Chỉ sửa được phương án đang là bản nháp.")
        return redirect("backoffice:reorganization", pk=plan.pk)
    status = 200
    if request.method == "POST":
        form = PlanForm(request.POST, plan=plan)
        if form.is_valid():
            try:
                saved = reorg.save_draft(actor(request), plan=plan, **form.service_fields())
            except DomainError as err:
                place_domain_error(form, err)
                status = err.status
            else:
                messages.success(request, "Đã lưu bản nháp phương án. Đọc kỹ bản xem trước bên dưới.")
                return redirect("backoffice:reorganization", pk=saved.pk)
        else:
            status = 422
    else:
        form = PlanForm(initial=_initial(plan) if plan else {}, plan=plan)
    return bo_page(request, "backoffice/reorganization_form.html", {"form": form, "plan": plan, "nav": "reorg"},
                   status=status)


@officer_required
def plan_list(request):
    refused = _manager(request)
    if refused:
        return refused
    plans = ReorganizationPlan.objects.prefetch_related("old_units").select_related("new_agency")
    return bo_page(request, "backoffice/reorganization_list.html", {"plans": plans, "nav": "reorg"})


@officer_required
def plan_new(request):
    return _form_page(request)


@officer_required
def plan_edit(request, pk):
    return _form_page(request, get_object_or_404(ReorganizationPlan, pk=pk))


@officer_required
def plan_detail(request, pk, status=200):
    refused = _manager(request)
    if refused:
        return refused
    plan = get_object_or_404(ReorganizationPlan.objects.select_related("new_unit", "new_agency", "created_by",
                                                                       "approved_by", "applied_by"), pk=pk)
    shown = reorg.preview(plan) if plan.status != ReorganizationPlan.APPLIED else None
    done = reorg.report(plan)
    labels = {name: cls.outcome_labels for name, cls in reorg.steps.items()}
    titles = {name: cls.title for name, cls in reorg.steps.items()}
    report = [(titles.get(step, step), [(labels.get(step, {}).get(k, k), n) for k, n in outcomes.items()])
              for step, outcomes in done.items()]
    return bo_page(request, "backoffice/reorganization.html", {
        "plan": plan, "preview": shown, "report": report, "nav": "reorg",
        "predecessors": Agency.objects.filter(successor=plan.new_agency) if plan.new_agency_id else []},
        status=status)


ACTIONS = {
    "phe-duyet": (reorg.approve, "Đã phê duyệt phương án. Kiểm tra lại bản xem trước trước khi thực hiện."),
    "tra-ve-nhap": (reorg.reopen, "Phương án đã trở lại bản nháp."),
    "thuc-hien": (reorg.apply, "Đã thực hiện sắp xếp đơn vị hành chính."),
}


@officer_required
@require_POST
def plan_action(request, pk, action):
    refused = _manager(request)
    if refused:
        return refused
    if action not in ACTIONS:
        raise Http404("Thao tác không tồn tại.")
    plan = get_object_or_404(ReorganizationPlan, pk=pk)
    if action == "thuc-hien" and request.POST.get("da-doc") != "1":
        messages.error(request, "Hãy đánh dấu «Tôi đã đọc bản xem trước» trước khi thực hiện.")
        return plan_detail(request, pk, status=422)
    do, success = ACTIONS[action]
    try:
        do(plan, actor(request))
    except DomainError as err:
        show_domain_error(request, err)
        return plan_detail(request, pk, status=err.status)
    messages.success(request, success)
    return redirect("backoffice:reorganization", pk=pk)
