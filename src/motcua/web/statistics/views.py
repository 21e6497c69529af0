"""Statistics pages (/thong-ke/): public transparency per unit, the 766 index, and (officers) drill-down
lists and report builds with progress. The figures come from motcua.reporting, the report files from
motcua.papers."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from motcua.accounts import permissions
from motcua.core.errors import DomainError, PermissionDenied, ValidationFailed
from motcua.core.money import format_number, format_vnd
from motcua.papers.tasks import start_job
from motcua.reporting import continuity, decision766, indicators
from motcua.reporting.access import check_scope
from motcua.reporting.continuity import LINEAGE
from motcua.reporting.indicators import format_count, format_percent, period_label
from motcua.reporting.metrics import METRICS
from motcua.reporting.models import DossierFact, ReportJob
from motcua.units.models import Agency
from motcua.units.reorganization import predecessors

MONTHS = ["T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "T10", "T11", "T12"]
DRILL_LABELS = {**METRICS, "carried_over": "Kỳ trước chuyển sang", "in_progress": "Đang giải quyết",
                "in_progress_overdue": "Đang giải quyết quá hạn", "in_progress_on_time": "Đang giải quyết trong hạn",
                "received_online": "Tiếp nhận trực tuyến", "received_counter": "Tiếp nhận trực tiếp",
                "received_post": "Tiếp nhận qua bưu chính", "received_online_partial": "Trực tuyến (DVC một phần)",
                "received_partial": "Hồ sơ DVC một phần", "received_online_full": "Trực tuyến (DVC toàn trình)",
                "received_full": "Hồ sơ DVC toàn trình"}


def _error(request, exc: DomainError):
    return render(request, "reporting/error.html", {"error": exc}, status=exc.status)


def _period_from(request) -> tuple[dt.date, dt.date]:
    g = request.GET
    if g.get("tu") and g.get("den"):
        return indicators.parse_period(start=g["tu"], end=g["den"])
    return indicators.parse_period(g.get("ky") or str(timezone.localdate().year))


def _agency_or_404(code: str):
    return get_object_or_404(Agency.objects.select_related("admin_unit", "successor"), code=code)


def _chart(months: list[tuple[int, indicators.Indicators]]) -> dict:
    """Inline SVG bars: received and resolved per month."""
    peak = max([1, *(max(i["received"], i["resolved"]) for _, i in months)])
    height, bar = 120, 9
    bars = []
    for idx, (month, ind) in enumerate(months):
        x = 30 + idx * 26
        for j, key in enumerate(("received", "resolved")):
            h = round(ind[key] * height / peak, 1)
            bars.append({"x": x + j * (bar + 1), "y": round(10 + height - h, 1), "h": h, "w": bar, "kind": key,
                         "title": f"{MONTHS[month - 1]}: {format_count(ind[key])}"})
    labels = [{"x": 30 + i * 26 + bar, "text": MONTHS[i]} for i in range(12)]
    return {"bars": bars, "labels": labels, "peak": format_count(peak), "width": 30 + 12 * 26 + 6,
            "height": height + 30}


def transparency_index(request):
    try:
        start, end = _period_from(request)
    except DomainError as exc:
        return _error(request, exc)
    fold = request.GET.get("gop") == "1"  # units merged by a reorganization counted in their successor
    per_agency = indicators.compute(start, end, group_by="agency")
    if fold:
        per_agency = continuity.fold_into_successors(per_agency)
    total = indicators.totals(start, end)
    rows = []
    for agency in Agency.objects.select_related("successor").order_by("-is_active", "name"):
        ind = per_agency.get((agency.code,))
        if ind is None:
            continue
        rows.append({"agency": agency, "received": format_count(ind["received"]),
                     "resolved_rate": format_percent(ind.rates["resolved_rate"]),
                     "on_time_rate": format_percent(ind.rates["on_time_rate"]),
                     "online_rate": format_percent(ind.rates["online_rate"])})
    return render(request, "reporting/index.html", {
        "rows": rows, "label": period_label(start, end), "year": start.year, "total": total, "fold": fold,
        "period": request.GET.get("ky") or str(start.year), "table": indicators.summary_table(total)})


def transparency_unit(request, code: str):
    agency = _agency_or_404(code)
    try:
        year = int(request.GET.get("nam") or timezone.localdate().year)
        if not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        return _error(request, ValidationFailed("invalid_year", "Năm không hợp lệ."))
    lineage = request.GET.get("ke-thua") == "1"  # with the units merged into this one (reorganization)
    scope = f"{LINEAGE}{agency.code}" if lineage else agency.code
    months = indicators.monthly(year, scope)
    rows = [{"month": MONTHS[m - 1], "received": format_count(i["received"]),
             "online": format_count(i["received_online"]), "resolved": format_count(i["resolved"]),
             "on_time": format_percent(i.rates["on_time_rate"], 1), "late": format_count(i["resolved_late"]),
             "overdue": format_count(i["in_progress_overdue"]),
             "satisfaction": format_percent(i.rates["satisfaction_rate"], 1)} for m, i in months]
    total = indicators.totals(dt.date(year, 1, 1), dt.date(year, 12, 31), scope)
    return render(request, "reporting/unit.html", {
        "agency": agency, "year": year, "rows": rows, "chart": _chart(months), "total": total,
        "table": indicators.summary_table(total), "years": [year - 1, year + 1], "lineage": lineage,
        "predecessors": predecessors(agency), "query": "&ke-thua=1" if lineage else ""})


def index766(request):
    try:
        start, end = _period_from(request)
        scope = request.GET.get("don-vi") or None
        if scope:
            _agency_or_404(scope)
        result = decision766.evaluate(start, end, scope)
    except DomainError as exc:
        return _error(request, exc)
    return render(request, "reporting/index766.html", {
        "result": result, "label": period_label(start, end), "scope": scope,
        "score": format_number(result["score"], 2), "measured_max": format_number(result["measured_max"], 0),
        "score_100": format_number(result["score_100"] or 0, 2), "no_data": decision766.NO_DATA})


@login_required
def drill_down(request):
    g = request.GET
    metric = g.get("chi-tieu", "")
    scope = g.get("don-vi") or None
    try:
        check_scope(request.user, scope)
        start, end = _period_from(request)
        filters = {k: g.get(k) for k in ("procedure", "field", "channel", "online_level") if g.get(k)}
        ids = indicators.drill_down(metric, start, end, scope, filters)
    except DomainError as exc:
        return _error(request, exc)
    facts = DossierFact.objects.filter(pk__in=ids[:1000]).order_by("received_at", "pk")
    rows = [{"id": f.pk, "code": f.code or f"#{f.pk}", "agency": f.agency_code, "procedure": f.procedure_code,
             "channel": f.channel, "status": f.status,
             "received": timezone.localtime(f.received_at).strftime("%d/%m/%Y") if f.received_at else "",
             "due": timezone.localtime(f.due_at).strftime("%d/%m/%Y %H:%M") if f.due_at else "",
             "decided": timezone.localtime(f.decided_at).strftime("%d/%m/%Y %H:%M") if f.decided_at else "",
             "fee": format_vnd(f.fee_vnd) if f.fee_vnd else ""} for f in facts]
    return render(request, "reporting/drill.html", {
        "rows": rows, "count": format_count(len(ids)), "shown": len(rows), "truncated": len(ids) > len(rows),
        "metric": metric,
        "metric_label": DRILL_LABELS.get(metric, metric), "label": period_label(start, end), "scope": scope})


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request):
    if not permissions.is_officer(request.user):
        return _error(request, PermissionDenied("forbidden", "Chỉ cán bộ mới tạo được báo cáo."))
    if request.method == "POST":
        p = request.POST
        scope = p.get("don-vi") or "province"
        if scope != "province" and p.get("ke-thua") == "1":
            scope = f"{LINEAGE}{scope}"  # with the units merged into it (reorganization)
        kind = p.get("loai") if p.get("loai") in ("docx", "xlsx") else None
        try:
            if kind is None:
                raise ValidationFailed("invalid_kind", "Chọn loại báo cáo .docx hoặc .xlsx.")
            check_scope(request.user, None if scope == "province" else scope)
            if scope != "province" and not Agency.objects.filter(code=scope.removeprefix(LINEAGE)).exists():
                raise ValidationFailed("invalid_unit", "Đơn vị không tồn tại.")
            if p.get("tu") and p.get("den"):
                start, end = indicators.parse_period(start=p["tu"], end=p["den"])
            else:
                start, end = indicators.parse_period(p.get("ky") or str(timezone.localdate().year))
        except DomainError as exc:
            return _error(request, exc)
        job = start_job(kind=kind, scope=scope, start=start, end=end, user=request.user)
        return redirect("reporting:report_job", job_id=job.pk)
    return render(request, "reporting/report_new.html", {
        "agencies": Agency.objects.filter(is_active=True).order_by("name"), "year": timezone.localdate().year,
        "jobs": ReportJob.objects.filter(requested_by=request.user)[:10]})


def _own_job(request, job_id: int) -> ReportJob:
    job = get_object_or_404(ReportJob, pk=job_id)
    if job.requested_by_id != request.user.pk and not permissions.is_province_wide(request.user):
        raise Http404
    return job


@login_required
def report_job(request, job_id: int):
    job = _own_job(request, job_id)
    return render(request, "reporting/report_job.html", {"job": job, "label": period_label(job.start, job.end)})


@login_required
def report_progress(request, job_id: int):
    job = _own_job(request, job_id)
    return JsonResponse({"state": job.state, "progress": job.progress, "message": job.message,
                         "download": job.state == ReportJob.DONE})


@login_required
def report_download(request, job_id: int):
    job = _own_job(request, job_id)
    if job.state != ReportJob.DONE or not job.file:
        return HttpResponse("Báo cáo chưa tạo xong.", status=409, content_type="text/plain; charset=utf-8")
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1])
