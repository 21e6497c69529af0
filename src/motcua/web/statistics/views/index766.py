"""The Decision 766 index of the province or a unit, its five groups as a chart, and for each sub-indicator the
dossiers, procedures or feedback items that cost points."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.views import redirect_to_login
from django.http import Http404

from motcua.accounts.permissions import is_officer
from motcua.core.errors import DomainError
from motcua.core.money import format_number
from motcua.reporting import decision766, disclosure
from motcua.reporting.access import check_scope
from motcua.reporting.continuity import LINEAGE
from motcua.reporting.indicators import period_label
from motcua.reporting.scopes import parse_scope
from motcua.web import charts

from .common import agencies, error, may_list_dossiers, own_unit, period_from, render, scope_name

KIND_LABELS = {"dossiers": "hồ sơ", "procedures": "thủ tục", "feedback": "phản ánh, kiến nghị"}


def _query(request, scope) -> str:
    g = request.GET
    parts = [f"tu={g['tu']}&den={g['den']}"] if g.get("tu") and g.get("den") else [f"ky={g.get('ky', '')}"]
    if scope:
        parts.append(f"don-vi={scope}")
    return "&".join(p for p in parts if not p.endswith("="))


def index766(request):
    try:
        start, end = period_from(request)
        # Opened from the menu (no unit asked for), an officer of one commune sees that commune, whose lists they may
        # open; the form's «Toàn tỉnh» asks for the province (don-vi empty).
        scope = request.GET.get("don-vi") if "don-vi" in request.GET else own_unit(request.user)
        scope = scope or None
        if scope and request.GET.get("ke-thua") == "1" and not scope.startswith(LINEAGE):
            scope = f"{LINEAGE}{scope}"  # with the units merged into it (reorganization), as reports offer
        scope = parse_scope(scope)  # a unit that does not exist: its message, not an empty index
        result = decision766.evaluate(start, end, scope)
    except DomainError as exc:
        return error(request, exc)
    if not is_officer(request.user):  # a visitor reads no figure that tells a handful of ratings apart
        result = disclosure.public_index(result)
    chart = _scaled_groups(result)
    for g in result["groups"]:
        g["score_text"] = disclosure.WITHHELD if g["score"] is None else f"{format_number(g['score'], 2)} điểm"
    return render(request, "reporting/index766.html", {
        "result": result, "label": period_label(start, end), "scope": scope or "", "scope_name": scope_name(scope),
        # the dossiers and feedback behind a figure: a link only for whom the list opens (procedures: for everyone)
        "lists": (lists := may_list_dossiers(request.user, scope)),
        "own": _own_unit_link(request, scope) if not lists else None,
        "agencies": agencies(scope), "unit": (scope or "").removeprefix(LINEAGE),
        "lineage": bool(scope and scope.startswith(LINEAGE)), "period": request.GET.get("ky") or str(start.year), "query": _query(request, scope),
        "score": format_number(result["score"], 2) if result["score"] is not None else None,
        "measured_max": format_number(result["measured_max"], 0),
        "score_100": format_number(result["score_100"] or 0, 2), "withheld": disclosure.WITHHELD,
        "no_data": decision766.NO_DATA, "chart": chart,
        **{k: dt.date.fromisoformat(result[k]) if result[k] else None for k in ("counted_from", "counted_until")},
        "nav": "index766"})


def _own_unit_link(request, scope) -> tuple[str, str] | None:
    """(unit name, query) of the page at the officer's own unit, where the lists behind its figures open."""
    own = own_unit(request.user)
    if own is None or (scope or "").removeprefix(LINEAGE) == own:
        return None
    query = request.GET.copy()
    query["don-vi"] = own
    query.pop("ke-thua", None)
    return scope_name(own), query.urlencode()


def _scaled_groups(result) -> str:
    """Each group's points against its maximum (bars scaled to the group's own maximum)."""
    return charts.ranked_bars(
        [(f"{g['code']}. {g['name']}", g["score"] * 100 / g["max"] if g["max"] else 0,
          f"{format_number(g['score'], 2)}/{g['max']} điểm") if g["score"] is not None else
         (f"{g['code']}. {g['name']}", 0, disclosure.WITHHELD) for g in result["groups"]],
        maximum=100, colour="#0b4f9c", title="Điểm năm nhóm chỉ số phục vụ người dân, doanh nghiệp")


def loss766(request, code: str):
    item = decision766.indicator(code)
    if item is None:
        raise Http404("Không có chỉ số này.")
    try:
        start, end = period_from(request)
        scope = parse_scope(request.GET.get("don-vi"))
        score, found = decision766.score_and_losses(code, start, end, scope)
        if found.kind != "procedures":  # dossiers and feedback are for the unit's officers
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            check_scope(request.user, scope)
    except DomainError as exc:
        return error(request, exc)
    return render(request, "reporting/loss766.html", {
        "item": item, "score": score, "loss": found, "kind": KIND_LABELS[found.kind], "label": period_label(start, end),
        "scope": scope or "", "scope_name": scope_name(scope), "query": _query(request, scope), "nav": "index766"})
