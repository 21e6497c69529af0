"""The gateway sends the citizen back with a signed result: valid, tampered, replayed; the fee reduction and its
legal source on the dossier page and the receipt."""

import json
import unicodedata
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
import pytest
from django.urls import reverse

from motcua.catalog.fees import quote
from motcua.dossiers import lifecycle
from motcua.integrations.signing import sign_params, signed_headers
from motcua.outbox.models import OutboxEvent
from motcua.payments.models import Payment
from tests.integrations.conftest import SECRET, configure, sims  # noqa: F401

pytestmark = pytest.mark.django_db

BASIS = "Nghị quyết 12/2025/NQ-HĐND tỉnh Quảng Ngãi"


@pytest.fixture
def reduced(world):
    proc = world["proc"]
    proc.fee_vnd, proc.fee_online_vnd, proc.fee_online_basis = 15_000, 7_500, BASIS
    proc.save()
    return lifecycle.submit_online(
        applicant=world["citizen"], procedure=proc, agency=world["agency"],
        applicant_data={"name": "Trần Thị Mai", "id_number": "051190001234", "phone": "0912345678"},
        form_data={"child_name": "Trần Minh An", "birth_date": "2026-11-01"}, return_method="online")


@pytest.fixture
def gateway(sims, configure):  # noqa: F811
    running = sims(("payment",))
    configure(running)
    return running["payment"]


def _to_gateway(client, dossier):
    resp = client.post(reverse("portal:pay", args=[dossier.pk]))
    assert resp.status_code == 302
    return resp["Location"]


def _press(pay_url, action="pay"):
    """The citizen presses a button on the gateway's page; the gateway answers with a redirect to our return URL."""
    answer = httpx.post(pay_url, data={"action": action}, follow_redirects=False)
    assert answer.status_code == 302
    back = urlparse(answer.headers["location"])
    return back.path, {k: v[0] for k, v in parse_qs(back.query, keep_blank_values=True).items()}


def _paid_events(dossier):
    return OutboxEvent.objects.filter(topic="payment.paid", aggregate_id=str(dossier.pk)).count()


def test_fee_reduction_is_explained_with_its_source(client, world, reduced, gateway):
    assert reduced.fee_vnd == 7_500
    text = "Lệ phí 15.000 đ, giảm 50 % khi nộp trực tuyến theo " + BASIS + ": còn 7.500 đ"
    assert quote(world["proc"], "online").explanation == text
    assert quote(world["proc"], "counter").amount_vnd == 15_000 and not quote(world["proc"], "counter").reduced
    client.force_login(world["citizen"])
    assert text in client.get(reverse("portal:dossier", args=[reduced.pk])).content.decode()
    page = httpx.get(_to_gateway(client, reduced)).text  # the gateway's page says what is paid and why
    assert "7.500 đ" in page and BASIS in page


def test_signed_return_records_the_payment_once_and_shows_the_receipt(client, world, reduced, gateway):
    client.force_login(world["citizen"])
    path, result = _press(_to_gateway(client, reduced))
    assert path == reverse("portal:payment_return", args=[reduced.pk]) and result["sig"].startswith("v1=")
    back = client.get(path, result, follow=True)
    body = back.content.decode()
    assert back.redirect_chain[-1][0] == reverse("portal:dossier", args=[reduced.pk])
    assert "Đã thanh toán trực tuyến 7.500 đ" in body and "Biên lai thanh toán" in body
    reduced.refresh_from_db()
    payment = Payment.objects.get(dossier=reduced)
    assert reduced.fee_paid_online and payment.status == Payment.PAID and payment.confirmed_by == "return"
    receipt = client.get(reverse("portal:payment_receipt", args=[reduced.pk])).content.decode()
    assert "15.000 đ" in receipt and "7.500 đ" in receipt and BASIS in receipt and payment.merchant_ref in receipt

    # the same signed result again (a reload, a copied link): refused, nothing recorded twice
    again = client.get(path, result)
    assert again.status_code == 409 and "đã được ghi nhận lúc" in again.content.decode()
    assert _paid_events(reduced) == 1
    assert reduced.events.filter(action="record_payment").count() == 1


@pytest.mark.parametrize("change", [{"amount_vnd": "1"}, {"status": "paid", "merchant_ref": "KHAC"},
                                    {"sig": "v1=" + "0" * 64},
                                    {"sig": "v1=" + "０" * 64}])  # not ASCII: hmac.compare_digest raised, a 500
def test_tampered_return_is_refused_in_vietnamese_and_records_nothing(client, world, reduced, gateway, change):
    client.force_login(world["citizen"])
    path, result = _press(_to_gateway(client, reduced), action="cancel")  # a citizen who did not pay …
    forged = {**result, "status": "paid", **change}  # … edits the address to say they did
    resp = client.get(path, forged)
    body = resp.content.decode()
    assert resp.status_code == 400 and "không có chữ ký hợp lệ" in body
    payment = Payment.objects.get(dossier=reduced)
    assert payment.status == Payment.PENDING and payment.returned_at is None and _paid_events(reduced) == 0
    reduced.refresh_from_db()
    assert not reduced.fee_paid_online
    # the genuine (cancelled) result still counts once: not paid, the citizen may pay again
    honest = client.get(path, result, follow=True).content.decode()
    assert "Giao dịch chưa thành công" in honest and "Thanh toán trực tuyến</button>" in honest


@pytest.mark.parametrize("amount", ["7_500", "+7500", " 7500", "7500.0", "７５００", "True"])
def test_a_signed_result_whose_amount_is_not_digits_records_nothing(client, world, reduced, gateway, amount):
    """The gateway signed it, but int() read "7_500", "+7500" and "７５００" as 7.500 đ: the fee was marked paid on
    a malformed result. The amount is 0–9 or the result is refused (payments.services), and nothing is recorded."""
    client.force_login(world["citizen"])
    path, result = _press(_to_gateway(client, reduced))
    signed = sign_params(SECRET, {**{k: v for k, v in result.items() if k not in ("ts", "sig")}, "amount_vnd": amount})
    resp = client.get(path, signed)
    assert resp.status_code == 400 and "không phải một số nguyên đồng" in resp.content.decode()
    payment = Payment.objects.get(dossier=reduced)
    assert payment.status == Payment.PENDING and payment.returned_at is None and _paid_events(reduced) == 0
    reduced.refresh_from_db()
    assert not reduced.fee_paid_online
    assert client.get(path, result).status_code == 302  # the gateway's own result still counts
    assert Payment.objects.get(dossier=reduced).status == Payment.PAID and _paid_events(reduced) == 1


def test_return_after_the_callback_does_not_confirm_twice(client, world, reduced, gateway):
    client.force_login(world["citizen"])
    path, result = _press(_to_gateway(client, reduced))
    body, headers = gateway.callbacks.pop()
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items() if k != "Content-Type"}
    assert client.post("/api/v1/payments/callback", data=body, content_type="application/json",
                       **meta).status_code == 200
    assert client.get(path, result).status_code == 302
    assert Payment.objects.get(dossier=reduced).confirmed_by == "callback" and _paid_events(reduced) == 1


def test_another_gateway_transaction_is_the_same_refusal_on_the_callback_and_on_the_return(client, world, reduced,
                                                                                           gateway):
    """The gateway signs a word about our payment that names another of its transactions: the callback answered 409,
    the citizen's return page 400 for the same fact. Both are 409 gateway_ref_mismatch, and nothing is recorded."""
    client.force_login(world["citizen"])
    path, result = _press(_to_gateway(client, reduced))
    payment = Payment.objects.get(dossier=reduced)
    fields = {k: v for k, v in result.items() if k not in ("ts", "sig")}
    other = {**fields, "gateway_ref": "GW-KHAC-0001"}
    body = json.dumps({**other, "amount_vnd": int(other["amount_vnd"])}).encode()
    notice = client.post("/api/v1/payments/callback", data=body, content_type="application/json",
                         **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in signed_headers(SECRET, body).items()
                            if k != "Content-Type"})
    back = client.get(path, sign_params(SECRET, other))
    assert (notice.status_code, notice.json()["code"]) == (409, "gateway_ref_mismatch")
    assert back.status_code == notice.status_code and notice.json()["message"] in back.content.decode()
    payment.refresh_from_db()
    assert payment.status == Payment.PENDING and payment.returned_at is None and _paid_events(reduced) == 0
    assert client.get(path, result).status_code == 302  # the gateway's own result still counts
    assert Payment.objects.get(dossier=reduced).status == Payment.PAID and _paid_events(reduced) == 1


def test_a_result_for_another_dossier_is_not_taken(client, world, reduced, gateway):
    other = lifecycle.submit_online(
        applicant=world["citizen"], procedure=world["proc"], agency=world["agency"],
        applicant_data={"name": "Trần Thị Mai", "id_number": "051190001234", "phone": "0912345678"},
        form_data={"child_name": "Trần Minh Khang", "birth_date": "2026-11-02"}, return_method="online")
    client.force_login(world["citizen"])
    _path, result = _press(_to_gateway(client, reduced))
    resp = client.get(reverse("portal:payment_return", args=[other.pk]) + "?" + urlencode(result))
    assert resp.status_code == 404 and not Payment.objects.filter(dossier=other, status=Payment.PAID).exists()


def test_the_dossier_page_lets_its_pay_form_reach_the_gateway(client, world, reduced, gateway):
    """The browser checks the pay button's redirect against the page's form-action policy: without the gateway's
    origin there, Chromium stays on the page (found by tests/e2e/test_citizen_journey.py)."""
    client.force_login(world["citizen"])
    policy = client.get(reverse("portal:dossier", args=[reduced.pk]))["Content-Security-Policy"]
    form_action = next(p for p in policy.split(";") if p.strip().startswith("form-action"))
    assert "'self'" in form_action and gateway.url in form_action
    other = client.get(reverse("portal:my_dossiers"))["Content-Security-Policy"]
    assert gateway.url not in other  # only where the pay button is


def test_a_signed_result_with_decomposed_vietnamese_is_checked_as_sent(client, world, reduced, gateway):
    """Pages read their parameters precomposed (core.input); the gateway's signed result is checked exactly as sent,
    or a description it signed in decomposed Vietnamese would fail its own signature (portal payment_return is
    @raw_input)."""
    client.force_login(world["citizen"])
    path, result = _press(_to_gateway(client, reduced))
    described = unicodedata.normalize("NFD", "Thanh toán lệ phí hồ sơ")
    signed = sign_params(SECRET, {**{k: v for k, v in result.items() if k not in ("ts", "sig")},
                                  "order_info": described})
    back = client.get(path, signed, follow=True)
    assert "Đã thanh toán trực tuyến 7.500 đ" in back.content.decode()
    assert Payment.objects.get(dossier=reduced).status == Payment.PAID
