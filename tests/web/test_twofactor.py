"""Officers pass a second factor (TOTP) before the back office; citizens do not."""

import pyotp
import pytest
from django.urls import reverse
from django.utils.http import urlencode

from tests.factories import enrol_2fa

pytestmark = pytest.mark.django_db


def test_officer_without_2fa_must_enrol_first(client, world, real_2fa):
    client.force_login(world["counter"])
    resp = client.get(reverse("backoffice:queue"))
    assert resp.status_code == 302 and reverse("backoffice:twofa_enrol") in resp["Location"]
    page = client.get(resp["Location"])
    assert page.status_code == 200 and "<svg" in page.content.decode()
    secret = client.session["motcua_2fa_enrolment"]["secret"]
    bad = client.post(reverse("backoffice:twofa_enrol"), {"code": "000000", "next": "/can-bo/tiep-nhan/"})
    assert bad.status_code == 422 and "Mã xác thực không đúng" in bad.content.decode()
    assert client.session["motcua_2fa_enrolment"]["secret"] == secret  # same QR after an error
    ok = client.post(reverse("backoffice:twofa_enrol"), {"code": pyotp.TOTP(secret).now(), "next": "/can-bo/tiep-nhan/"})
    body = ok.content.decode()
    assert ok.status_code == 200 and "mã khôi phục" in body
    assert client.get(reverse("backoffice:queue")).status_code == 200


def test_enrolled_officer_verifies_each_session(client, world, real_2fa):
    secret = enrol_2fa(world["leader"])
    client.force_login(world["leader"])
    resp = client.get(reverse("backoffice:dashboard"))
    assert resp.status_code == 302 and reverse("backoffice:twofa_verify") in resp["Location"]
    bad = client.post(reverse("backoffice:twofa_verify"), {"code": "123456", "next": "/can-bo/bang-dieu-khien/"})
    assert bad.status_code == 422 and "Mã xác thực không đúng" in bad.content.decode()
    ok = client.post(reverse("backoffice:twofa_verify"), {"code": pyotp.TOTP(secret).now(),
                                                          "next": "/can-bo/bang-dieu-khien/"})
    assert ok.status_code == 302 and ok["Location"] == "/can-bo/bang-dieu-khien/"
    assert client.get(reverse("backoffice:dashboard")).status_code == 200


def test_next_cannot_leave_the_back_office(client, world, real_2fa):
    secret = enrol_2fa(world["leader"])
    client.force_login(world["leader"])
    ok = client.post(reverse("backoffice:twofa_verify"), {"code": pyotp.TOTP(secret).now(),
                                                          "next": "https://evil.example/"})
    assert ok["Location"] == reverse("backoffice:inbox")  # the leader's own work


def _sign_in(client, username, **query):
    url = reverse("portal:login") + (f"?{urlencode(query)}" if query else "")
    return client.post(url, {"username": username, "password": "matkhau-123"}, follow=True)


def test_a_leader_signs_in_with_one_redirect_to_the_code_and_one_to_their_work(client, world, real_2fa):
    secret = enrol_2fa(world["leader"])
    inbox = reverse("backoffice:inbox")
    resp = _sign_in(client, "lanhdao1")
    code_page = f"{reverse('backoffice:twofa_verify')}?next={inbox}"
    assert resp.redirect_chain == [(code_page, 302)]  # not via /can-bo/ first
    assert resp.status_code == 200 and "Mã xác thực" in resp.content.decode()
    resp = client.post(code_page, {"code": pyotp.TOTP(secret).now()}, follow=True)
    assert resp.redirect_chain == [(inbox, 302)]  # not via /can-bo/ again
    assert resp.status_code == 200 and "<h1>Việc của tôi</h1>" in resp.content.decode()


def test_sign_in_goes_straight_to_the_counter_queue_the_page_asked_for_or_the_citizens_dossiers(client, world,
                                                                                                  real_2fa, settings):
    settings.MOTCUA_OFFICER_2FA = False  # the second factor off: nothing between the password and the work
    resp = _sign_in(client, "motcua1")
    assert resp.redirect_chain == [(reverse("backoffice:queue"), 302)] and resp.status_code == 200
    client.logout()
    asked = reverse("backoffice:dossiers") + "?q=khai+sinh"
    resp = _sign_in(client, "motcua1", next=asked)
    assert resp.redirect_chain == [(asked, 302)] and resp.status_code == 200
    client.logout()
    resp = _sign_in(client, "lanhdao1", next="https://evil.example/")  # not a page of ours: the leader's own work
    assert resp.redirect_chain == [(reverse("backoffice:inbox"), 302)]
    client.logout()
    resp = _sign_in(client, "congdan1")
    assert resp.redirect_chain == [(reverse("portal:my_dossiers"), 302)] and resp.status_code == 200


def test_an_officer_asked_for_a_page_gets_the_code_then_that_page(client, world, real_2fa):
    secret = enrol_2fa(world["counter"])
    asked = reverse("backoffice:dashboard")
    resp = _sign_in(client, "motcua1", next=asked)
    assert resp.redirect_chain == [(f"{reverse('backoffice:twofa_verify')}?next={asked}", 302)]
    resp = client.post(resp.redirect_chain[0][0], {"code": pyotp.TOTP(secret).now()}, follow=True)
    assert resp.redirect_chain == [(asked, 302)] and resp.status_code == 200


def test_citizen_portal_needs_no_second_factor(client, world, real_2fa):
    client.force_login(world["citizen"])
    assert client.get(reverse("portal:my_dossiers")).status_code == 200
