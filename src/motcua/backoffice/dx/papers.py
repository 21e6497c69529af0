"""Papers: the annual report (narrative per section beside the figures the system fills in), appendices,
built in the background with progress, then downloaded."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from motcua.core.digits import whole_number
from motcua.core.errors import DomainError
from motcua.papers.jobs import retry
from motcua.papers.transformation.annual import describe
from motcua.papers.transformation.appendices import KINDS
from motcua.papers.transformation.render import CONTENT_TYPES
from motcua.papers.transformation.tasks import build_paper, start_job
from motcua.transformation import permissions
from motcua.transformation.models import PaperJob
from motcua.transformation.sections import ALL_SECTIONS
from motcua.transformation.services import annual
from motcua.web.pages import actor

from ..views.common import officer_required
from .common import error_status, page, plan_or_404, unit_or_404


def _year(raw) -> int:
    year = whole_number(raw)
    if year is None or not 2000 <= year <= 2100:
        raise Http404
    return year


@officer_required
def annual_page(request, code, year):
    agency, year = unit_or_404(request, code), _year(year)
    editable = permissions.can_edit_agency(request.user, agency)
    status, saved = 200, ""
    if request.method == "POST":
        section = request.POST.get("muc", "")
        try:
            annual.save_narrative(actor(request), agency, year, section, request.POST.get("noi_dung", ""))
        except DomainError as err:
            messages.error(request, err.message)
            status = error_status(err)
        else:
            saved = section
            if not request.htmx:
                messages.success(request, "Đã lưu nội dung.")
                return redirect("backoffice:dx_annual", code=agency.code, year=year)
    f = annual.figures(agency, year)
    lines = describe(f)
    sections = [{"key": k, "title": t, "text": f.narratives.get(k, ""), "figures": lines.get(k, [])}
                for k, t in ALL_SECTIONS]
    if request.htmx and request.method == "POST":
        section = next((s for s in sections if s["key"] == request.POST.get("muc")), None)
        return page(request, "backoffice/dx/_narrative.html", {"s": section, "agency": agency, "year": year,
                                                                "editable": editable, "saved": saved}, status=status)
    return page(request, "backoffice/dx/annual.html", {"agency": agency, "year": year, "sections": sections,
                                                       "f": f, "editable": editable,
                                                       "annual_kinds": [("annual", "Báo cáo chuyển đổi số năm")]},
                status=status)


@officer_required
@require_POST
def paper_new(request):
    p = request.POST
    kind, fmt = p.get("loai", ""), p.get("dinh_dang", "")
    plan = agency = year = None
    if kind == "annual":
        agency, year = unit_or_404(request, p.get("don_vi", "")), _year(p.get("nam", ""))
    else:
        number = whole_number(p.get("ke_hoach"))
        plan = plan_or_404(request, number) if number is not None else None
        if plan is None:
            raise Http404
    try:
        job = start_job(kind=kind, fmt=fmt, user=actor(request), plan=plan, agency=agency, year=year)
    except DomainError as err:
        return HttpResponse(err.message, status=error_status(err), content_type="text/plain; charset=utf-8")
    return redirect("backoffice:dx_paper", pk=job.pk)


def _job(request, pk) -> PaperJob:
    # a build whose worker died is shown failed, not running
    job = get_object_or_404(PaperJob.objects.settled(pk=pk).select_related("plan__agency", "agency"))
    if job.requested_by_id != request.user.pk and not permissions.reads_all(request.user):
        raise Http404
    return job


def _label(job: PaperJob) -> str:
    if job.kind == "annual":
        return f"Báo cáo chuyển đổi số năm {job.year} — {job.agency.name}"
    return f"{KINDS.get(job.kind, job.kind)} — {job.plan.title} ({job.plan.agency.name})"


@officer_required
def paper_job(request, pk):
    job = _job(request, pk)
    return page(request, "backoffice/dx/paper_job.html", {"job": job, "label": _label(job)})


@officer_required
@require_POST
def paper_retry(request, pk):
    """«Tạo lại»: a failed build queued again; one still being built (a second click) is shown as it is."""
    job = _job(request, pk)
    if not permissions.can_view_paper_of(request.user, job):  # its plan or unit no longer the officer's
        raise Http404
    try:
        retry(PaperJob, job.pk, build_paper.enqueue)
    except DomainError as err:
        messages.error(request, err.message)
    return redirect("backoffice:dx_paper", pk=job.pk)


@officer_required
def paper_progress(request, pk):
    job = _job(request, pk)
    return JsonResponse({"state": job.state, "progress": job.progress, "message": job.message,
                         "download": job.state == PaperJob.DONE})


@officer_required
def paper_download(request, pk):
    job = _job(request, pk)
    if job.state != PaperJob.DONE or not job.file:
        return HttpResponse("Tệp chưa tạo xong.", status=409, content_type="text/plain; charset=utf-8")
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1],
                        content_type=CONTENT_TYPES[job.fmt])
