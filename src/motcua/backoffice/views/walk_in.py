"""Walk-in reception at the counter: choose the procedure, look the person up, receive the dossier."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from motcua.accounts.models import Role
from motcua.accounts.permissions import has_role, roles_of
from motcua.audit.services import record_read
from motcua.catalog.models import Procedure
from motcua.catalog.services import search_procedures
from motcua.core.calendar import TZ
from motcua.core.cccd import is_valid_id_number
from motcua.core.errors import DomainError
from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier, DossierSearchEntry
from motcua.integrations import population
from motcua.units.models import Agency
from motcua.units.receiving import receiving_on
from motcua.web.pages import actor, page

from ..forms import WalkInForm
from .common import bo_page, officer_required, page_context


def _counter_agencies(user):
    ids = {ra.agency_id for ra in roles_of(user) if ra.role == Role.COUNTER_OFFICER and ra.agency_id}
    return Agency.objects.filter(receiving_on(timezone.localdate()), pk__in=ids)  # units.receiving


@officer_required
def walk_in(request):
    if not has_role(request.user, Role.COUNTER_OFFICER):
        return page(request, "backoffice/forbidden.html", page_context(request), status=403)
    agencies = _counter_agencies(request.user)
    code = request.GET.get("thu_tuc") or request.POST.get("thu_tuc")
    if not code:
        q = request.GET.get("q", "")
        results = search_procedures(q)
        if agencies:
            offered = results.filter(agencies__in=agencies).distinct()
            results = offered if offered.exists() or not q else results
        ctx = {"q": q, "results": results[:30], "nav": "walk_in"}
        if request.htmx:
            return bo_page(request, "backoffice/_walkin_results.html", ctx)
        return bo_page(request, "backoffice/walkin_pick.html", ctx)
    proc = get_object_or_404(Procedure, code=code, is_active=True)
    offering = agencies.filter(procedures=proc) if proc.agencies.exists() else agencies
    if request.method == "POST":
        form = WalkInForm(request.POST, procedure=proc, agencies=offering, moment=timezone.now())
        if form.is_valid():
            try:
                applicant = form.applicant_data()
                applicant["population_checked"] = population.checked_by(request.user, applicant["id_number"])
                dossier = lifecycle.receive_at_counter(
                    officer=actor(request), procedure=proc, agency=form.cleaned_data["agency"],
                    applicant_data=applicant, form_data=form.form_data(),
                    channel=form.cleaned_data["channel"],
                    return_method=form.cleaned_data["return_method"],
                    idempotency_key=request.POST.get("idem") or None, at=form.moment,
                    off_day_reason=form.cleaned_data["off_day_reason"])
            except DomainError as err:
                form.add_error(None, err.message)
            else:
                messages.success(request, f"Đã tiếp nhận hồ sơ {dossier.code}. Hẹn trả kết quả ngày "
                                          f"{dossier.due_at.astimezone(TZ):%d/%m/%Y}. In Giấy tiếp nhận bên dưới; "
                                          "quét giấy tờ để số hóa từng thành phần.")
                return redirect("backoffice:dossier", pk=dossier.pk)
    else:
        form = WalkInForm(procedure=proc, agencies=offering)
    return bo_page(request, "backoffice/walkin.html", {
        "p": proc, "form": form, "idem": request.POST.get("idem") or uuid.uuid4().hex, "nav": "walk_in",
        "no_agency": not offering.exists()}, status=400 if request.method == "POST" else 200)


@require_POST
@officer_required
def person_lookup(request):
    """Find a person by ID number: the National Population Database where connected, else accounts and earlier
    dossiers; fills the applicant fields. A POST: the number stays out of URLs (access logs, proxies)."""
    if not has_role(request.user, Role.COUNTER_OFFICER):
        return page(request, "backoffice/forbidden.html", page_context(request), status=403)
    number = (request.POST.get("applicant_id_number") or "").replace(" ", "")
    found, source = None, ""
    if is_valid_id_number(number):
        user = get_user_model().objects.filter(id_number=number).first()
        person = _from_population(number, request.user)
        if person is not None:
            population.remember_checked(request.user, number)
            found = {"applicant_name": person["full_name"], "applicant_address": person["current_address"]
                     or person["permanent_address"]}
            if user is not None:
                found.update(applicant_phone=user.phone, applicant_email=user.email)
            source = "population"
        elif user is not None:
            found = {"applicant_name": user.full_name, "applicant_phone": user.phone,
                     "applicant_email": user.email, "applicant_address": user.address}
        else:
            last = Dossier.objects.filter(DossierSearchEntry.with_id_number(number)).order_by("-created_at").first()
            if last is not None:
                found = {"applicant_name": last.applicant_name, "applicant_phone": last.applicant_phone,
                         "applicant_email": last.applicant_email, "applicant_address": last.applicant_address}
        if found:
            record_read(request.user, "person", number, ["full_name", "phone", "email", "address"],
                        purpose="walk_in_lookup")
    return bo_page(request, "backoffice/_person.html", {"found": found, "number": number, "source": source})


def _from_population(number: str, officer) -> dict | None:
    """The person's residence data from the National Population Database, or None (not connected, not found,
    not answering, the officer's daily limit reached: the officer types the data)."""
    try:
        return population.lookup(number, by=officer)
    except DomainError:
        return None
