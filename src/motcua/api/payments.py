"""Online payment of fees: the citizen starts a payment, the gateway calls back (signed), the
province reconciles daily. Amounts are whole đồng."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from ninja import Field, Router, Schema, Status

from motcua.accounts import permissions
from motcua.accounts.models import Role
from motcua.core.errors import NotFound, PermissionDenied, ValidationFailed
from motcua.core.money import format_vnd
from motcua.dossiers import access
from motcua.dossiers.models import Dossier
from motcua.payments import services
from motcua.payments.models import Payment

from .auth import api_auth
from .schemas import ErrorOut
from .values import WholeNumber

router = Router(tags=["payments"])


class PaymentIn(Schema):
    dossier_id: WholeNumber
    return_url: str = Field("", max_length=2000, description="Trang của Cổng này mà cổng thanh toán đưa công dân về sau "
                                                            "khi trả tiền; bỏ trống: trang kết quả thanh toán của hồ sơ.")


class PaymentOut(Schema):
    id: int
    dossier_id: int
    dossier_code: str | None
    amount_vnd: int
    amount_text: str
    status: str
    status_label: str
    payment_url: str
    paid_at: dt.datetime | None


class CallbackOut(Schema):
    ok: bool
    changed: bool


class ReconcileIn(Schema):
    date: dt.date


class ReconcileOut(Schema):
    day: dt.date
    gateway_count: int
    gateway_total_vnd: int
    ours_count: int
    ours_total_vnd: int
    fixed: int
    balanced: bool
    mismatches: list[dict]


def _out(p: Payment) -> dict:
    return {"id": p.pk, "dossier_id": p.dossier_id, "dossier_code": p.dossier.code, "amount_vnd": p.amount_vnd,
            "amount_text": format_vnd(p.amount_vnd), "status": p.status, "status_label": p.get_status_display(),
            "payment_url": p.payment_url, "paid_at": p.paid_at}


def _visible_dossier(user, dossier_id: int) -> Dossier:
    dossier = Dossier.objects.filter(pk=dossier_id).first()
    if dossier is None or not access.can_view_dossier(user, dossier):
        raise NotFound("dossier_not_found", "Không tìm thấy hồ sơ.")
    return dossier


def _return_url(request, dossier, given: str) -> str:
    """Where the gateway sends the citizen back with its signed result once they have paid: a page of this site (by
    default the portal's payment result page of the dossier). Any other site would be an open redirect through the
    gateway's trusted page, and the gateway keeps the first address it is given for a payment."""
    given = (given or "").strip()
    if not given:
        return request.build_absolute_uri(reverse("portal:payment_return", args=[dossier.pk]))
    if not given.startswith(("https://", "http://")) or not url_has_allowed_host_and_scheme(
            given, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        raise ValidationFailed("return_url_invalid", "Địa chỉ quay lại sau khi thanh toán phải là một trang của Cổng "
                                                     "dịch vụ công này.", details={"field": "return_url"})
    return given


@router.post("", auth=api_auth, response={201: PaymentOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                                          422: ErrorOut, 502: ErrorOut, 503: ErrorOut})
def create_payment(request, body: PaymentIn):
    """Start paying a dossier's fee; send the citizen to `payment_url`."""
    dossier = _visible_dossier(request.auth, body.dossier_id)
    payment = services.create_payment(dossier, by=request.auth, return_url=_return_url(request, dossier, body.return_url))
    return Status(201, _out(payment))


@router.post("/callback", auth=None, response={200: CallbackOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut,
                                                409: ErrorOut, 503: ErrorOut})
def gateway_callback(request):
    """Called by the payment gateway; the body is HMAC-signed (X-Motcua-Timestamp, X-Motcua-Signature). A notice that
    contradicts the payment on record — another amount (`amount_mismatch`) or another transaction of the gateway
    (`gateway_ref_mismatch`) — is 409, as it is when the citizen comes back with it; an amount or moment that cannot be
    read is 400 (`amount_invalid`, `paid_at_invalid`). Nothing is recorded then."""
    _payment, changed = services.handle_callback(request.body, request.headers)
    return {"ok": True, "changed": changed}


@router.post("/reconcile", auth=api_auth, response={200: ReconcileOut, 403: ErrorOut, 422: ErrorOut, 502: ErrorOut,
                                                   503: ErrorOut})
def reconcile(request, body: ReconcileIn):
    """Daily reconciliation with the gateway's settlement file (provincial administrators). Each difference in
    `mismatches` has a `problem` (`amount_invalid`, `total_too_large`, `unknown_payment`, `amount_mismatch`,
    `missing_at_gateway`) and a Vietnamese `message`; a settlement line's also its `line`."""
    if not permissions.has_role(request.auth, Role.PROVINCIAL_ADMIN):
        raise PermissionDenied("forbidden", "Chỉ quản trị cấp tỉnh được đối soát thanh toán.")
    if body.date > dt.date.today():
        raise ValidationFailed("date_in_future", "Không thể đối soát ngày trong tương lai.")
    run = services.reconcile(body.date)
    return {"day": run.day, "gateway_count": run.gateway_count, "gateway_total_vnd": run.gateway_total_vnd,
            "ours_count": run.ours_count, "ours_total_vnd": run.ours_total_vnd, "fixed": run.fixed,
            "balanced": run.balanced, "mismatches": run.mismatches}


@router.get("/{id:payment_id}", auth=api_auth, response={200: PaymentOut, 404: ErrorOut})
def get_payment(request, payment_id: int):
    payment = Payment.objects.select_related("dossier").filter(pk=payment_id).first()
    if payment is None or not access.can_view_dossier(request.auth, payment.dossier):
        raise NotFound("payment_not_found", "Không tìm thấy giao dịch thanh toán.")
    return _out(payment)
