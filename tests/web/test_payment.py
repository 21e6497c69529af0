"""Paying a dossier's fee online from the citizen's dossier page, against the payment-gateway simulator."""

import pytest
from django.test import Client
from django.urls import reverse

from motcua.dossiers.models import Dossier
from motcua.payments.models import Payment
from tests.integrations.conftest import configure, sims  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def fee_dossier(submitted):
    Dossier.objects.filter(pk=submitted.pk).update(fee_vnd=50_000)
    submitted.refresh_from_db()
    return submitted


def _deliver_callbacks(gw):
    """What the gateway does after the citizen paid: POST its signed notice to our callback URL."""
    anon = Client()
    while gw.callbacks:
        body, headers = gw.callbacks.pop()
        meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items() if k != "Content-Type"}
        resp = anon.post("/api/v1/payments/callback", data=body, content_type="application/json", **meta)
        assert resp.status_code == 200, resp.content


def _messages(client, url):
    return client.get(url).content.decode()


def test_citizen_pays_online_and_the_dossier_page_shows_it_paid(client, world, fee_dossier, sims, configure):  # noqa: F811
    running = sims(("payment",))
    configure(running)
    gw = running["payment"]
    client.force_login(world["citizen"])
    page_url = reverse("portal:dossier", args=[fee_dossier.pk])
    body = client.get(page_url).content.decode()
    assert "50.000 đ" in body and "Thanh toán trực tuyến" in body and "Đã thanh toán trực tuyến" not in body
    assert f'action="{reverse("portal:pay", args=[fee_dossier.pk])}"' in body and "csrfmiddlewaretoken" in body

    resp = client.post(reverse("portal:pay", args=[fee_dossier.pk]))
    assert resp.status_code == 302 and resp["Location"].startswith(gw.url + "/pay/")
    again = client.post(reverse("portal:pay", args=[fee_dossier.pk]))  # second click: same pending payment
    assert again.status_code == 302 and again["Location"] == resp["Location"]
    assert Payment.objects.filter(dossier=fee_dossier).count() == 1 and len(gw.payments) == 1
    assert "chờ cổng thanh toán xác nhận" in client.get(page_url).content.decode()

    # back from the gateway before its callback arrived: nothing is marked paid on the citizen's word
    back = client.get(reverse("portal:payment_return", args=[fee_dossier.pk]) + "?status=paid")
    assert back.status_code == 302 and back["Location"] == page_url
    body = client.get(page_url).content.decode()
    assert "chưa báo kết quả" in body and "Đã thanh toán trực tuyến" not in body

    gw.pay(resp["Location"].rsplit("/", 1)[-1])  # the citizen pays on the gateway's page
    _deliver_callbacks(gw)
    fee_dossier.refresh_from_db()
    assert fee_dossier.fee_paid_online is True
    client.get(reverse("portal:payment_return", args=[fee_dossier.pk]))
    body = client.get(page_url).content.decode()
    assert "<strong>Đã thanh toán trực tuyến</strong>" in body
    assert f'action="{reverse("portal:pay", args=[fee_dossier.pk])}"' not in body
    # a late click on an old tab does not start a second payment
    late = client.post(reverse("portal:pay", args=[fee_dossier.pk]))
    assert late.status_code == 302 and late["Location"] == page_url
    assert Payment.objects.filter(dossier=fee_dossier).count() == 1


def test_no_gateway_configured_says_pay_at_the_counter(client, world, fee_dossier, settings):
    settings.MOTCUA_INTEGRATIONS = {}
    client.force_login(world["citizen"])
    resp = client.post(reverse("portal:pay", args=[fee_dossier.pk]), follow=True)
    body = resp.content.decode()
    assert resp.status_code == 200 and "Chưa cấu hình cổng thanh toán" in body and "Bộ phận Một cửa" in body
    assert not Payment.objects.filter(status=Payment.PENDING).exists()


def test_gateway_down_says_pay_at_the_counter(client, world, fee_dossier, sims, configure):  # noqa: F811
    running = sims(("payment",))
    configure(running, timeout_s=0.5, max_attempts=1)
    running["payment"].stop()  # the gateway stops answering
    client.force_login(world["citizen"])
    resp = client.post(reverse("portal:pay", args=[fee_dossier.pk]), follow=True)
    body = resp.content.decode()
    assert resp.status_code == 200 and "Chưa thanh toán trực tuyến được" in body and "Bộ phận Một cửa" in body
    fee_dossier.refresh_from_db()
    assert fee_dossier.fee_paid_online is False


def test_no_fee_no_button(client, world, submitted):
    client.force_login(world["citizen"])
    body = client.get(reverse("portal:dossier", args=[submitted.pk])).content.decode()
    assert "Không thu" in body and "Thanh toán trực tuyến</button>" not in body
    resp = client.post(reverse("portal:pay", args=[submitted.pk]), follow=True)
    assert resp.status_code == 200 and "không có khoản phí" in resp.content.decode()


def test_someone_elses_dossier_cannot_be_paid(client, world, fee_dossier, sims, configure):  # noqa: F811
    configure(sims(("payment",)))
    client.force_login(world["citizen2"])
    assert client.post(reverse("portal:pay", args=[fee_dossier.pk])).status_code == 404
    assert client.get(reverse("portal:payment_return", args=[fee_dossier.pk])).status_code == 404
    assert not Payment.objects.exists()


def test_paying_needs_a_post(client, world, fee_dossier):
    client.force_login(world["citizen"])
    assert client.get(reverse("portal:pay", args=[fee_dossier.pk])).status_code == 405
