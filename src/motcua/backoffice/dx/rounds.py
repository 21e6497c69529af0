"""Reporting rounds (open, answer, remind), the province's roll-up dashboard, teams and activities, catalogues."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from motcua.core.digits import whole_number
from motcua.core.errors import DomainError
from motcua.transformation import permissions
from motcua.transformation.models import Activity, FundingSource, Plan, ReportingRound, TaskGroup
from motcua.transformation.services import catalogue, community, indicators, plans, rollup, rounds
from motcua.units.models import Agency
from motcua.units.receiving import receiving_on
from motcua.units.reorganization import predecessor_ids
from motcua.web.pages import actor

from ..views.common import officer_required
from . import charts
from .common import date_css, error_status, page, unit_or_404
from .forms import ActivityForm, RoundForm, TeamForm


@officer_required
def round_list(request):
    form = RoundForm(request.POST or None, initial={"year": timezone.localdate().year})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            c = form.cleaned_data
            units = (Agency.objects.filter(receiving_on(timezone.localdate()), kind__in=c["kinds"])
                     .select_related("admin_unit"))
            try:
                rnd = rounds.open_round(actor(request), title=c["title"], year=c["year"], deadline=c["deadline"],
                                        period_end=c["period_end"], reminder_days=c["reminder_days"], agencies=units)
            except DomainError as err:
                form.add_error(None, err.message)
                status = error_status(err)
            else:
                messages.success(request, f"Đã mở kỳ báo cáo \u201c{rnd.title}\u201d cho {rnd.responses.count()} đơn vị.")
                return redirect("backoffice:dx_round", pk=rnd.pk)
    items = list(ReportingRound.objects.all()[:50])
    for r in items:
        r.css = date_css(r.deadline) if r.status == r.OPEN else ""
    return page(request, "backoffice/dx/rounds.html", {"rounds": items, "form": form}, status=status)


def _responses(request, rnd):
    qs = rounds.with_closures(rnd.responses.select_related("agency__successor", "submitted_by", "merged_into",
                                                           "agency__admin_unit__replaced_by")
                              .order_by("status", "agency__code"))
    if permissions.reads_all(request.user):
        return qs
    return [r for r in qs if permissions.can_view_agency(request.user, r.agency)]


@officer_required
def round_detail(request, pk):
    rnd = get_object_or_404(ReportingRound, pk=pk)
    responses = _responses(request, rnd)
    for r in responses:
        r.can_answer = (permissions.can_edit_agency(request.user, r.agency) and rnd.status == rnd.OPEN
                        and rounds.answer_refusal(r) is None)  # merged or closed: «Xem» only
        r.name = rounds.shown_name(r)
    return page(request, "backoffice/dx/round.html", {
        "rnd": rnd, "responses": responses, "pending": [r for r in responses if r.state == "pending"],
        "expected": len(rounds.expected(responses)), "reported": sum(r.status == "submitted" for r in responses),
        "days_left": (rnd.deadline - timezone.localdate()).days, "deadline_css": date_css(rnd.deadline)})


def _province_acts_on_round(request, pk, act, done):
    """A provincial admin's button on a round's page: ``act(round)``, then the round's page with ``done(result)`` or
    the reason it was refused (a closed round)."""
    rnd = get_object_or_404(ReportingRound, pk=pk)
    if not permissions.is_provincial_admin(request.user):
        return page(request, "backoffice/forbidden.html", {}, status=403)
    try:
        result = act(rnd)
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, done(result))
    return redirect("backoffice:dx_round", pk=rnd.pk)


@officer_required
@require_POST
def round_remind(request, pk):
    return _province_acts_on_round(
        request, pk, lambda rnd: rounds.send_reminders(rnd=rnd),
        lambda n: f"Đã gửi {n} tin nhắc (SMS, thư điện tử) tới các đơn vị chưa báo cáo.")


@officer_required
@require_POST
def round_close(request, pk):
    return _province_acts_on_round(
        request, pk, lambda rnd: rounds.close_round(actor(request), rnd),
        lambda _rnd: "Đã đóng kỳ báo cáo: các đơn vị không gửi báo cáo và không nhận tin nhắc của kỳ này nữa.")


@officer_required
def round_answer(request, pk, code):
    """The indicator form of a round for one unit: targets for the round's period, task results, send."""
    rnd = get_object_or_404(ReportingRound, pk=pk)
    agency = unit_or_404(request, code)
    response = (rnd.responses.filter(agency=agency).select_related("agency__admin_unit__replaced_by", "merged_into")
                .first())
    if response is None:
        raise Http404("Đơn vị không thuộc kỳ báo cáo này.")
    response = rounds.with_closures([response])[0]
    plan = Plan.objects.filter(agency=agency, year=rnd.year, kind=Plan.PLAN).first()
    status = 200
    if request.method == "POST":
        try:
            rounds.submit_response(actor(request), rnd, agency)
        except DomainError as err:
            messages.error(request, err.message)
            status = error_status(err)
        else:
            messages.success(request, f"Đã gửi báo cáo của {agency.name}.")
            return redirect("backoffice:dx_round", pk=rnd.pk)
    measured = indicators.measure_targets(plan, rnd.period_start, rnd.period_end) if plan else []
    tasks = list(plan.tasks.select_related("section").order_by("order")) if plan else []
    for t in tasks:
        t.state = plans.task_state(t, rnd.period_end)[1]
    return page(request, "backoffice/dx/answer.html", {
        "rnd": rnd, "agency": agency, "response": response, "plan": plan, "measured": measured, "tasks": tasks,
        "can_answer": permissions.can_edit_agency(request.user, agency) and rnd.status == rnd.OPEN
        and rounds.answer_refusal(response) is None}, status=status)


def _year(request) -> int:
    year = whole_number(request.GET.get("nam"))
    return year if year is not None and 2000 <= year <= 2100 else timezone.localdate().year


@officer_required
def dashboard(request):
    """Province roll-up of a year: totals, budget by group and source, every unit's progress, round answers."""
    year = _year(request)
    up = rollup.rollup_year(permissions.visible_plans(request.user), year)
    rnd = ReportingRound.objects.filter(year=year).order_by("-deadline").first()
    answers = {r.agency_id: r for r in rounds.with_closures(
        rnd.responses.select_related("agency__admin_unit__replaced_by"))} if rnd else {}
    missing = [r for r in answers.values() if r.state == "pending" and permissions.can_view_agency(
        request.user, r.agency)] if rnd else []
    # the rows the viewer may see (the totals and charts count every task of the plans they see, as in the API)
    rows = permissions.visible_rows(request.user, up.rows)
    for row in rows:
        row.answer = answers.get(row.agency.pk)
    return page(request, "backoffice/dx/dashboard.html", {
        "year": year, "up": up, "rows": rows, "rnd": rnd, "answers": answers, "missing": sorted(missing, key=lambda r: r.agency.code),
        "group_chart": charts.bars("Kinh phí theo nhóm nhiệm vụ (triệu đồng)", up.by_group),
        "source_chart": charts.bars("Kinh phí theo nguồn vốn (triệu đồng)", up.by_source)})


@officer_required
def community_page(request):
    visible = permissions.visible_agencies(request.user)
    code = request.GET.get("don-vi") or request.POST.get("don-vi")
    if code:
        agency = visible.filter(code=code).first()
    else:  # the unit they keep the teams of; else the one unit they read; else they choose (a province-wide reader)
        agency = (permissions.editable_agencies(request.user).order_by("code").first()
                  or (visible.first() if visible.count() == 1 else None))
        if agency is None and visible.exists():
            return page(request, "backoffice/dx/community.html", {
                "agency": None, "agencies": visible.order_by("code")[:500], "year": _year(request)})
    if agency is None:
        return page(request, "backoffice/forbidden.html", {}, status=403)
    team_form, act_form, status = TeamForm(prefix="to"), ActivityForm(prefix="hd"), 200
    if request.method == "POST":
        which = request.POST.get("loai")
        form = TeamForm(request.POST, prefix="to") if which == "to" else ActivityForm(request.POST, prefix="hd")
        status = 422
        if form.is_valid():
            try:
                if which == "to":
                    community.add_team(actor(request), agency, **form.cleaned_data)
                else:
                    community.add_activity(actor(request), agency, **form.cleaned_data)
            except DomainError as err:
                form.add_error(None, err.message)
                status = error_status(err)
            else:
                messages.success(request, "Đã lưu.")
                return redirect(f"{request.path}?don-vi={agency.code}")
        team_form, act_form = (form, act_form) if which == "to" else (team_form, form)
    year = _year(request)
    counts = community.total([agency.pk], dt.date(year, 1, 1), dt.date(year, 12, 31))
    return page(request, "backoffice/dx/community.html", {
        "agency": agency, "agencies": visible.order_by("code")[:500], "year": year, "counts": counts,
        "teams": community.teams_of(agency), "team_form": team_form,
        "act_form": act_form,
        # the units it took over in a merger: their trainings stay theirs, read here (their teams moved)
        "activities": Activity.objects.filter(agency_id__in={agency.pk} | predecessor_ids([agency.pk]))
        .select_related("agency")[:200],
        "editable": permissions.can_edit_agency(request.user, agency)}, status=status)


@officer_required
def catalogue_page(request):
    """Task groups and funding sources: everyone reads them, the provincial admin edits them."""
    status, typed = 200, {}
    if request.method == "POST":
        p = request.POST
        try:
            if p.get("loai") == "nguon":
                catalogue.save_source(actor(request), code=p.get("code", ""), name=p.get("name", ""),
                                      aliases=p.get("aliases", ""), order=p.get("order"),
                                      is_active=p.get("is_active") == "on", pk=_int(p.get("pk")))
            else:
                catalogue.save_group(actor(request), code=p.get("code", ""), name=p.get("name", ""),
                                     framework=p.get("framework", ""), aliases=p.get("aliases", ""),
                                     order=p.get("order"), is_active=p.get("is_active") == "on",
                                     pk=_int(p.get("pk")))
        except DomainError as err:
            messages.error(request, err.message)
            status = error_status(err)
            # refused: the entry as typed, in its form, to correct
            typed = {"source" if p.get("loai") == "nguon" else "group": {
                k: p.get(k, "") for k in ("pk", "code", "name", "framework", "aliases", "order")} | {
                "is_active": p.get("is_active") == "on"}}
        else:
            messages.success(request, "Đã lưu danh mục.")
            return redirect("backoffice:dx_catalogue")
    groups, sources = TaskGroup.objects.all(), FundingSource.objects.all()
    # «Sửa» on a row: the form holds that entry as it is, so saving changes only what is retyped (its other names,
    # framework and state were cleared by a save that did not repeat them)
    for kind, rows, asked in (("group", groups, request.GET.get("sua-nhom")),
                              ("source", sources, request.GET.get("sua-nguon"))):
        entry = next((e for e in rows if asked and e.code == asked), None)
        if entry is not None and kind not in typed:
            typed[kind] = {"pk": entry.pk, "code": entry.code, "name": entry.name, "aliases": entry.aliases,
                           "framework": getattr(entry, "framework", ""), "order": entry.order,
                           "is_active": entry.is_active}
    return page(request, "backoffice/dx/catalogue.html", {
        "groups": groups, "sources": sources, "group_edit": typed.get("group"), "source_edit": typed.get("source"),
        "can_edit": permissions.is_provincial_admin(request.user)}, status=status)


def _int(value):
    """The id of the catalogue entry the form edits (none: a new one). One that is no number names no entry: -1,
    which the catalogue answers "not found" in its own words."""
    if value in (None, ""):
        return None
    number = whole_number(value)
    return number if number is not None else -1
