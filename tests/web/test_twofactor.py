"""Officers pass a second factor (TOTP) before the back office; citizens do not."""

import pyotp
import pytest
from django.urls import reverse

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
    assert ok["Location"] == reverse("backoffice:home")


def test_citizen_portal_needs_no_second_factor(client, world, real_2fa):
    client.force_login(world["citizen"])
    assert client.get(reverse("portal:my_dossiers")).status_code == 200
