"""Small pages: check the signature of a PDF; follow a digitization job's progress."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from motcua.accounts.lockout import refuse_heavy_use
from motcua.core.errors import DomainError
from motcua.dossiers.access import handles_dossier

from . import validation
from .models import DigitizationJob, JobStatus
from .signing import verify_pdf


def _ctx(**extra) -> dict:
    return {"province_name": settings.MOTCUA_PROVINCE_NAME, **extra}


@require_http_methods(["GET", "POST"])
def verify_signature(request):
    result, error, status = None, None, 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            refuse_heavy_use(request, "verify")  # anyone may ask, so not without end from one address
            if upload is None:
                raise validation.ValidationFailed("file_missing", "Vui lòng chọn tệp PDF cần kiểm tra.")
            data = validation.read_limited(upload)
            if not data[:1024].lstrip().startswith(b"%PDF-"):
                raise validation.ValidationFailed("file_type_not_allowed", "Chỉ kiểm tra được chữ ký số trên tệp PDF.",
                                                  status=415)
            result = verify_pdf(data)
        except DomainError as exc:
            error, status = exc.message, exc.status
    return render(request, "documents/verify.html", _ctx(result=result, error=error), status=status)


@login_required
def job_progress(request, job_id: int):
    job = DigitizationJob.objects.select_related("dossier", "output").filter(pk=job_id).first()
    allowed = job is not None and (job.created_by_id == request.user.pk or (
        job.dossier is not None and handles_dossier(request.user, job.dossier)))
    if not allowed:
        raise Http404
    running = job.status in (JobStatus.QUEUED, JobStatus.RUNNING) and not job.stalled  # a stalled one stops polling
    template = "documents/_job.html" if request.headers.get("HX-Request") else "documents/job.html"
    return render(request, template, _ctx(job=job, running=running))
