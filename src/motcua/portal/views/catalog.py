"""Portal pages of the procedure catalog: home, search, one procedure with where to file it."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from motcua.catalog.models import Field, OnlineLevel, Procedure
from motcua.catalog.services import search_procedures
from motcua.core.text import fold
from motcua.units.models import Agency
from motcua.units.receiving import receiving_on
from motcua.units.reorganization import former_names
from motcua.web.closing import NOT_TAKING, closing_before_appointment
from motcua.web.pages import page

from ..forms import (
    SearchForm,
    TrackForm,
)

PER_PAGE = 20


def home(request):
    fields = sorted(Field.objects.annotate(n=Count("procedures", filter=Q(procedures__is_active=True))).filter(n__gt=0),
                    key=lambda f: fold(f.name))
    popular = Procedure.objects.filter(is_active=True).exclude(online_level=OnlineLevel.NONE).order_by("code")[:8]
    return page(request, "portal/home.html", {"fields": fields, "popular": popular, "form": SearchForm(),
                                              "track_form": TrackForm(), "nav": "home"})


def procedures(request):
    form = SearchForm(request.GET or None)
    results = Procedure.objects.none()
    if form.is_valid() or not request.GET:
        data = form.cleaned_data if request.GET else {}
        results = search_procedures(data.get("q", ""), field=data.get("field"), level=data.get("level") or None,
                                    online_level=data.get("online_level") or None)
        results = results.select_related("field")
    pager = Paginator(results, PER_PAGE)
    page_obj = pager.get_page(request.GET.get("trang"))
    query = request.GET.copy()
    query.pop("trang", None)
    ctx = {"form": form, "page_obj": page_obj, "query": query.urlencode(), "nav": "procedures"}
    if request.htmx and request.htmx.target == "ket-qua":
        return page(request, "portal/_procedure_results.html", ctx)
    return page(request, "portal/procedures.html", ctx)


def procedure_detail(request, code):
    proc = get_object_or_404(Procedure.objects.select_related("field"), code=code, is_active=True)
    agencies = list(receiving_agencies(proc))
    formerly = former_names(agencies)  # a commune merged away: the applicant still knows its name
    closing = closing_before_appointment(proc, agencies)  # dissolving ahead before a dossier filed now is due
    for agency in agencies:
        agency.formerly = formerly.get(agency.pk, "")
        agency.closing = closing[agency.pk].message if agency.pk in closing else ""
    return page(request, "portal/procedure_detail.html", {
        "p": proc, "components": proc.components.all(), "steps": proc.steps.all(),
        "agencies": agencies, "not_taking": NOT_TAKING, "nav": "procedures",
        "online": proc.online_level != OnlineLevel.NONE,
    })


def receiving_agencies(proc):
    """The agencies named for the procedure, else (it names none) every agency of the competent kind, as intake
    decides (dossiers.lifecycle.intake._check_offered): those receiving today (units.receiving: working, their unit
    not merged or dissolved)."""
    today = receiving_on(timezone.localdate())
    if proc.agencies.exists() or not proc.agency_kind:
        return proc.agencies.filter(today).select_related("admin_unit").order_by("name")
    return Agency.objects.filter(today, kind=proc.agency_kind).select_related("admin_unit").order_by("name")
