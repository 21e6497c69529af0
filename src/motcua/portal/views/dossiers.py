"""The citizen's own dossiers: list, detail with timeline and files, slips and result, online fee payment,
satisfaction rating, supplement and withdrawal, consent to read their data repository."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.csp import CSP
from django.views.decorators.http import require_POST

from motcua.accounts.services import password_settable_after_eid
from motcua.audit.services import record_dossier_read
from motcua.core.errors import DomainError
from motcua.core.input import raw_input
from motcua.core.money import format_vnd
from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier, Status
from motcua.engagement.models import SatisfactionRating
from motcua.engagement.ratings import submit_rating
from motcua.integrations.config import target_config
from motcua.integrations.eid import holder_signed_in
from motcua.payments.models import Payment
from motcua.payments.services import create_payment, dossier_fee, handle_return, payment_pending
from motcua.web.consent import consent_section, post_consent
from motcua.web.display import form_rows
from motcua.web.files import (
    attachment_of,
    attachment_response,
    list_attachments,
    slip_response,
    store_attachment,
)
from motcua.web.pages import actor, page, show_domain_error

from ..forms import (
    RatingForm,
    SupplementForm,
)
from .catalog import PER_PAGE

FINAL_FOR_RATING = {Status.RETURNED, Status.REFUSED, Status.REJECTED}
NOT_PAYABLE = {Status.DRAFT, Status.REFUSED, Status.REJECTED, Status.WITHDRAWN, Status.STOPPED}
PAY_AT_COUNTER = "Bạn có thể nộp phí, lệ phí trực tiếp tại Bộ phận Một cửa khi nhận kết quả."


@login_required
def my_dossiers(request):
    qs = (Dossier.objects.filter(applicant=request.user).select_related("procedure", "agency")
          .order_by("-created_at", "-id"))  # id last: pages neither repeat nor skip
    pager = Paginator(qs, PER_PAGE)
    return page(request, "portal/my_dossiers.html", {"page_obj": pager.get_page(request.GET.get("trang")),
                                                     "nav": "mine", "vneid_session": holder_signed_in(request.session, request.user)
                                                     and password_settable_after_eid(request.user)})


def _own_dossier(request, pk):
    dossier = get_object_or_404(Dossier.objects.select_related("procedure", "agency", "current_agency"), pk=pk)
    if dossier.applicant_id != request.user.pk:
        raise Http404("Không tìm thấy hồ sơ.")
    return dossier


def _existing_rating(dossier):
    return SatisfactionRating.objects.filter(dossier=dossier).first()


@login_required
def dossier_detail(request, pk):
    return _detail_page(request, _own_dossier(request, pk))


def _detail_page(request, dossier, status=200, consent_form=None, rating_form=None):
    filed_with = lifecycle.filed_with(dossier)
    response = page(request, "portal/dossier.html", {
        "d": dossier, "events": dossier.events.select_related("to_agency"), "attachments": list_attachments(dossier),
        "filed_with": filed_with, "moved_because": lifecycle.moved_because(dossier) if filed_with else "",
        "supplements": dossier.supplement_requests.all(), "slips": dossier.slips.all(),
        "rating_form": RatingForm() if rating_form is None else rating_form, "rating": _existing_rating(dossier),
        "can_rate": dossier.status in FINAL_FOR_RATING, "supplement_form": SupplementForm(), "nav": "mine",
        "has_result": dossier.status == Status.RETURNED, "form_rows": form_rows(dossier.procedure, dossier.form_data),
        "can_pay": _can_pay(dossier),
        "payment_pending": bool(dossier.fee_vnd) and not dossier.fee_paid_online and payment_pending(dossier),
        "fee": dossier_fee(dossier) if dossier.fee_vnd else None, "paid": _paid(dossier),
        **consent_section(dossier, form=consent_form, user=request.user),
    }, status=status)
    if _can_pay(dossier):
        _let_the_pay_form_reach_the_gateway(response)
    return response


def _let_the_pay_form_reach_the_gateway(response) -> None:
    """The pay button posts here and is redirected to the gateway: the browser checks that redirect against the
    page's form-action policy (settings.SECURE_CSP: this site only), so this page names the gateway too."""
    parts = urlsplit(target_config("payment").get("url") or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        policy = dict(settings.SECURE_CSP)
        policy["form-action"] = [*policy.get("form-action", [CSP.SELF]), f"{parts.scheme}://{parts.netloc}"]
        response._csp_config = policy


def _paid(dossier):
    return Payment.objects.filter(dossier=dossier, status=Payment.PAID).order_by("-paid_at").first()


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


@raw_input  # the gateway's signed result: checked exactly as sent (core.input)
@login_required
def payment_return(request, pk):
    """Where the gateway sends the citizen back (the return_url given when the payment was created), with its
    HMAC-signed result. A result that does not verify, or was already used, is refused and records nothing."""
    dossier = _own_dossier(request, pk)
    if "sig" not in request.GET:  # back without a result (the browser's Back button, an old link)
        if dossier.fee_paid_online:
            messages.success(request, "Đã thanh toán trực tuyến phí, lệ phí. Cảm ơn bạn.")
        else:
            messages.info(request, "Cổng thanh toán chưa báo kết quả giao dịch. Trang hồ sơ sẽ cập nhật khi cổng "
                                   "xác nhận; nếu bạn đã trả tiền, không cần thanh toán lại.")
        return redirect("portal:dossier", pk=pk)
    try:
        payment, paid = handle_return(dossier, request.GET.dict())
    except DomainError as err:
        messages.error(request, err.message)
        return _detail_page(request, dossier, status=err.status if 400 <= err.status < 500 else 400)
    if paid:
        messages.success(request, f"Đã thanh toán trực tuyến {format_vnd(payment.amount_vnd)} phí, lệ phí của hồ sơ "
                                  f"{dossier.code}. Biên lai ở mục Phí, lệ phí.")
    else:
        messages.warning(request, "Giao dịch chưa thành công (đã hủy hoặc bị từ chối); chưa có khoản nào bị trừ. "
                                  f"Bạn có thể thanh toán lại. {PAY_AT_COUNTER}")
    return redirect("portal:dossier", pk=pk)


@login_required
def payment_receipt(request, pk):
    """The receipt of the online payment: amount, what it was reduced from and why, references."""
    dossier = _own_dossier(request, pk)
    paid = _paid(dossier)
    if paid is None:
        raise Http404("Hồ sơ chưa có khoản thanh toán trực tuyến.")
    return page(request, "portal/receipt.html", {"d": dossier, "p": paid, "nav": "mine"})


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
    return attachment_response(attachment_of(dossier, att_id))


@login_required
@require_POST
def rate(request, pk):
    dossier = _own_dossier(request, pk)
    form = RatingForm(request.POST)
    if dossier.status not in FINAL_FOR_RATING:
        messages.error(request, "Chỉ đánh giá được khi hồ sơ đã có kết quả.")
    elif not form.is_valid():  # the page again, with the criteria and the comment as answered
        messages.error(request, "Vui lòng chọn mức độ hài lòng.")
        return _detail_page(request, dossier, status=400, rating_form=form)
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
    return submit_rating(user, dossier, satisfied, scores=scores, comment=comment)


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


@login_required
@require_POST
def consent(request, pk, action):
    """Give (``grant``) or withdraw (``revoke``) consent for the agency handling this dossier to read the citizen's
    data repository (documents.consent)."""
    dossier = _own_dossier(request, pk)
    return post_consent(request, dossier, action, officer=False, done=reverse("portal:dossier", args=[pk]),
                        show_page=lambda form, status: _detail_page(request, dossier, status, consent_form=form))
