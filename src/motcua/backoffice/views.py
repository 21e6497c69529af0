"""Officers' back office: counter queue, walk-in reception, processing inbox, dossier actions, dashboard."""

from __future__ import annotations

import datetime as dt
import uuid
from functools import wraps
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from motcua.accounts import twofactor
from motcua.accounts.permissions import has_role, is_officer, roles_of, staff_agencies_of
from motcua.audit.services import record_dossier_read, record_read
from motcua.catalog.models import Procedure
from motcua.catalog.services import search_procedures
from motcua.core.calendar import TZ
from motcua.core.cccd import is_valid_id_number
from motcua.core.errors import DomainError
from motcua.documents.services import issue_signed_result
from motcua.dossiers import lifecycle
from motcua.dossiers.access import can_view_dossier, visible_dossiers
from motcua.dossiers.models import Dossier, Status
from motcua.units.models import Agency
from motcua.web.display import TIMELINESS, form_rows
from motcua.web.files import attachment_response, list_attachments, slip_response, store_attachment
from motcua.web.pages import actor, page, show_domain_error

from . import charts
from .forms import ACTION_FORMS, TwoFactorForm, WalkInForm

PER_PAGE = 30
QUEUE_MAX = 200  # longest list a queue shows; the search page pages through the rest
IN_PROGRESS = [Status.RECEIVED, Status.PROCESSING, Status.PAUSED, Status.SUPPLEMENT_REQUESTED]
OPEN = [Status.SUBMITTED, *IN_PROGRESS, Status.APPROVED, Status.READY_FOR_RETURN]


def officer_required(view):
    """Signed in, holding an officer role, and past the second factor (TOTP) in this session."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_officer(request.user):
            return page(request, "backoffice/forbidden.html", {}, status=403)
        step = twofactor.needs_second_factor(request) if settings.MOTCUA_OFFICER_2FA else None
        if step is not None:
            target = "backoffice:twofa_enrol" if step == "enrol" else "backoffice:twofa_verify"
            return redirect(f"{reverse(target)}?next={quote(request.get_full_path())}")
        return view(request, *args, **kwargs)

    return wrapper


def _next_url(request):
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt.startswith("/can-bo/") and url_has_allowed_host_and_scheme(nxt, {request.get_host()}):
        return nxt
    return reverse("backoffice:home")


@login_required
def twofa_verify(request):
    """Second sign-in step for officers: the 6-digit code from the authenticator app (or a recovery code)."""
    if not is_officer(request.user):
        return page(request, "backoffice/forbidden.html", {}, status=403)
    step = twofactor.needs_second_factor(request)
    if step == "enrol":
        return redirect(f"{reverse('backoffice:twofa_enrol')}?next={quote(_next_url(request))}")
    if step is None:
        return redirect(_next_url(request))
    form = TwoFactorForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            twofactor.check(actor(request), form.cleaned_data["code"])
        except DomainError as err:
            form.add_error("code", err.message)
            status = err.status
        else:
            twofactor.mark_session_verified(request)
            return redirect(_next_url(request))
    elif request.method == "POST":
        status = 400
    return page(request, "backoffice/twofa_verify.html", {"form": form, "next": _next_url(request)}, status=status)


ENROL_SESSION = "motcua_2fa_enrolment"


@login_required
def twofa_enrol(request):
    """Officers turn on 2FA once: scan the QR code, type the first code, keep the recovery codes."""
    if not is_officer(request.user):
        return page(request, "backoffice/forbidden.html", {}, status=403)
    if twofactor.is_enabled(request.user):
        return redirect(_next_url(request))
    form = TwoFactorForm(request.POST or None)
    pending = request.session.get(ENROL_SESSION)
    status = 200
    if request.method == "POST" and pending and form.is_valid():
        try:
            codes = twofactor.confirm_enrolment(actor(request), form.cleaned_data["code"])
        except DomainError as err:
            form.add_error("code", err.message)
            status = err.status
        else:
            request.session.pop(ENROL_SESSION, None)
            twofactor.mark_session_verified(request)
            return page(request, "backoffice/twofa_codes.html", {"codes": codes, "next": _next_url(request)})
    elif request.method == "POST":
        status = 400
    if request.method == "GET" or not pending:
        enrolment = twofactor.start_enrolment(actor(request))
        pending = {"secret": enrolment.secret, "uri": enrolment.uri}
        request.session[ENROL_SESSION] = pending
    import segno

    qr = segno.make(pending["uri"], error="m").svg_inline(scale=4, title="Mã QR xác thực hai lớp")
    grouped = " ".join(pending["secret"][i:i + 4] for i in range(0, len(pending["secret"]), 4))
    return page(request, "backoffice/twofa_enrol.html", {"form": form, "qr": mark_safe(qr), "secret": grouped,
                                                         "next": _next_url(request)}, status=status)


def _ctx(request, **kw):
    kw.setdefault("area", "backoffice")
    kw["my_roles"] = sorted({ra.get_role_display() for ra in roles_of(request.user)})
    kw["is_counter"] = has_role(request.user, "counter_officer")
    return kw


def _bo_page(request, template, ctx=None, status=200):
    return page(request, template, _ctx(request, **(ctx or {})), status=status)


@officer_required
def home(request):
    if has_role(request.user, "counter_officer"):
        return redirect("backoffice:queue")
    return redirect("backoffice:inbox")


def _mine(request):
    return visible_dossiers(request.user).select_related("procedure", "agency", "current_agency",
                                                                   "current_step", "assignee")


@officer_required
def queue(request):
    """Counter officer: online dossiers to check, dossiers to forward, results to return."""
    agencies = staff_agencies_of(request.user)
    base = _mine(request).filter(agency_id__in=agencies) if agencies else _mine(request)
    return _bo_page(request, "backoffice/queue.html", {
        "to_check": base.filter(status=Status.SUBMITTED).order_by("submitted_at")[:QUEUE_MAX],
        "to_forward": base.filter(status=Status.RECEIVED).order_by("due_at")[:QUEUE_MAX],
        "to_return": base.filter(status=Status.READY_FOR_RETURN).order_by("due_at")[:QUEUE_MAX],
        "waiting": base.filter(status=Status.SUPPLEMENT_REQUESTED).order_by("due_at")[:QUEUE_MAX],
        "nav": "queue",
    })


@officer_required
def inbox(request):
    """My work: dossiers waiting for a step I can do, sorted by deadline (overdue first)."""
    user = request.user
    agencies = staff_agencies_of(user)
    my_role_names = {ra.role for ra in roles_of(user)}
    cond = Q(assignee=user) | Q(current_step__role__in=my_role_names, assignee__isnull=True)
    if "leader" in my_role_names:
        cond |= Q(status__in=[Status.APPROVED]) | Q(status=Status.PROCESSING, current_step__isnull=True)
    qs = (_mine(request).filter(status__in=[Status.PROCESSING, Status.PAUSED, Status.APPROVED])
          .filter(Q(current_agency_id__in=agencies) | Q(assignee=user)).filter(cond)
          .order_by("due_at", "received_at"))
    return _bo_page(request, "backoffice/inbox.html", {"rows": qs[:QUEUE_MAX], "now": timezone.now(), "nav": "inbox"})


@officer_required
def dossier_list(request):
    q = (request.GET.get("q") or "").strip()
    status = request.GET.get("status") or ""
    qs = _mine(request).order_by("-created_at")
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(applicant_name__icontains=q) | Q(applicant_id_number=q))
    if status:
        qs = qs.filter(status=status)
    pager = Paginator(qs, PER_PAGE)
    return _bo_page(request, "backoffice/dossier_list.html", {
        "page_obj": pager.get_page(request.GET.get("trang")), "q": q, "status": status,
        "statuses": Status.choices, "nav": "list"})


def _officer_dossier(request, pk):
    dossier = get_object_or_404(Dossier.objects.select_related("procedure", "agency", "current_agency",
                                                               "current_step", "assignee"), pk=pk)
    if not can_view_dossier(request.user, dossier):
        raise Http404("Không tìm thấy hồ sơ.")
    return dossier


def _officers_for(dossier):
    agency = dossier.current_agency or dossier.agency
    return get_user_model().objects.filter(role_assignments__agency=agency,
                                           role_assignments__role__in=["specialist", "department_head", "leader"]
                                           ).distinct().order_by("full_name")


def _action_form(action, dossier, data=None, files=None):
    cls = ACTION_FORMS.get(action)
    if cls is None:
        return None
    kwargs = {}
    if action == "request_supplement":
        kwargs["dossier"] = dossier
    if cls.__name__ == "NoteForm":
        kwargs["officers"] = _officers_for(dossier)
    if action == "return_result":
        kwargs["initial"] = {"method": dossier.return_method}
    return cls(data, files, **kwargs) if data is not None else cls(**kwargs)


@officer_required
def dossier_detail(request, pk, forms_override=None, status=None):
    dossier = _officer_dossier(request, pk)
    record_dossier_read(request.user, dossier, purpose="backoffice_view")
    actions = [a for a in lifecycle.allowed_actions(dossier, request.user) if a in ACTION_FORMS]
    forms = forms_override or {}
    action_forms = [(a, lifecycle.ACTION_LABELS.get(a, a), forms.get(a) or _action_form(a, dossier)) for a in actions]
    return _bo_page(request, "backoffice/dossier.html", {
        "d": dossier, "events": dossier.events.select_related("actor", "to_agency"),
        "attachments": list_attachments(dossier), "slips": dossier.slips.all(),
        "action_forms": action_forms, "open_action": next(iter(forms), None),
        "step_runs": dossier.step_runs.select_related("step", "agency", "assignee"),
        "timeliness": TIMELINESS.get(lifecycle.timeliness(dossier) or "", ""), "nav": "list",
        "form_rows": form_rows(dossier.procedure, dossier.form_data),
    }, status=status or (400 if forms else 200))


def _apply(action, dossier, user, form):
    c = form.cleaned_data if form is not None else {}
    if action == "receive":
        return lifecycle.receive(dossier, officer=user, digitized=c["digitized"])
    if action == "request_supplement":
        return lifecycle.request_supplement(dossier, officer=user, items=c["all_items"], reason=c["reason"])
    if action in ("refuse", "reject", "pause", "stop"):
        return getattr(lifecycle, action)(dossier, officer=user, reason=c["reason"])
    if action == "withdraw":
        return lifecycle.withdraw(dossier, by=user, reason=c["reason"])
    if action == "start_processing":
        return lifecycle.start_processing(dossier, officer=user, assignee=c.get("assignee"))
    if action == "complete_step":
        return lifecycle.complete_step(dossier, officer=user, note=c.get("note", ""), assignee=c.get("assignee"))
    if action == "return_from_agency":
        return lifecycle.return_from_agency(dossier, officer=user, note=c.get("note", ""))
    if action == "hand_over":
        return lifecycle.hand_over(dossier, officer=user, to_agency=c["to_agency"], note=c.get("note", ""))
    if action == "resume":
        return lifecycle.resume(dossier, officer=user)
    if action == "extend":
        return lifecycle.extend(dossier, officer=user, days=c["days"], reason=c["reason"])
    if action == "issue_apology":
        # The new appointment is the end of the chosen working day.
        new_due = dt.datetime.combine(c["new_due"], dt.time(17, 0), tzinfo=TZ)
        return lifecycle.issue_apology(dossier, officer=user, reason=c["reason"], new_due_at=new_due)
    if action == "approve":
        return lifecycle.approve(dossier, officer=user, summary=c.get("summary", ""))
    if action == "sign_result":
        # The transition checks the leader's right first; then the result PDF is signed (PAdES) with the
        # agency's certificate and filed in the applicant's repository — both or neither.
        signed = lifecycle.sign_result(dossier, officer=user, electronic=c["electronic"] or bool(c.get("result_file")),
                                       digitized=c["digitized"])
        if c.get("result_file"):
            issue_signed_result(signed, c["result_file"].read(), officer=user)
        return signed
    if action == "return_result":
        if c.get("result_file"):
            store_attachment(dossier, c["result_file"], by=user, kind="result")
        result = lifecycle.return_result(dossier, officer=user, method=c["method"])
        return result
    raise Http404("Thao tác không tồn tại.")


SUCCESS = {
    "receive": "Đã tiếp nhận hồ sơ; in Giấy tiếp nhận và hẹn trả kết quả.",
    "request_supplement": "Đã gửi Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ.",
    "refuse": "Đã từ chối tiếp nhận; in Phiếu từ chối.",
    "issue_apology": "Đã lập Phiếu xin lỗi và hẹn lại ngày trả kết quả.",
}


@officer_required
@require_POST
def dossier_action(request, pk, action):
    dossier = _officer_dossier(request, pk)
    if action not in ACTION_FORMS:
        raise Http404("Thao tác không tồn tại.")
    form = _action_form(action, dossier, request.POST, request.FILES)
    if form is not None and not form.is_valid():
        messages.error(request, "Vui lòng sửa các mục được đánh dấu.")
        return dossier_detail(request, pk, forms_override={action: form})
    try:
        with transaction.atomic():  # the transition and any file it carries, or nothing
            _apply(action, dossier, actor(request), form)
    except DomainError as err:
        show_domain_error(request, err)
        if form is not None:
            return dossier_detail(request, pk, forms_override={action: form}, status=err.status)
    else:
        messages.success(request, SUCCESS.get(action) or f"Đã thực hiện: {lifecycle.ACTION_LABELS.get(action, action)}.")
    return redirect("backoffice:dossier", pk=pk)


@officer_required
def dossier_slip(request, pk, kind, fmt):
    dossier = _officer_dossier(request, pk)
    if fmt not in ("pdf", "docx"):
        raise Http404("Định dạng không hỗ trợ.")
    if kind != "control_sheet" and not dossier.slips.filter(kind=kind).exists():
        raise Http404("Hồ sơ chưa có phiếu này.")
    return slip_response(request, dossier, kind, fmt)


@officer_required
def attachment(request, pk, att_id):
    dossier = _officer_dossier(request, pk)
    att = next((a for a in list_attachments(dossier) if a.pk == att_id), None)
    if att is None:
        raise Http404("Không tìm thấy tệp.")
    record_dossier_read(request.user, dossier, purpose="backoffice_attachment")
    return attachment_response(att)


# ---------------------------------------------------------------- walk-in reception

def _counter_agencies(user):
    ids = {ra.agency_id for ra in roles_of(user) if ra.role == "counter_officer" and ra.agency_id}
    return Agency.objects.filter(pk__in=ids)


@officer_required
def walk_in(request):
    if not has_role(request.user, "counter_officer"):
        return page(request, "backoffice/forbidden.html", _ctx(request), status=403)
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
            return _bo_page(request, "backoffice/_walkin_results.html", ctx)
        return _bo_page(request, "backoffice/walkin_pick.html", ctx)
    proc = get_object_or_404(Procedure, code=code, is_active=True)
    offering = agencies.filter(procedures=proc) if proc.agencies.exists() else agencies
    if request.method == "POST":
        form = WalkInForm(request.POST, procedure=proc, agencies=offering)
        if form.is_valid():
            try:
                dossier = lifecycle.receive_at_counter(
                    officer=actor(request), procedure=proc, agency=form.cleaned_data["agency"],
                    applicant_data=form.applicant_data(), form_data=form.form_data(),
                    channel=form.cleaned_data["channel"], digitized=form.cleaned_data["digitized"],
                    return_method=form.cleaned_data["return_method"],
                    idempotency_key=request.POST.get("idem") or None)
            except DomainError as err:
                form.add_error(None, err.message)
            else:
                messages.success(request, f"Đã tiếp nhận hồ sơ {dossier.code}. Hẹn trả kết quả ngày "
                                          f"{dossier.due_at.astimezone(TZ):%d/%m/%Y}. In Giấy tiếp nhận bên dưới.")
                return redirect("backoffice:dossier", pk=dossier.pk)
    else:
        form = WalkInForm(procedure=proc, agencies=offering)
    return _bo_page(request, "backoffice/walkin.html", {
        "p": proc, "form": form, "idem": request.POST.get("idem") or uuid.uuid4().hex, "nav": "walk_in",
        "no_agency": not offering.exists()}, status=400 if request.method == "POST" else 200)


@officer_required
def person_lookup(request):
    """Find a person by ID number among accounts and earlier dossiers; fills the applicant fields."""
    if not has_role(request.user, "counter_officer"):
        return page(request, "backoffice/forbidden.html", _ctx(request), status=403)
    number = (request.GET.get("applicant_id_number") or "").replace(" ", "")
    found = None
    if is_valid_id_number(number):
        user = get_user_model().objects.filter(id_number=number).first()
        if user is not None:
            found = {"applicant_name": user.full_name, "applicant_phone": user.phone,
                     "applicant_email": user.email, "applicant_address": user.address}
        else:
            last = Dossier.objects.filter(applicant_id_number=number).order_by("-created_at").first()
            if last is not None:
                found = {"applicant_name": last.applicant_name, "applicant_phone": last.applicant_phone,
                         "applicant_email": last.applicant_email, "applicant_address": last.applicant_address}
        if found:
            record_read(request.user, "person", number, ["full_name", "phone", "email", "address"],
                        purpose="walk_in_lookup")
    return _bo_page(request, "backoffice/_person.html", {"found": found, "number": number})


# ---------------------------------------------------------------- dashboard

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
    overdue = (base.filter(status__in=OPEN, due_at__lt=now).select_related("procedure", "current_agency", "assignee")
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
    return _bo_page(request, "backoffice/dashboard.html", {"kpi": kpi, "overdue": overdue, "chart": svg,
                                                           "nav": "dashboard", "today": today})
