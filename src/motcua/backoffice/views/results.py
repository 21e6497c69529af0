"""The result drafted from the procedure's template: the template page (upload, merge fields) and the
specialist's "Tạo dự thảo kết quả từ mẫu". The leader signs the draft with the sign_result action."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from motcua.catalog.models import Procedure
from motcua.core.errors import DomainError
from motcua.documents.models import ResultTemplate
from motcua.documents.result_drafts import FIELDS, draft_result, may_set_template, set_result_template
from motcua.web.pages import actor

from ..forms import ResultTemplateForm
from .common import bo_page, officer_required
from .dossier import _officer_dossier, dossier_detail


@officer_required
@require_POST
def result_draft(request, pk):
    dossier = _officer_dossier(request, pk)
    try:  # the conversion runs outside any transaction; the draft and its audit entry are written together
        draft_result(dossier, by=actor(request))
    except DomainError as err:
        messages.error(request, err.message)
        return dossier_detail(request, pk, status=err.status)
    messages.success(request, "Đã tạo dự thảo kết quả từ mẫu; lãnh đạo xem và ký số.")
    return redirect("backoffice:dossier", pk=pk)


@officer_required
def result_template(request, code):
    procedure = get_object_or_404(Procedure, code=code)
    allowed = may_set_template(request.user, procedure)
    form, status = ResultTemplateForm(), 200
    if request.method == "POST":
        form = ResultTemplateForm(request.POST, request.FILES)
        if not allowed:
            messages.error(request, "Chỉ lãnh đạo, quản trị đơn vị giải quyết thủ tục được đặt mẫu kết quả.")
            status = 403
        elif form.is_valid():
            try:
                set_result_template(procedure, form.cleaned_data["template"], by=actor(request))
            except DomainError as err:
                form.add_error("template", err.message)
                status = err.status
            else:
                messages.success(request, "Đã lưu mẫu kết quả của thủ tục.")
                return redirect(request.get_full_path())
        else:
            status = 400
    return bo_page(request, "backoffice/result_template.html", {
        "p": procedure, "tpl": ResultTemplate.objects.filter(procedure=procedure).select_related("file").first(),
        "form": form, "allowed": allowed, "fields": FIELDS.items(), "nav": "list"}, status=status)
