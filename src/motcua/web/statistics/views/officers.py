"""For officers: the dossiers behind a figure, and report files built in the background with their progress."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from motcua.accounts import permissions
from motcua.catalog.models import Procedure
from motcua.core.errors import DomainError, PermissionDenied, ValidationFailed
from motcua.core.money import format_vnd
from motcua.dossiers.models import Status
from motcua.papers.jobs import retry
from motcua.papers.tasks import build_report, start_job
from motcua.reporting import indicators
from motcua.reporting.access import check_scope
from motcua.reporting.continuity import LINEAGE
from motcua.reporting.indicators import LABELS, format_count, period_label
from motcua.reporting.models import DossierFact, ReportJob
from motcua.reporting.scopes import parse_scope
from motcua.units.models import Agency

from .common import CHANNELS, agencies, error, period_from, render, scope_name

SHOWN = 1000


@login_required
def drill_down(request):
    g = request.GET
    metric = g.get("chi-tieu", "")
    try:
        scope = parse_scope(g.get("don-vi"))  # a unit that does not exist: its message, not an empty list
        check_scope(request.user, scope)
        start, end = period_from(request)
        filters = {k: g.get(k) for k in ("procedure", "field", "channel", "online_level") if g.get(k)}
        ids = indicators.drill_down(metric, start, end, scope, filters)
    except DomainError as exc:
        return error(request, exc)
    facts = list(DossierFact.objects.filter(pk__in=ids[:SHOWN]).order_by("received_at", "pk"))
    procs = dict(Procedure.objects.filter(code__in={f.procedure_code for f in facts}).values_list("code", "name"))
    names = dict(Agency.objects.filter(code__in={f.agency_code for f in facts}).values_list("code", "name"))
    statuses = dict(Status.choices)
    rows = [{"id": f.pk, "code": f.code or f"#{f.pk}", "agency": names.get(f.agency_code, "—"),
             "procedure": procs.get(f.procedure_code, "—"), "channel": CHANNELS.get(f.channel, "—"),
             "status": statuses.get(f.status, "—"), "received": f.received_at, "due": f.due_at,
             "decided": f.decided_at, "fee": format_vnd(f.fee_vnd) if f.fee_vnd else ""} for f in facts]
    return render(request, "reporting/drill.html", {
        "rows": rows, "count": format_count(len(ids)), "shown": len(rows), "truncated": len(ids) > len(rows),
        "metric_label": LABELS.get(metric, "Danh sách hồ sơ"), "label": period_label(start, end),
        "scope_name": scope_name(scope)})


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request):
    if not permissions.is_officer(request.user):
        return error(request, PermissionDenied("forbidden", "Chỉ cán bộ mới tạo được báo cáo."))
    if request.method == "POST":
        p = request.POST
        scope = (p.get("don-vi") or "").strip() or "province"
        if scope != "province" and p.get("ke-thua") == "1":
            scope = f"{LINEAGE}{scope}"  # with the units merged into it (reorganization)
        kind = p.get("loai") if p.get("loai") in ("docx", "xlsx") else None
        try:
            if kind is None:
                raise ValidationFailed("invalid_kind", "Chọn loại báo cáo .docx hoặc .xlsx.")
            parse_scope(scope)  # 404 unit_not_found, 422 invalid_scope
            check_scope(request.user, None if scope == "province" else scope)
            if p.get("tu") and p.get("den"):
                start, end = indicators.parse_period(start=p["tu"], end=p["den"])
            else:
                start, end = indicators.parse_period(p.get("ky") or str(timezone.localdate().year))
        except DomainError as exc:
            return error(request, exc)
        job = start_job(kind=kind, scope=scope, start=start, end=end, user=request.user)
        return redirect("reporting:report_job", job_id=job.pk)
    jobs = [{"job": j, "scope_name": scope_name(j.scope)} for j in ReportJob.objects.settled(requested_by=request.user)[:10]]
    return render(request, "reporting/report_new.html", {
        "agencies": agencies(), "year": timezone.localdate().year, "jobs": jobs, "nav": "reports"})


def _own_job(request, job_id: int) -> ReportJob:
    job = get_object_or_404(ReportJob.objects.settled(pk=job_id))  # a build whose worker died is shown failed
    if job.requested_by_id != request.user.pk and not permissions.is_province_wide(request.user):
        raise Http404
    return job


@login_required
def report_job(request, job_id: int):
    job = _own_job(request, job_id)
    return render(request, "reporting/report_job.html", {
        "job": job, "label": period_label(job.start, job.end), "scope_name": scope_name(job.scope), "nav": "reports"})


@login_required
@require_POST
def report_retry(request, job_id: int):
    """«Tạo lại»: a failed build queued again; one still being built is answered 409 (a second click)."""
    job = _own_job(request, job_id)
    try:
        check_scope(request.user, None if job.scope == "province" else job.scope)  # still the officer's to see
        retry(ReportJob, job.pk, build_report.enqueue)
    except DomainError as exc:
        return error(request, exc)
    return redirect("reporting:report_job", job_id=job.pk)


@login_required
def report_progress(request, job_id: int):
    job = _own_job(request, job_id)
    return JsonResponse({"state": job.state, "progress": job.progress, "message": job.message,
                         "state_label": job.get_state_display(), "download": job.state == ReportJob.DONE})


@login_required
def report_download(request, job_id: int):
    job = _own_job(request, job_id)
    if job.state != ReportJob.DONE or not job.file:
        return HttpResponse("Báo cáo chưa tạo xong.", status=409, content_type="text/plain; charset=utf-8")
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1])
