"""Public transparency: the province's results with its units ranked, and each unit's year month by month."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from motcua.accounts.permissions import is_officer
from motcua.core.digits import whole_number
from motcua.core.errors import DomainError, ValidationFailed
from motcua.reporting import continuity, disclosure, indicators
from motcua.reporting.continuity import LINEAGE
from motcua.reporting.indicators import format_count, format_percent, period_label
from motcua.reporting.texts import existence_note, existence_word
from motcua.units import lifetime
from motcua.units.models import Agency
from motcua.units.reorganization import predecessors
from motcua.web import charts

from .common import MONTHS, agency_or_404, error, may_list_dossiers, period_from, render

RECEIVED, RESOLVED = "#0b4f9c", "#1b7a3a"
RANKED_MAX = 30  # units in the ranking chart (the table lists them all)


def _trend(months: list[tuple[int, indicators.Indicators]], title: str) -> str:
    return charts.grouped_bars([MONTHS[m - 1] for m, _ in months],
                               [("Tiếp nhận", [i["received"] for _, i in months], RECEIVED),
                                ("Đã giải quyết", [i["resolved"] for _, i in months], RESOLVED)], title=title,
                               width=560, height=200)


def _summary(total, *, officer: bool, scope, start, end, drill: bool) -> dict:
    """The summary table; a visitor (not ``officer``) reads no satisfaction figure of a handful of ratings
    (disclosure)."""
    return {"table": indicators.summary_table(total) if officer else disclosure.public_summary_table(total, start, end),
            "drill": drill, "drill_scope": scope or "", "tu": start.strftime("%d/%m/%Y"), "den": end.strftime("%d/%m/%Y"),
            "withheld_note": "" if officer else disclosure.reason(total, start, end),
            "withheld": disclosure.WITHHELD}  # read once across both figure columns, wrapping on a phone


def transparency_index(request):
    try:
        start, end = period_from(request)
    except DomainError as exc:
        return error(request, exc)
    fold = request.GET.get("gop") == "1"  # units merged by a reorganization counted in their successor
    per_agency = indicators.compute(start, end, group_by="agency")
    if fold:
        per_agency = continuity.fold_into_successors(per_agency)
    total = indicators.totals(start, end)
    rows = []
    lives = lifetime.by_code(code for (code,) in per_agency)
    for agency in Agency.objects.select_related("successor").order_by("-is_active", "name"):
        ind = per_agency.get((agency.code,))
        if ind is None:
            continue
        rates = ind.rates
        closure = lives[agency.code].closure  # «Đã giải thể từ ngày …» for one closed without a successor
        rows.append({"agency": agency, "closure": closure[:1].lower() + closure[1:],
                     "received": format_count(ind["received"]), "on_time": rates["on_time_rate"],
                     "resolved_rate": format_percent(rates["resolved_rate"]),
                     "on_time_rate": format_percent(rates["on_time_rate"]),
                     "online_rate": format_percent(rates["online_rate"])})
    ranked = sorted((r for r in rows if r["on_time"] is not None), key=lambda r: (-r["on_time"], r["agency"].name))
    ranking = charts.ranked_bars([(r["agency"].name, r["on_time"] * 100, r["on_time_rate"])
                                  for r in ranked[:RANKED_MAX]], maximum=100, colour=RESOLVED,
                                 title=f"Tỷ lệ giải quyết đúng hạn theo đơn vị, {period_label(start, end)}") \
        if ranked else ""
    year = start.year
    trend = _trend(indicators.monthly(year), f"Hồ sơ tiếp nhận và giải quyết theo tháng năm {year}")
    return render(request, "reporting/index.html", {
        "rows": rows, "label": period_label(start, end), "year": year, "period": request.GET.get("ky") or str(year),
        "fold": fold,
        "total": total, "trend": trend, "ranking": ranking, "ranked_more": len(ranked) > RANKED_MAX,
        **_summary(total, officer=is_officer(request.user), scope=None, start=start, end=end,
                   drill=may_list_dossiers(request.user, None))})


def transparency_unit(request, code: str):
    agency = agency_or_404(code)
    year = whole_number(request.GET.get("nam") or str(timezone.localdate().year))  # "２０２６" is not 2026 (core.digits)
    if year is None or not 2000 <= year <= 2100:
        return error(request, ValidationFailed("invalid_year", "Năm không hợp lệ."))
    lineage = request.GET.get("ke-thua") == "1"  # with the units merged into this one (reorganization)
    scope = f"{LINEAGE}{agency.code}" if lineage else agency.code
    months = indicators.monthly(year, scope)
    officer = is_officer(request.user)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    cover = indicators.coverage(start, end, scope)  # a unit a reorganization created or closed
    rows = [{"month": MONTHS[m - 1],
             "existence": existence_word(cover.lifetime.cover(*indicators.month_bounds(year, m))),
             "received": format_count(i["received"]),
             "online": format_count(i["received_online"]), "resolved": format_count(i["resolved"]),
             "on_time": format_percent(i.rates["on_time_rate"], 1), "late": format_count(i["resolved_late"]),
             "overdue": format_count(i["in_progress_overdue"]),
             "satisfaction": _satisfaction(i, officer)} for m, i in months]
    total = indicators.totals(start, end, scope)
    return render(request, "reporting/unit.html", {
        "agency": agency, "year": year, "rows": rows, "total": total, "years": [year - 1, year + 1],
        "existence": existence_note(cover),
        "chart": _trend(months, f"{agency.name}: hồ sơ tiếp nhận và giải quyết theo tháng năm {year}"),
        "lineage": lineage, "predecessors": predecessors(agency), "query": "&ke-thua=1" if lineage else "",
        "months_note": disclosure.NOTE if not officer and any(disclosure.withheld(i) for _, i in months) else "",
        **_summary(total, officer=officer, scope=scope, start=start, end=end,
                   drill=may_list_dossiers(request.user, scope))})


def _satisfaction(ind, officer: bool) -> str:
    rate = format_percent(ind.rates["satisfaction_rate"], 1)
    return rate if officer else disclosure.public_rate(ind, rate)
