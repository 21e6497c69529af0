"""Digitization from the counter screen: upload the scans of a component (or of the result), follow the OCR,
compare the page images with the extracted fields, confirm — only then is it digitized."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from motcua.core.errors import DomainError
from motcua.documents.digitization import retry_digitization
from motcua.documents.digitization_flags import confirm_digitization
from motcua.documents.digitization_rules import may_digitize, named_in_dossier
from motcua.documents.models import DigitizationJob, DigitizationKind, JobStatus
from motcua.documents.scans import digitize_scans, page_preview
from motcua.web.pages import actor

from ..forms import ConfirmFieldsForm
from .common import bo_page, officer_required
from .dossier import _officer_dossier, dossier_detail

FIELD_NAMES = ("full_name", "id_number", "date_of_birth", "document_number", "address")

@officer_required
@require_POST
def scan_upload(request, pk, kind):
    dossier = _officer_dossier(request, pk)
    if kind not in DigitizationKind.values:
        raise Http404("Loại số hóa không tồn tại.")
    if not may_digitize(request.user, dossier, kind):
        messages.error(request, "Bạn không được số hóa giấy tờ của hồ sơ này ở trạng thái hiện tại.")
        return redirect("backoffice:dossier", pk=pk)
    component = None
    if kind == DigitizationKind.RECEIPT:
        try:  # a value the screen never offers (forged, or a component removed meanwhile) is refused, not ignored
            component = forms.ModelChoiceField(dossier.procedure.components.all(), required=False).clean(
                request.POST.get("component"))
        except forms.ValidationError:
            messages.error(request, "Thành phần hồ sơ đã chọn không thuộc thủ tục của hồ sơ này.")
            return dossier_detail(request, pk, status=400)
    try:  # every file is checked by documents.scans: type by content, size, emptiness, hostile content
        job = digitize_scans(request.FILES.getlist("scans"), dossier=dossier, actor=actor(request), kind=kind,
                             component=component)
    except DomainError as err:
        messages.error(request, err.message)
        return dossier_detail(request, pk, status=err.status)
    messages.success(request, "Đã nhận bản quét; hệ thống đang nhận dạng chữ (OCR).")
    return redirect("backoffice:scan_job", pk=pk, job_id=job.pk)


def _job(request, pk, job_id):
    dossier = _officer_dossier(request, pk)
    job = get_object_or_404(DigitizationJob.objects.select_related("component", "confirmed_by"), pk=job_id,
                            dossier=dossier)
    return dossier, job


def _initial(job) -> dict:
    found = {k: (v or {}).get("value", "") for k, v in (job.fields or {}).items() if k in FIELD_NAMES}
    return {**found, **{k: v for k, v in (job.confirmed_fields or {}).items() if k in FIELD_NAMES}}


@officer_required
def scan_job(request, pk, job_id):
    dossier, job = _job(request, pk, job_id)
    form, status = None, 200
    if job.status in (JobStatus.DONE, JobStatus.CONFIRMED):
        form = ConfirmFieldsForm(initial=_initial(job))
    if request.method == "POST":
        if not may_digitize(request.user, dossier, job.kind):
            messages.error(request, "Bạn không được xác nhận số hóa giấy tờ của hồ sơ này.")
            return redirect("backoffice:dossier", pk=pk)
        form = ConfirmFieldsForm(request.POST)
        try:
            if not form.is_valid():
                raise DomainError("fields_invalid", "Vui lòng sửa các mục được đánh dấu.", status=400)
            confirm_digitization(job, officer=actor(request), fields=form.confirmed())
        except DomainError as err:
            messages.error(request, err.message)
            status = err.status
        else:
            what = job.component.name if job.component else "kết quả giải quyết"
            messages.success(request, f"Đã xác nhận số hóa: {what}.")
            number = job.confirmed_fields.get("id_number", "")
            if number and job.output_id and not named_in_dossier(dossier, number):
                messages.warning(request, f"Số định danh {number} không phải của người nộp hay người có tên trong hồ "
                                          "sơ: bản số hóa không được lưu vào kho dữ liệu của người đó.")
            return redirect("backoffice:dossier", pk=pk)
    if form is not None:
        for name, found in (job.fields or {}).items():
            if name in form.fields and found.get("confidence") is not None:
                form.fields[name].help_text = f"máy đọc được, độ tin cậy {round(found['confidence'] * 100)} %"
    return bo_page(request, "backoffice/digitization_job.html", {
        "d": dossier, "job": job, "form": form, "pages": range(1, job.pages_total + 1), "nav": "list",
        "may_confirm": may_digitize(request.user, dossier, job.kind)}, status=status)


@officer_required
@require_POST
def scan_retry(request, pk, job_id):
    """"Thử nhận dạng lại" on a failed job: queued again through the same task (documents.digitization)."""
    dossier, job = _job(request, pk, job_id)
    if not may_digitize(request.user, dossier, job.kind):
        messages.error(request, "Bạn không được số hóa giấy tờ của hồ sơ này ở trạng thái hiện tại.")
        return redirect("backoffice:dossier", pk=pk)
    try:
        retry_digitization(job, actor=actor(request))
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, "Đã gửi lại bản quét để nhận dạng chữ (OCR).")
    return redirect("backoffice:scan_job", pk=pk, job_id=job.pk)


@officer_required
def scan_progress(request, pk, job_id):
    _, job = _job(request, pk, job_id)
    message = job.officer_error or f"{job.get_status_display()}: {job.pages_done}/{job.pages_total} trang"
    # "download": the link to the job's page, where the fields are confirmed or a failed (or stalled) job is tried
    # again
    return JsonResponse({"state": job.status, "progress": job.progress_percent, "message": message,
                         "state_label": job.get_status_display(),
                         "download": job.status not in (JobStatus.QUEUED, JobStatus.RUNNING) or job.stalled})


@officer_required
def scan_page(request, pk, job_id, number):
    _, job = _job(request, pk, job_id)
    try:
        data = page_preview(job, number)
    except DomainError as err:
        raise Http404(err.message) from err
    return HttpResponse(data, content_type="image/png")
