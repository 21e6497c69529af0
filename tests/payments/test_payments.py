"""Citizens pay fees online; callbacks are verified and applied once; daily reconciliation
finds lost callbacks and balances to the đồng — with a gateway that drops 30 % of calls."""

import datetime as dt
import io
import json
import random

import pytest
from django.core.management import call_command
from django.test import Client

from motcua.accounts.models import Role
from motcua.demo.simulators import Chaos
from motcua.integrations.signing import signed_headers
from motcua.outbox.models import OutboxEvent
from motcua.payments import services
from motcua.payments.gateway import GatewayUnavailable
from motcua.payments.models import Payment
from tests.factories import citizen, officer, sign_in

from ..integrations.conftest import SECRET

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 5)


def http_headers(headers: dict) -> dict:
    return {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items() if k != "Content-Type"}


def post_callback(client, body, headers):
    return client.post("/api/v1/payments/callback", data=body, content_type="application/json",
                       **http_headers(headers))


def _owner_signed_in(sims, configure, make_dossier):
    """(the running simulators, a dossier with a 50.000 đ fee, its applicant's signed-in client)."""
    running = sims(("payment",))
    configure(running)
    owner = citizen()
    d = make_dossier(applicant=owner, fee_vnd=50_000)
    client = Client()
    sign_in(client, owner)
    return running, d, client


def test_pay_by_api_then_signed_callback_marks_paid_once(sims, configure, make_dossier):
    running, d, client = _owner_signed_in(sims, configure, make_dossier)
    answer = client.post("/api/v1/payments", data={"dossier_id": d.pk}, content_type="application/json")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["amount_vnd"] == 50_000 and body["amount_text"] == "50.000 đ" and body["status"] == "pending"
    assert body["payment_url"].startswith(running["payment"].url + "/pay/")

    gw = running["payment"]
    gw.pay(next(iter(gw.payments)), at="2026-03-05T09:15:00+07:00")
    cb_body, cb_headers = gw.callbacks.pop()
    anon = Client()
    first = post_callback(anon, cb_body, cb_headers)
    assert first.status_code == 200 and first.json() == {"ok": True, "changed": True}
    again = post_callback(anon, cb_body, cb_headers)  # the gateway repeats itself
    assert again.status_code == 200 and again.json()["changed"] is False
    payment = Payment.objects.get()
    assert payment.status == Payment.PAID and payment.confirmed_by == "callback"
    assert OutboxEvent.objects.filter(topic="payment.paid").count() == 1
    d.refresh_from_db()
    assert d.fee_paid_online is True  # counts in the online-payment indicator
    assert OutboxEvent.objects.filter(topic="dossier.record_payment").count() == 1
    # a second payment for the same dossier is refused
    assert client.post("/api/v1/payments", data={"dossier_id": d.pk},
                       content_type="application/json").status_code == 409


def test_forged_or_tampered_callbacks_are_refused(sims, configure, make_dossier):
    running = sims(("payment",))
    configure(running)
    d = make_dossier(fee_vnd=20_000)
    payment = services.create_payment(d)
    body = json.dumps({"gateway_ref": payment.gateway_ref, "merchant_ref": payment.merchant_ref,
                       "amount_vnd": 20_000, "status": "paid", "paid_at": "2026-03-05T10:00:00+07:00"}).encode()
    forged = post_callback(Client(), body, signed_headers("not-the-secret", body))
    assert forged.status_code == 401 and forged.json()["code"] == "signature_invalid"
    cheaper = body.replace(b"20000", b"2000")
    wrong_amount = post_callback(Client(), cheaper, signed_headers(SECRET, cheaper))
    assert wrong_amount.status_code == 409 and wrong_amount.json()["code"] == "amount_mismatch"
    assert Payment.objects.get().status == Payment.PENDING


def test_no_fee_and_unknown_dossier(sims, configure, make_dossier):
    configure(sims(("payment",)))
    owner = citizen()
    free = make_dossier(applicant=owner, fee_vnd=0)
    client = Client()
    sign_in(client, owner)
    r = client.post("/api/v1/payments", data={"dossier_id": free.pk}, content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "no_fee"
    other = make_dossier(fee_vnd=1000)  # someone else's dossier
    r = client.post("/api/v1/payments", data={"dossier_id": other.pk}, content_type="application/json")
    assert r.status_code == 404


def test_unreliable_gateway_reconciles_to_the_dong(sims, configure, make_dossier):
    gw_chaos = Chaos(drop_rate=0.3, max_delay_s=0.01, seed=7)
    running = sims(("payment",), chaos=gw_chaos)
    configure(running)
    gw = running["payment"]
    fees = [8_000, 50_000, 100_000, 35_000, 1_250_000, 200_000, 15_000, 500_000]
    dossiers = [make_dossier(fee_vnd=fee) for fee in fees]
    payments = []
    for d in dossiers:  # the citizen presses "pay" again when the gateway does not answer
        for _ in range(30):
            try:
                payments.append(services.create_payment(d))
                break
            except GatewayUnavailable:
                continue
    assert len(payments) == len(fees)
    assert len(gw.payments) == len(fees)  # retried creates did not make a second gateway payment
    for i, p in enumerate(payments):
        gw.pay(p.gateway_ref, at=f"2026-03-05T{9 + i:02d}:00:00+07:00")
    lost = random.Random(3)
    client, dropped = Client(), 0
    for body, headers in list(gw.callbacks):
        if lost.random() < 0.3:
            dropped += 1
            continue
        assert post_callback(client, body, headers).status_code == 200
    assert dropped > 0
    assert Payment.objects.filter(status=Payment.PAID).count() == len(fees) - dropped

    run = None
    for _ in range(30):  # the settlement file download is unreliable too
        try:
            run = services.reconcile(DAY)
            break
        except GatewayUnavailable:
            continue
    assert run is not None
    assert run.fixed == dropped and run.mismatches == [] and run.balanced
    assert run.gateway_total_vnd == run.ours_total_vnd == sum(fees) == 2_158_000
    assert Payment.objects.filter(status=Payment.PAID).count() == len(fees)
    assert Payment.objects.filter(confirmed_by="reconciliation").count() == dropped
    for d in dossiers:  # payments recovered by reconciliation mark their dossiers too
        d.refresh_from_db()
        assert d.fee_paid_online is True
    gw_chaos.drop_rate = 0
    second = services.reconcile(DAY)
    assert second.fixed == 0 and second.balanced


def test_reconciliation_reports_a_payment_the_gateway_does_not_know(sims, configure, make_dossier):
    running = sims(("payment",))
    configure(running)
    p = services.create_payment(make_dossier(fee_vnd=30_000))
    running["payment"].pay(p.gateway_ref, at="2026-03-05T08:00:00+07:00")
    services.reconcile(DAY)
    running["payment"].payments.clear()  # the gateway lost it
    run = services.reconcile(DAY)
    assert not run.balanced and run.mismatches[0]["problem"] == "missing_at_gateway"


def test_reconcile_api_is_for_provincial_admins(sims, configure, make_dossier):
    configure(sims(("payment",)))
    admin = officer(Role.PROVINCIAL_ADMIN, None)
    clerk = officer(Role.COUNTER_OFFICER, make_dossier().agency)
    client = Client()
    sign_in(client, clerk)
    assert client.post("/api/v1/payments/reconcile", data={"date": "2026-03-05"},
                       content_type="application/json").status_code == 403
    sign_in(client, admin)
    r = client.post("/api/v1/payments/reconcile", data={"date": "2026-03-05"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["balanced"] is True


def test_the_gateway_sends_the_citizen_back_to_this_site_only(sims, configure, make_dossier):
    """return_url is where the gateway sends the citizen, with its signed result, once they have paid: a caller
    who may see the dossier (an officer of another agency, a script) must not make a real gateway page end on their
    own site. Not given: the portal's payment result page of the dossier."""
    running, d, client = _owner_signed_in(sims, configure, make_dossier)
    for url in ("https://lua-dao.example/nhan-tien", "//lua-dao.example/", "javascript:alert(1)"):
        answer = client.post("/api/v1/payments", data={"dossier_id": d.pk, "return_url": url},
                             content_type="application/json")
        assert answer.status_code == 422, (url, answer.content)
        assert answer.json()["code"] == "return_url_invalid" and "Cổng dịch vụ công này" in answer.json()["message"]
    assert not Payment.objects.exists() and not running["payment"].payments
    assert client.post("/api/v1/payments", data={"dossier_id": d.pk},
                       content_type="application/json").status_code == 201
    (sent,) = running["payment"].payments.values()
    assert sent["return_url"] == f"http://testserver/ho-so-cua-toi/{d.pk}/thanh-toan/ket-qua/"


def _paid_at_the_gateway(sims, configure, make_dossier, fee: int):
    """(the payment, the gateway's own signed callback as a dict) for a dossier with ``fee``, paid at the gateway."""
    running = sims(("payment",))
    configure(running)
    payment = services.create_payment(make_dossier(fee_vnd=fee))
    running["payment"].pay(payment.gateway_ref, at="2026-03-05T09:15:00+07:00")
    body, _headers = running["payment"].callbacks.pop()
    return payment, json.loads(body)


def _assert_nothing_recorded(payment):
    payment.refresh_from_db()
    assert payment.status == Payment.PENDING and payment.paid_at is None
    assert not OutboxEvent.objects.filter(topic__in=("payment.paid", "dossier.record_payment")).exists()
    payment.dossier.refresh_from_db()
    assert payment.dossier.fee_paid_online is False


@pytest.mark.parametrize("fee, amount", [
    (1, True),  # int(True) == 1: a 1 đ fee marked paid by a boolean
    (1, 1.0), (1, 1.9), (7_500, 7_500.4),  # int() drops the fraction
    (7_500, "7_500"), (7_500, "+7500"), (7_500, " 7500"), (7_500, "7500.0"), (7_500, "７５００"), (7_500, "٧٥٠٠"),
    (7_500, None), (7_500, [7_500]), (7_500, {"vnd": 7_500}), (7_500, "1" * 5000),
], ids=lambda value: repr(value)[:12])
def test_a_signed_callback_whose_amount_is_not_a_whole_number_marks_nothing_paid(sims, configure, make_dossier, fee,
                                                                                  amount):
    payment, sent = _paid_at_the_gateway(sims, configure, make_dossier, fee)
    assert sent["amount_vnd"] == fee
    body = json.dumps({**sent, "amount_vnd": amount}).encode()
    r = post_callback(Client(), body, signed_headers(SECRET, body))
    assert r.status_code == 400, r.content[:300]
    assert r.json() == {"code": "amount_invalid", "message": "Số tiền cổng thanh toán báo không phải một số nguyên "
                        "đồng; hệ thống không ghi nhận.", "details": {"field": "amount_vnd"}}
    _assert_nothing_recorded(payment)
    genuine = json.dumps(sent).encode()  # the gateway's own notice still counts, once
    assert post_callback(Client(), genuine, signed_headers(SECRET, genuine)).json() == {"ok": True, "changed": True}
    payment.refresh_from_db()
    assert payment.status == Payment.PAID


@pytest.mark.parametrize("body, code", [
    (b"[1, 2]", "callback_invalid"), (b'"paid"', "callback_invalid"), (b"null", "callback_invalid"),
    ({"paid_at": "hôm qua"}, "paid_at_invalid"), ({"paid_at": 20260305}, "paid_at_invalid"),
], ids=repr)
def test_a_signed_callback_without_fields_or_a_moment_is_refused_not_a_500(sims, configure, make_dossier, body, code):
    payment, sent = _paid_at_the_gateway(sims, configure, make_dossier, 20_000)
    body = json.dumps({**sent, **body}).encode() if isinstance(body, dict) else body
    r = post_callback(Client(), body, signed_headers(SECRET, body))
    assert r.status_code == 400 and r.json()["code"] == code and not r.json()["message"].isascii(), r.content[:300]
    _assert_nothing_recorded(payment)


def test_a_whole_amount_written_as_digits_is_read(sims, configure, make_dossier):
    """A gateway that writes the amount as text (as VNPay does) is read when the text is 0–9."""
    payment, sent = _paid_at_the_gateway(sims, configure, make_dossier, 7_500)
    body = json.dumps({**sent, "amount_vnd": "7500"}).encode()
    assert post_callback(Client(), body, signed_headers(SECRET, body)).json() == {"ok": True, "changed": True}
    cheaper = json.dumps({**sent, "amount_vnd": "750"}).encode()
    assert post_callback(Client(), cheaper, signed_headers(SECRET, cheaper)).json()["code"] == "amount_mismatch"


def test_the_gateway_simulator_refuses_an_amount_that_is_not_a_whole_number(sims):
    gw = sims(("payment",))["payment"]
    for amount in (True, 1.5, "1_000", "+1000", None):
        assert gw.handle("POST", "/payments", {}, {"merchant_ref": "M1", "amount_vnd": amount}, {}) == (
            400, {"error": "amount_invalid"})
    assert gw.handle("POST", "/payments", {}, {"merchant_ref": "M1", "amount_vnd": 1000}, {})[0] == 201
    assert not any(p["amount_vnd"] != 1000 for p in gw.payments.values()) and len(gw.payments) == 1


def _paid_at_the_gateway_callbacks_lost(sims, configure, make_dossier, fees):
    """(the gateway simulator, the payments) for dossiers with ``fees``, paid at the gateway on DAY in that order,
    whose callbacks were all lost: only the settlement file tells us."""
    running = sims(("payment",))
    configure(running)
    payments = [services.create_payment(make_dossier(fee_vnd=fee)) for fee in fees]
    for i, p in enumerate(payments):
        running["payment"].pay(p.gateway_ref, at=f"2026-03-05T{9 + i:02d}:00:00+07:00")
    running["payment"].callbacks.clear()
    return running["payment"], payments


def _reconcile_as_admin(day="2026-03-05"):
    client = Client()
    sign_in(client, officer(Role.PROVINCIAL_ADMIN, None))
    return client.post("/api/v1/payments/reconcile", data={"date": day}, content_type="application/json")


@pytest.mark.parametrize("written, shown", [
    ("7_500", "«7_500»"), ("+7500", "«+7500»"), (" 7500", "« 7500»"), ("７５００", "«７５００»"), ("7500.0", "«7500.0»"),
    (True, "«True»"), ("", "(để trống)"), ("1" * 5000, "«" + "1" * 30 + "…»"),
], ids=lambda value: repr(value)[:12])
def test_a_settlement_line_whose_amount_is_not_a_whole_number_is_shown_to_the_accountant(
        sims, configure, make_dossier, written, shown):
    """int() read "7_500", "+7500", " 7500", "７５００" as 7500 and True as 1, and "7500.0", "" or 5,000 digits ended
    the whole reconciliation in a 500. The line is reported, nothing is confirmed by it, the others are reconciled."""
    gw, (first, odd, last) = _paid_at_the_gateway_callbacks_lost(sims, configure, make_dossier, [50_000, 7_500, 20_000])
    gw.payments[odd.gateway_ref]["amount_vnd"] = written  # the second line of the file, under its header: line 3
    r = _reconcile_as_admin()
    assert r.status_code == 200, r.content[:300]
    run = r.json()
    assert run["balanced"] is False and run["fixed"] == 2
    assert (run["gateway_count"], run["gateway_total_vnd"]) == (2, 70_000)  # the lines that could be read
    (mismatch,) = run["mismatches"]  # the malformed line only: its payment is not "missing at the gateway"
    assert mismatch["problem"] == "amount_invalid" and mismatch["line"] == 3
    assert mismatch["merchant_ref"] == odd.merchant_ref and mismatch["expected_vnd"] == 7_500
    assert mismatch["message"] == (f"Dòng 3 của bảng đối soát: số tiền {shown} không hợp lệ (phải là số nguyên đồng); "
                                   "không ghi nhận thanh toán theo dòng này.")
    for p in (first, last):
        p.refresh_from_db()
        assert p.status == Payment.PAID and p.confirmed_by == "reconciliation"
    odd.refresh_from_db()
    assert odd.status == Payment.PENDING and odd.paid_at is None
    odd.dossier.refresh_from_db()
    assert odd.dossier.fee_paid_online is False
    assert OutboxEvent.objects.filter(topic="payment.paid").count() == 2

    gw.payments[odd.gateway_ref]["amount_vnd"] = 7_500  # the gateway corrects its file: the next run balances
    again = _reconcile_as_admin().json()
    assert again["balanced"] is True and again["fixed"] == 1 and again["mismatches"] == []
    odd.refresh_from_db()
    assert odd.status == Payment.PAID


def test_an_unreadable_line_of_a_payment_already_confirmed_is_not_reported_missing(sims, configure, make_dossier):
    payment, sent = _paid_at_the_gateway(sims, configure, make_dossier, 7_500)
    body = json.dumps(sent).encode()
    assert post_callback(Client(), body, signed_headers(SECRET, body)).json()["changed"] is True
    gw = sims(())["payment"]
    gw.payments[payment.gateway_ref]["amount_vnd"] = "7.500"
    run = services.reconcile(DAY)
    assert not run.balanced and [m["problem"] for m in run.mismatches] == ["amount_invalid"]
    assert (run.gateway_count, run.ours_count, run.ours_total_vnd) == (0, 1, 7_500)
    out = io.StringIO()
    call_command("reconcile_payments", "--date", "2026-03-05", stdout=out)
    assert (f"  - {payment.merchant_ref}: Dòng 2 của bảng đối soát: số tiền «7.500» không hợp lệ (phải là số nguyên "
            "đồng)") in out.getvalue()


def test_a_settlement_file_that_cannot_be_read_is_refused_not_a_500(sims, configure, make_dossier):
    gw, (p,) = _paid_at_the_gateway_callbacks_lost(sims, configure, make_dossier, [7_500])
    gw.payments[p.gateway_ref]["amount_vnd"] = "1" * 200_000  # past what the csv module reads in one field
    r = _reconcile_as_admin()
    assert r.status_code == 502 and r.json()["code"] == "settlement_invalid", r.content[:300]
    assert "dòng 2" in r.json()["message"]
    p.refresh_from_db()
    assert p.status == Payment.PENDING


HUGE = 5_000_000_000_000_000_000  # a whole number of đồng a payment can hold (under 2**63): two of them cannot be summed


def test_two_huge_settlement_lines_are_a_difference_on_the_second_not_a_500(sims, configure, make_dossier):
    """Each amount is valid, but their sum is past the largest total a run can record: the whole reconciliation ended
    in a 500 (bigint out of range on PostgreSQL, an OverflowError on SQLite) and no lost callback was recovered."""
    gw, (small, first, second) = _paid_at_the_gateway_callbacks_lost(sims, configure, make_dossier,
                                                                     [7_500, HUGE, HUGE])
    r = _reconcile_as_admin()
    assert r.status_code == 200, r.content[:300]
    run = r.json()
    assert run["balanced"] is False and run["fixed"] == 2
    assert (run["gateway_count"], run["gateway_total_vnd"]) == (2, 7_500 + HUGE)
    (mismatch,) = run["mismatches"]  # the line past the total only; its payment is not "missing at the gateway"
    assert mismatch["problem"] == "total_too_large" and mismatch["line"] == 4
    assert mismatch["merchant_ref"] == second.merchant_ref and mismatch["amount_vnd"] == HUGE
    assert mismatch["message"] == (
        "Dòng 4 của bảng đối soát: số tiền 5.000.000.000.000.000.000 đ làm tổng tiền của lần đối soát vượt quá mức "
        "hệ thống ghi được (9.223.372.036.854.775.807 đ); không cộng vào tổng, không ghi nhận thanh toán theo dòng này.")
    for p, status in ((small, Payment.PAID), (first, Payment.PAID), (second, Payment.PENDING)):
        p.refresh_from_db()
        assert p.status == status
    assert (run["ours_count"], run["ours_total_vnd"]) == (2, 7_500 + HUGE)
    assert OutboxEvent.objects.filter(topic="payment.paid").count() == 2


def test_our_own_payments_past_the_largest_total_are_a_difference_not_a_500(sims, configure, make_dossier):
    gw, payments = _paid_at_the_gateway_callbacks_lost(sims, configure, make_dossier, [HUGE, HUGE])
    for p in payments:  # both confirmed by their callbacks; the gateway's file then lists one only
        services._confirm(p, amount_vnd=HUGE, paid_at=dt.datetime.fromisoformat("2026-03-05T10:00:00+07:00"),
                          via="callback")
    gw.payments[payments[1].gateway_ref]["status"] = "refunded"
    run = services.reconcile(DAY)
    assert (run.ours_count, run.ours_total_vnd) == (1, HUGE)
    assert sorted((m["merchant_ref"], m["problem"]) for m in run.mismatches) == sorted([
        (payments[1].merchant_ref, "missing_at_gateway"), (payments[1].merchant_ref, "total_too_large")])
    (too_large,) = [m for m in run.mismatches if m["problem"] == "total_too_large"]
    assert too_large["message"] == (
        f"Giao dịch {payments[1].merchant_ref} của hệ thống: số tiền 5.000.000.000.000.000.000 đ làm tổng tiền của lần "
        "đối soát vượt quá mức hệ thống ghi được (9.223.372.036.854.775.807 đ); không cộng vào tổng theo hệ thống.")
