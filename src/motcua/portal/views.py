"""Citizen portal: find a procedure, sign up / in, submit online, track, get the result, rate, give feedback."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from motcua.accounts.permissions import is_officer
from motcua.accounts.services import register_citizen
from motcua.audit.services import record_dossier_read
from motcua.catalog.models import Field, OnlineLevel, Procedure
from motcua.catalog.services import search_procedures
from motcua.core.errors import DomainError
from motcua.core.text import fold
from motcua.documents.services import reuse_in_dossier, reuse_suggestions
from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier, Status
from motcua.engagement import services as engagement
from motcua.engagement.models import Feedback, FeedbackStatus, SatisfactionRating
from motcua.payments.services import create_payment, payment_pending
from motcua.units.models import Agency
from motcua.web.display import form_rows
from motcua.web.files import (
    attachment_response,
    attachments_by_component,
    list_attachments,
    slip_response,
    store_attachment,
)
from motcua.web.pages import actor, client_ip, page, show_domain_error

from .forms import (
    FeedbackForm,
    LoginForm,
    RatingForm,
    SearchForm,
    SignupForm,
    SubmitForm,
    SupplementForm,
    TrackForm,
    prefill_from_account,
)

PER_PAGE = 20
TRACK_LIMIT = 10  # failed look-ups per IP (and per code) in TRACK_WINDOW seconds
TRACK_WINDOW = 15 * 60
FINAL_FOR_RATING = {Status.RETURNED, Status.REFUSED, Status.REJECTED}
NOT_PAYABLE = {Status.DRAFT, Status.REFUSED, Status.REJECTED, Status.WITHDRAWN, Status.STOPPED}
PAY_AT_COUNTER = "Bạn có thể nộp phí, lệ phí trực tiếp tại Bộ phận Một cửa khi nhận kết quả."


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
    return page(request, "portal/procedure_detail.html", {
        "p": proc, "components": proc.components.all(), "steps": proc.steps.all(),
        "agencies": _receiving_agencies(proc), "nav": "procedures",
        "online": proc.online_level != OnlineLevel.NONE,
    })


def _receiving_agencies(proc):
    """The agencies named for the procedure, else every active agency of the competent kind."""
    named = proc.agencies.filter(is_active=True)
    if named.exists() or not proc.agency_kind:
        return named.order_by("name")
    return Agency.objects.filter(kind=proc.agency_kind, is_active=True).order_by("name")


# ---------------------------------------------------------------- accounts

def _safe_next(request, default="portal:my_dossiers"):
    nxt = request.POST.get("next") or request.GET.get("next")
    if nxt and url_has_allowed_host_and_scheme(nxt, {request.get_host()}, require_https=request.is_secure()):
        return nxt
    return default


def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"].strip()
        by_id = get_user_model().objects.filter(id_number=username).values_list("username", flat=True).first()
        user = authenticate(request, username=by_id or username, password=form.cleaned_data["password"])
        if user is None:
            form.add_error(None, "Tên đăng nhập hoặc mật khẩu không đúng.")
        else:
            login(request, user)
            messages.success(request, f"Xin chào {user}.")
            default = "backoffice:home" if is_officer(user) else "portal:my_dossiers"
            return redirect(_safe_next(request, default))
    return page(request, "portal/login.html", {"form": form, "next": request.GET.get("next", ""), "nav": "login"},
                status=400 if form.errors else 200)


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, "Bạn đã đăng xuất.")
    return redirect("portal:home")


def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user = register_citizen(username=d["username"], password=d["password"], full_name=d["full_name"],
                                    id_number=d["id_number"], phone=d["phone"], email=d.get("email", ""))
        except DomainError as err:
            placed = False
            for key, msg in (err.details or {}).items():
                if key in form.fields and isinstance(msg, str):
                    form.add_error(key, msg)
                    placed = True
            if not placed:
                form.add_error(None, err.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Đăng ký tài khoản thành công.")
            return redirect(_safe_next(request, "portal:my_dossiers"))
    return page(request, "portal/signup.html", {"form": form, "nav": "signup"}, status=400 if form.errors else 200)


# ---------------------------------------------------------------- online submission

def _draft_for(request, proc):
    draft_id = request.GET.get("nhap") or request.POST.get("draft")
    if not draft_id:
        return None
    return get_object_or_404(Dossier, pk=draft_id, applicant=request.user, status=Status.DRAFT, procedure=proc)


def _initial(user, proc, draft):
    if draft is not None:
        init = {k: getattr(draft, k) for k in ("applicant_name", "applicant_id_number", "applicant_phone",
                                              "applicant_email", "applicant_address", "return_method")}
        init["agency"] = draft.agency_id
        init.update({f"f_{k}": v for k, v in (draft.form_data or {}).items()})
        return init
    return {"applicant_name": user.full_name or user.get_full_name(), "applicant_id_number": user.id_number,
            "applicant_phone": user.phone, "applicant_email": user.email, "applicant_address": user.address,
            **prefill_from_account(proc.form_schema, user)}


@login_required
def submit(request, code):
    proc = get_object_or_404(Procedure, code=code, is_active=True)
    if proc.online_level == OnlineLevel.NONE:
        messages.warning(request, "Thủ tục này chưa cung cấp dịch vụ công trực tuyến; vui lòng nộp tại Bộ phận Một cửa.")
        return redirect("portal:procedure", code=code)
    agencies = _receiving_agencies(proc)
    draft = _draft_for(request, proc)
    stored = attachments_by_component(draft) if draft else {}
    vault = _vault_suggestions(proc, actor(request))
    if request.method == "POST":
        drafting = request.POST.get("action") == "draft"
        form = SubmitForm(request.POST, request.FILES, procedure=proc, agencies=agencies, stored_files=stored,
                          drafting=drafting, vault=vault)
        if form.is_valid():
            result = _save_submission(request, proc, form, draft, drafting)
            if result is not None:
                return result
    else:
        form = SubmitForm(initial=_initial(request.user, proc, draft), procedure=proc, agencies=agencies,
                          stored_files=stored, vault=vault)
    if not agencies:
        messages.warning(request, "Thủ tục chưa được gán cơ quan tiếp nhận trực tuyến.")
    return page(request, "portal/submit.html", {"p": proc, "form": form, "draft": draft, "nav": "procedures",
                                                "idem": request.POST.get("idem") or uuid.uuid4().hex},
                status=400 if form.errors or (request.method == "POST") else 200)


def _vault_suggestions(procedure, user) -> dict:
    """component pk -> the person's own valid repository items that fit it (Decree 45/2020: provide once)."""
    if not getattr(user, "id_number", ""):
        return {}
    try:
        rows = reuse_suggestions(procedure, user.id_number, requester=user)
    except DomainError:
        return {}
    return {row["component"].pk: row["items"] for row in rows if row["items"]}


def _save_submission(request, proc, form, draft, drafting):
    agency = form.cleaned_data.get("agency") or (draft.agency if draft else None)
    kwargs = {"applicant": actor(request), "procedure": proc, "agency": agency,
              "applicant_data": form.applicant_data(), "form_data": form.form_data()}
    if drafting and agency is None:
        form.add_error("agency", "Vui lòng chọn nơi nộp hồ sơ.")
        return None
    try:
        with transaction.atomic():  # the dossier and its files, or nothing
            if drafting:
                dossier = lifecycle.save_draft(**kwargs, dossier=draft)
            else:
                dossier = lifecycle.submit_online(**kwargs, return_method=form.cleaned_data["return_method"],
                                                  idempotency_key=request.POST.get("idem") or None, draft=draft)
            for name in form.component_names:
                upload = form.cleaned_data.get(name)
                if upload:
                    store_attachment(dossier, upload, by=actor(request),
                                              component=form.fields[name].component)
            for item, comp in form.reused_items():
                reuse_in_dossier(item, dossier, actor=actor(request), component=comp)
    except DomainError as err:
        form.add_error(None, err.message)
        return None
    if drafting:
        messages.success(request, "Đã lưu bản nháp. Bạn có thể quay lại hoàn thiện và nộp sau.")
        return redirect(f"{request.path}?nhap={dossier.pk}")
    messages.success(request, f"Đã nộp hồ sơ {dossier.code or ''}. Cơ quan sẽ kiểm tra và tiếp nhận trong 8 giờ làm việc.")
    return redirect("portal:dossier", pk=dossier.pk)


# ---------------------------------------------------------------- my dossiers

@login_required
def my_dossiers(request):
    qs = Dossier.objects.filter(applicant=request.user).select_related("procedure", "agency").order_by("-created_at")
    pager = Paginator(qs, PER_PAGE)
    return page(request, "portal/my_dossiers.html", {"page_obj": pager.get_page(request.GET.get("trang")),
                                                     "nav": "mine"})


def _own_dossier(request, pk):
    dossier = get_object_or_404(Dossier.objects.select_related("procedure", "agency", "current_agency"), pk=pk)
    if dossier.applicant_id != request.user.pk:
        raise Http404("Không tìm thấy hồ sơ.")
    return dossier


def _existing_rating(dossier):
    return SatisfactionRating.objects.filter(dossier=dossier).first()


@login_required
def dossier_detail(request, pk):
    dossier = _own_dossier(request, pk)
    return page(request, "portal/dossier.html", {
        "d": dossier, "events": dossier.events.all(), "attachments": list_attachments(dossier),
        "supplements": dossier.supplement_requests.all(), "slips": dossier.slips.all(),
        "rating_form": RatingForm(), "rating": _existing_rating(dossier),
        "can_rate": dossier.status in FINAL_FOR_RATING, "supplement_form": SupplementForm(), "nav": "mine",
        "has_result": dossier.status == Status.RETURNED, "form_rows": form_rows(dossier.procedure, dossier.form_data),
        "can_pay": _can_pay(dossier),
        "payment_pending": bool(dossier.fee_vnd) and not dossier.fee_paid_online and payment_pending(dossier),
    })


def _can_pay(dossier) -> bool:
    return bool(dossier.fee_vnd) and not dossier.fee_paid_online and dossier.status not in NOT_PAYABLE


@login_required
@require_POST
def pay(request, pk):
    """Start (or resume) the online payment of the fee and send the citizen to the gateway's page."""
    dossier = _own_dossier(request, pk)
    if dossier.fee_paid_online:
        messages.info(request, "Phí, lệ phí của hồ sơ này đã được thanh toán trực tuyến.")
        return redirect("portal:dossier", pk=pk)
    if not _can_pay(dossier):
        messages.error(request, "Hồ sơ này không có khoản phí, lệ phí cần thanh toán trực tuyến.")
        return redirect("portal:dossier", pk=pk)
    return_url = request.build_absolute_uri(reverse("portal:payment_return", args=[pk]))
    try:
        payment = create_payment(dossier, by=actor(request), return_url=return_url)
    except DomainError as err:
        if err.code == "already_paid":
            messages.info(request, err.message)
        else:  # no gateway configured, gateway down or refusing: never a 500, say where else to pay
            messages.error(request, f"Chưa thanh toán trực tuyến được. {err.message} {PAY_AT_COUNTER}")
        return redirect("portal:dossier", pk=pk)
    if not payment.payment_url.startswith(("https://", "http://")):
        messages.error(request, f"Cổng thanh toán không trả về trang thanh toán. {PAY_AT_COUNTER}")
        return redirect("portal:dossier", pk=pk)
    return redirect(payment.payment_url)


@login_required
def payment_return(request, pk):
    """Where the gateway sends the citizen back (the return_url given when the payment was created).

    Nothing in the query string is trusted: only the gateway's signed callback marks the fee paid.
    """
    dossier = _own_dossier(request, pk)
    if dossier.fee_paid_online:
        messages.success(request, "Đã thanh toán trực tuyến phí, lệ phí. Cảm ơn bạn.")
    else:
        messages.info(request, "Cổng thanh toán chưa báo kết quả giao dịch. Trang hồ sơ sẽ cập nhật khi cổng "
                               "xác nhận; nếu bạn đã trả tiền, không cần thanh toán lại.")
    return redirect("portal:dossier", pk=pk)


@login_required
def dossier_slip(request, pk, kind, fmt):
    dossier = _own_dossier(request, pk)
    if fmt not in ("pdf", "docx") or not dossier.slips.filter(kind=kind).exists():
        raise Http404("Hồ sơ chưa có phiếu này.")
    return slip_response(request, dossier, kind, fmt)


@login_required
def dossier_result(request, pk):
    """The result as issued: the electronic result file if the agency attached one, else the result notice."""
    dossier = _own_dossier(request, pk)
    if dossier.status != Status.RETURNED:
        raise Http404("Hồ sơ chưa có kết quả.")
    record_dossier_read(request.user, dossier, purpose="citizen_result_download")
    result = [a for a in list_attachments(dossier) if a.kind == "result"]
    if result and request.GET.get("tai") == "1":
        return attachment_response(result[-1])
    return page(request, "portal/result.html", {"d": dossier, "nav": "mine", "result_file": result[-1] if result else None})


@login_required
def attachment(request, pk, att_id):
    dossier = _own_dossier(request, pk)
    att = next((a for a in list_attachments(dossier) if a.pk == att_id), None)
    if att is None:
        raise Http404("Không tìm thấy tệp.")
    return attachment_response(att)


@login_required
@require_POST
def rate(request, pk):
    dossier = _own_dossier(request, pk)
    form = RatingForm(request.POST)
    if dossier.status not in FINAL_FOR_RATING:
        messages.error(request, "Chỉ đánh giá được khi hồ sơ đã có kết quả.")
    elif not form.is_valid():
        messages.error(request, "Vui lòng chọn mức độ hài lòng.")
    else:
        try:
            _save_rating(actor(request), dossier, form.cleaned_data["satisfied"], form.scores(),
                         form.cleaned_data["comment"])
        except DomainError as err:
            show_domain_error(request, err)
        else:
            messages.success(request, "Cảm ơn bạn đã đánh giá mức độ hài lòng.")
    return redirect("portal:dossier", pk=pk)


def _save_rating(user, dossier, satisfied, scores, comment):
    return engagement.submit_rating(user, dossier, satisfied, scores=scores, comment=comment)


@login_required
@require_POST
def provide_supplement(request, pk):
    dossier = _own_dossier(request, pk)
    form = SupplementForm(request.POST, request.FILES)
    if not form.is_valid():
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, e)
        return redirect("portal:dossier", pk=pk)
    try:
        with transaction.atomic():
            lifecycle.provide_supplement(dossier, by=actor(request))
            store_attachment(dossier, form.cleaned_data["files"], by=actor(request))
    except DomainError as err:
        show_domain_error(request, err)
    else:
        messages.success(request, "Đã gửi hồ sơ bổ sung.")
    return redirect("portal:dossier", pk=pk)


@login_required
@require_POST
def withdraw(request, pk):
    dossier = _own_dossier(request, pk)
    reason = (request.POST.get("reason") or "").strip()
    if not reason:
        messages.error(request, "Vui lòng nêu lý do rút hồ sơ.")
        return redirect("portal:dossier", pk=pk)
    try:
        lifecycle.withdraw(dossier, by=actor(request), reason=reason)
    except DomainError as err:
        show_domain_error(request, err)
    else:
        messages.success(request, "Đã rút hồ sơ.")
    return redirect("portal:dossier", pk=pk)


# ---------------------------------------------------------------- public tracking

def _throttle_keys(request, code):
    return [f"track:ip:{client_ip(request)}", f"track:code:{code}"]


def track(request):
    """Public tracking. POST only for the look-up: the 4 digits never appear in a URL or an access log."""
    posted = request.method == "POST"
    form = TrackForm(request.POST) if posted else TrackForm()
    dossier = None
    status = 200
    if posted and form.is_valid():
        code, secret = form.cleaned_data["code"], form.cleaned_data["secret"]
        keys = _throttle_keys(request, code)
        if any((cache.get(k) or 0) >= TRACK_LIMIT for k in keys):
            form.add_error(None, "Bạn đã tra cứu sai quá nhiều lần. Vui lòng thử lại sau 15 phút.")
            status = 429
        else:
            dossier = (Dossier.objects.select_related("procedure", "agency", "current_agency")
                       .filter(code=code).filter(Q(applicant_id_number__endswith=secret)
                                                 | Q(applicant_phone__endswith=secret)).first())
            if dossier is None:
                for k in keys:
                    cache.add(k, 0, TRACK_WINDOW)
                    try:
                        cache.incr(k)
                    except ValueError:
                        cache.set(k, 1, TRACK_WINDOW)
                form.add_error(None, "Không tìm thấy hồ sơ với mã và 4 số đã nhập.")
                status = 404
    elif posted:
        status = 400
    ctx = {"form": form, "d": dossier, "events": dossier.events.all() if dossier else [], "nav": "track"}
    resp = page(request, "portal/track.html", ctx, status=status)
    if posted:
        resp["Cache-Control"] = "no-store"  # a shared computer's back button must not replay someone's dossier
    return resp


# ---------------------------------------------------------------- feedback (phản ánh, kiến nghị)

def feedback(request):
    initial = {}
    if request.user.is_authenticated:
        initial = {"name": str(request.user), "phone": request.user.phone, "email": request.user.email}
    form = FeedbackForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            ref = _send_feedback(request.user, form.cleaned_data)
        except DomainError as err:
            placed = False
            for key, msg in (err.details or {}).items():
                if key in form.fields and isinstance(msg, str):
                    form.add_error(key, msg)
                    placed = True
            if not placed:
                form.add_error(None, err.message)
        else:
            messages.success(request, f"Đã gửi phản ánh, kiến nghị số {ref}. "
                                      "Cơ quan sẽ trả lời theo quy định.")
            return redirect("portal:feedback")
    return page(request, "portal/feedback.html", {"form": form, "nav": "feedback"},
                status=400 if form.errors else 200)


def feedback_answers(request):
    """Published answers to feedback (without the sender's details)."""
    qs = (Feedback.objects.filter(status=FeedbackStatus.PUBLISHED, is_public=True)
          .select_related("agency", "procedure").only("code", "title", "content", "answer", "received_at",
                                                     "published_at", "agency__name", "procedure__name")
          .order_by("-published_at"))
    return page(request, "portal/feedback_answers.html",
                {"page_obj": Paginator(qs, PER_PAGE).get_page(request.GET.get("trang")), "nav": "feedback"})


def _send_feedback(user, data):
    dossier = None
    if data["dossier_code"]:
        dossier = Dossier.objects.filter(code=data["dossier_code"].strip().upper()).first()
        if dossier is None:
            raise DomainError("dossier_not_found", "Không tìm thấy hồ sơ có mã đã nhập.", status=404,
                              details={"dossier_code": "Không tìm thấy hồ sơ có mã đã nhập."})
    obj = engagement.submit_feedback(user if user.is_authenticated else None,
                                     classification=data["classification"], title=data["title"],
                                     content=data["content"], name=data["name"], phone=data["phone"],
                                     email=data.get("email", ""), dossier=dossier,
                                     procedure=dossier.procedure if dossier else None,
                                     agency=dossier.agency if dossier else data.get("agency"))
    return obj.code
