"""Online payment of fees: create, confirm by the gateway's signed callback or by the signed result the
citizen is redirected back with, reconcile daily.

Amounts are whole đồng. A payment is confirmed once (callback, return or reconciliation, whichever comes
first); every later confirmation is a no-op, so a gateway that repeats its callback changes nothing. A signed
return is used once: replayed, it is refused.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.utils import timezone

from motcua.catalog.fees import FeeQuote, quote
from motcua.core.digits import BIGINT_MAX, typed_whole, whole_number
from motcua.core.errors import DomainError, InvalidTransition, NotFound, ValidationFailed
from motcua.core.money import format_vnd
from motcua.dossiers import lifecycle
from motcua.outbox.services import emit

from .gateway import gateway
from .models import Payment, Reconciliation


def payment_pending(dossier) -> bool:
    """A payment of the dossier's fee was started and the gateway has not confirmed it yet."""
    return Payment.objects.filter(dossier=dossier, status=Payment.PENDING).exists()


def dossier_fee(dossier) -> FeeQuote:
    """The dossier's fee with its reduction, as the catalog sets it for the dossier's channel; when the catalog
    changed since the dossier was submitted, the amount the dossier was charged, unexplained."""
    fee = quote(dossier.procedure, dossier.channel)
    return fee if fee.amount_vnd == dossier.fee_vnd else FeeQuote(dossier.fee_vnd, dossier.fee_vnd)


def create_payment(dossier, *, by=None, return_url: str = "") -> Payment:
    """A payment for the dossier's fee (reusing an unfinished one); the citizen is sent to payment_url."""
    if not dossier.fee_vnd:
        raise ValidationFailed("no_fee", "Hồ sơ này không phải nộp phí, lệ phí.")
    with transaction.atomic():
        if dossier.fee_paid_online or Payment.objects.filter(dossier=dossier, status=Payment.PAID).exists():
            raise InvalidTransition("already_paid", "Phí, lệ phí của hồ sơ này đã được thanh toán.")
        payment = (Payment.objects.select_for_update().filter(
            dossier=dossier, amount_vnd=dossier.fee_vnd, status__in=(Payment.CREATED, Payment.PENDING))
            .order_by("-id").first())
        if payment is None:
            fee = dossier_fee(dossier)
            payment = Payment.objects.create(dossier=dossier, amount_vnd=dossier.fee_vnd,
                                             base_amount_vnd=fee.base_vnd if fee.reduced else None,
                                             fee_explanation=fee.explanation,
                                             merchant_ref=uuid.uuid4().hex[:20].upper(), created_by=by)
    if payment.status == Payment.PENDING and payment.payment_url:
        return payment
    # Outside the transaction: a retried call reuses merchant_ref, the gateway's idempotency key.
    created = gateway().create(merchant_ref=payment.merchant_ref, amount_vnd=payment.amount_vnd,
                               description=f"Phí, lệ phí hồ sơ {dossier.code}: "
                                           f"{payment.fee_explanation or format_vnd(payment.amount_vnd)}",
                               return_url=return_url)
    Payment.objects.filter(pk=payment.pk).update(status=Payment.PENDING, gateway_ref=created.gateway_ref,
                                                 payment_url=created.payment_url, updated_at=timezone.now())
    payment.refresh_from_db()
    return payment


def _amount(value) -> int:
    """The amount a gateway says was paid, in whole đồng: a JSON whole number, or a text of 0–9 and nothing else
    (core.digits). ``int()`` read JSON true as 1, 7500.9 as 7500 and "7_500", "+7500" or " 7500" as 7500: a malformed
    notice could mark a fee paid. Anything else is refused (400 amount_invalid) and nothing is recorded."""
    amount = whole_number(value) if isinstance(value, str) else typed_whole(value)
    if amount is None:
        raise DomainError("amount_invalid", "Số tiền cổng thanh toán báo không phải một số nguyên đồng; hệ thống "
                                            "không ghi nhận.", details={"field": "amount_vnd"})
    return amount


def _confirm(payment: Payment, *, amount_vnd, paid_at: dt.datetime, via: str) -> bool:
    """Mark paid once; returns True when this call changed it. Caller holds a transaction."""
    amount = _amount(amount_vnd)
    if amount != payment.amount_vnd:
        raise DomainError("amount_mismatch", f"Số tiền cổng thanh toán báo ({format_vnd(amount)}) khác số tiền "
                                             f"phải nộp ({format_vnd(payment.amount_vnd)}).", status=409)
    if payment.status == Payment.PAID:
        return False
    payment.status = Payment.PAID
    payment.paid_at = paid_at
    payment.confirmed_by = via
    payment.save(update_fields=["status", "paid_at", "confirmed_by", "updated_at"])
    emit("payment.paid", "dossier", payment.dossier_id, {
        "payment_id": payment.pk, "dossier_id": payment.dossier_id, "merchant_ref": payment.merchant_ref,
        "gateway_ref": payment.gateway_ref, "amount_vnd": payment.amount_vnd, "paid_at": paid_at.isoformat(),
        "confirmed_by": via})
    _mark_dossier_paid(payment, paid_at)
    return True


def _mark_dossier_paid(payment: Payment, paid_at) -> None:
    """Tell the dossier its fee is paid (an event, audit entry and outbox event of the lifecycle)."""
    lifecycle.record_online_payment(payment.dossier, amount_vnd=payment.amount_vnd,
                                    reference=payment.merchant_ref, at=paid_at)


def _parse_time(value) -> dt.datetime:
    """When the gateway says it was paid (ISO 8601; none: now). Anything else is refused, nothing recorded."""
    try:
        moment = dt.datetime.fromisoformat(value) if value else timezone.now()
    except (TypeError, ValueError):
        raise DomainError("paid_at_invalid", "Thời điểm thanh toán cổng báo không hợp lệ; hệ thống không ghi nhận.",
                          details={"field": "paid_at"}) from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _same_gateway_ref(payment: Payment, said, *, absent_ok: bool) -> None:
    """The gateway's signed word (callback or return) names the transaction the gateway gave us for this payment.
    Another one contradicts the payment on record, as a different amount does (``amount_mismatch``): 409, the same
    code and status on both ways in, and nothing is recorded. A callback that names none is taken (``absent_ok``); a
    return must name it."""
    if payment.gateway_ref and (said or not absent_ok) and said != payment.gateway_ref:
        raise DomainError("gateway_ref_mismatch", "Mã giao dịch tại cổng thanh toán khác mã đã ghi cho khoản "
                                                  "thanh toán này; hệ thống không ghi nhận.", status=409)


def handle_callback(body: bytes, headers) -> tuple[Payment, bool]:
    """The gateway's signed notice that a payment succeeded (or failed)."""
    data = gateway().verify_callback(body, headers)
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(merchant_ref=str(data.get("merchant_ref", ""))).first()
        if payment is None:
            raise NotFound("payment_not_found", "Không tìm thấy giao dịch thanh toán.")
        _same_gateway_ref(payment, data.get("gateway_ref"), absent_ok=True)
        if data.get("status") != "paid":
            if payment.status != Payment.PAID:
                payment.status = Payment.FAILED
                payment.save(update_fields=["status", "updated_at"])
            return payment, False
        changed = _confirm(payment, amount_vnd=data.get("amount_vnd"), paid_at=_parse_time(data.get("paid_at")),
                           via="callback")
    return payment, changed


def handle_return(dossier, params: dict) -> tuple[Payment, bool]:
    """The citizen is back from the gateway with its signed result (query parameters of return_url).

    Returns (payment, paid); raises a DomainError with a Vietnamese message when the result is not the
    gateway's (changed on the way, 400), belongs to another dossier (404), names another transaction or amount than
    the payment's (409, as the callback's) or was already used (a replay, 409). Nothing is recorded in those cases;
    a payment already confirmed by the callback is not confirmed twice.
    """
    data = gateway().verify_return(params)  # ReturnInvalid: changed on the way, or stale
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(
            dossier=dossier, merchant_ref=str(data.get("merchant_ref", ""))).first()
        if payment is None:
            raise NotFound("payment_not_found", "Không tìm thấy giao dịch thanh toán của hồ sơ này.")
        _same_gateway_ref(payment, data.get("gateway_ref"), absent_ok=False)
        if payment.returned_at is not None:
            at = timezone.localtime(payment.returned_at).strftime("%H:%M ngày %d/%m/%Y")
            raise DomainError("return_replayed", f"Kết quả thanh toán này đã được ghi nhận lúc {at}; lần gửi lại "
                                                 "này không được ghi thêm.", status=409)
        payment.returned_at = timezone.now()
        payment.save(update_fields=["returned_at", "updated_at"])
        if data.get("status") != "paid":
            if payment.status != Payment.PAID:
                Payment.objects.filter(pk=payment.pk).update(status=Payment.FAILED, updated_at=timezone.now())
                payment.status = Payment.FAILED
            return payment, payment.status == Payment.PAID
        _confirm(payment, amount_vnd=data["amount_vnd"], paid_at=_parse_time(data.get("paid_at", "")), via="return")
    return payment, True


def _unreadable_amount(row, payment: Payment | None) -> dict:
    """The difference the accountant sees for a settlement line whose amount is not a whole number of đồng (read as
    a callback's is, by ``_amount``): which line, what it says; nothing is confirmed by it."""
    written = "" if row.amount_vnd is None else str(row.amount_vnd)
    shown = f"«{written[:30]}…»" if len(written) > 30 else f"«{written}»" if written.strip() else "(để trống)"
    mismatch = {"line": row.line, "merchant_ref": row.merchant_ref, "gateway_ref": row.gateway_ref,
                "problem": "amount_invalid", "amount_written": written[:100],
                "message": f"Dòng {row.line} của bảng đối soát: số tiền {shown} không hợp lệ (phải là số nguyên "
                           f"đồng); không ghi nhận thanh toán theo dòng này."}
    if payment is not None:
        mismatch["expected_vnd"] = payment.amount_vnd
    return mismatch


# The largest total a run records (Reconciliation.*_total_vnd are bigint columns): each amount fits, two may not.
MAX_TOTAL_VND = BIGINT_MAX


def _past_the_total(total: int, amount: int, where: str, consequence: str) -> dict | None:
    """The difference the accountant sees when ``amount`` would take a run's ``total`` past what it can record
    (PostgreSQL refused the row, SQLite could not store it: a 500 and no lost callback recovered); None when it fits."""
    if total + amount <= MAX_TOTAL_VND:
        return None
    return {"problem": "total_too_large", "amount_vnd": amount,
            "message": f"{where}: số tiền {format_vnd(amount)} làm tổng tiền của lần đối soát vượt quá mức hệ thống ghi "
                       f"được ({format_vnd(MAX_TOTAL_VND)}); {consequence}."}


def reconcile(day: dt.date) -> Reconciliation:
    """Compare the gateway's settlement file for `day` with our payments; confirm the ones whose
    callback was lost; record every difference. Running it twice changes nothing more.

    A line whose amount is not a whole number of đồng is a difference the accountant sees (its line, what it says):
    the run is not balanced, nothing is confirmed by that line, the other lines are reconciled as usual. So is a line
    (or one of our payments) whose amount, though valid, would take the run's total past what it can record
    (``MAX_TOTAL_VND``): it is not added, and nothing is confirmed by that line. The gateway's count and total are
    those of the paid lines whose amount could be read and added; ours, those of our payments added."""
    rows = gateway().settlement(day)
    mismatches, fixed, seen, amounts, total = [], 0, set(), [], 0
    with transaction.atomic():
        for row in rows:
            if row.status != "paid":
                continue
            payment = Payment.objects.select_for_update().filter(merchant_ref=row.merchant_ref).first()
            if payment is not None:
                seen.add(payment.pk)  # the gateway has it, even when its line is unreadable: not "missing"
            try:
                amount = _amount(row.amount_vnd)
            except DomainError:
                mismatches.append(_unreadable_amount(row, payment))
                continue
            too_large = _past_the_total(total, amount, f"Dòng {row.line} của bảng đối soát",
                                        "không cộng vào tổng, không ghi nhận thanh toán theo dòng này")
            if too_large:
                mismatches.append({"line": row.line, "merchant_ref": row.merchant_ref, "gateway_ref": row.gateway_ref,
                                   **too_large})
                continue
            amounts.append(amount)
            total += amount
            if payment is None:
                mismatches.append({"line": row.line, "gateway_ref": row.gateway_ref, "problem": "unknown_payment",
                                   "message": "Cổng có giao dịch mà hệ thống không có.", "amount_vnd": amount})
                continue
            try:
                fixed += _confirm(payment, amount_vnd=amount, paid_at=_parse_time(row.paid_at), via="reconciliation")
            except DomainError as exc:
                mismatches.append({"line": row.line, "merchant_ref": row.merchant_ref, "problem": exc.code,
                                   "message": exc.message, "amount_vnd": amount, "expected_vnd": payment.amount_vnd})
        ours, ours_total = [], 0
        # the day's payments, local time (read by their moment, not every payment ever read and sorted out here)
        start, end = (timezone.make_aware(dt.datetime.combine(d, dt.time.min)) for d in (day, day + dt.timedelta(1)))
        paid = Payment.objects.filter(status=Payment.PAID, paid_at__gte=start, paid_at__lt=end)
        for p in paid.order_by("paid_at", "pk"):
            if p.pk not in seen:
                mismatches.append({"merchant_ref": p.merchant_ref, "problem": "missing_at_gateway",
                                   "message": "Hệ thống ghi đã thanh toán nhưng cổng không có.", "amount_vnd": p.amount_vnd})
            too_large = _past_the_total(ours_total, p.amount_vnd, f"Giao dịch {p.merchant_ref} của hệ thống",
                                        "không cộng vào tổng theo hệ thống")
            if too_large:
                mismatches.append({"merchant_ref": p.merchant_ref, **too_large})
            else:
                ours.append(p.amount_vnd)
                ours_total += p.amount_vnd
        return Reconciliation.objects.create(
            day=day, gateway_count=len(amounts), gateway_total_vnd=total,
            ours_count=len(ours), ours_total_vnd=ours_total, fixed=fixed, mismatches=mismatches)
