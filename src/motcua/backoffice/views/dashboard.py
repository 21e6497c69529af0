"""The dashboard: today's counts, overdue dossiers and 30 days of receipts and returns."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from motcua.accounts.permissions import staff_agencies_of
from motcua.core.calendar import TZ
from motcua.dossiers.access import visible_dossiers
from motcua.dossiers.models import Status
from motcua.web import charts

from .common import bo_page, officer_required

IN_PROGRESS = [Status.RECEIVED, Status.PROCESSING, Status.PAUSED, Status.SUPPLEMENT_REQUESTED]
OPEN = [Status.SUBMITTED, *IN_PROGRESS, Status.APPROVED, Status.READY_FOR_RETURN]


@officer_required
def dashboard(request):
    agencies = staff_agencies_of(request.user)
    base = visible_dossiers(request.user)
    if agencies:
        base = base.filter(Q(agency_id__in=agencies) | Q(current_agency_id__in=agencies))
    now = timezone.now()
    today = now.astimezone(TZ).date()
    start_today = dt.datetime.combine(today, dt.time.min, tzinfo=TZ)
    kpi = {
        "received_today": base.filter(received_at__gte=start_today).count(),
        "returned_today": base.filter(returned_at__gte=start_today).count(),
        "submitted_waiting": base.filter(status=Status.SUBMITTED).count(),
        "in_progress": base.filter(status__in=IN_PROGRESS).count(),
        "overdue": base.filter(status__in=OPEN, due_at__lt=now).count(),
    }
    overdue = (base.filter(status__in=OPEN, due_at__lt=now)
               .select_related("procedure", "current_agency", "current_step", "assignee")
               .order_by("due_at")[:50])
    start = today - dt.timedelta(days=29)
    start_dt = dt.datetime.combine(start, dt.time.min, tzinfo=TZ)
    received = dict(base.filter(received_at__gte=start_dt).annotate(day=TruncDate("received_at", tzinfo=TZ))
                    .values("day").annotate(n=Count("id")).values_list("day", "n"))
    returned = dict(base.filter(returned_at__gte=start_dt).annotate(day=TruncDate("returned_at", tzinfo=TZ))
                    .values("day").annotate(n=Count("id")).values_list("day", "n"))
    days = [start + dt.timedelta(days=i) for i in range(30)]
    svg = charts.daily_bars(days, [("Tiếp nhận", [received.get(d, 0) for d in days], "#0b4f9c"),
                                   ("Trả kết quả", [returned.get(d, 0) for d in days], "#1b7a3a")])
    return bo_page(request, "backoffice/dashboard.html", {"kpi": kpi, "overdue": overdue, "chart": svg,
                                                           "nav": "dashboard", "today": today})
