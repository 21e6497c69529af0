"""The officer second factor gates every officer surface: API sessions, token minting, admin, back office, pages."""

import pyotp
import pytest
from django.test import Client

from motcua.accounts.models import ApiToken
from motcua.audit.services import record
from tests.factories import AgencyFactory, citizen, enrol_2fa, officer

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk():
    return officer("counter_officer", AgencyFactory(), username="motcua.moi")


@pytest.fixture
def admin_user():
    user = officer("provincial_admin", None, username="quantri.tinh", is_staff=True, is_superuser=True)
    record(user, "dossier.receive", "dossier", 1, {"ghi chú": "nhật ký mẫu"})
    return user


def password_only(user) -> Client:
    """A browser that typed the right password and nothing more."""
    client = Client()
    client.force_login(user)
    return client


def verify(client, secret, next_url="/can-bo/"):
    resp = client.post("/can-bo/xac-thuc-hai-lop/", {"code": pyotp.TOTP(secret).now(), "next": next_url})
    assert resp.status_code == 302, resp.content.decode()
    return resp


@pytest.mark.parametrize("enrolled", [True, False], ids=["needs-code", "needs-enrolment"])
def test_api_refuses_a_password_only_officer_session_in_json(clerk, enrolled):
    if enrolled:
        enrol_2fa(clerk)
    client = password_only(clerk)
    for resp in (client.get("/api/v1/dossiers"), client.get("/api/v1/accounts/me"),
                 client.post("/api/v1/accounts/tokens", {"name": "lách xác thực"}, content_type="application/json")):
        assert resp.status_code == 403 and resp["Content-Type"].startswith("application/json")
        body = resp.json()
        assert body["code"] == "twofactor_required" and "xác thực hai lớp" in body["message"]
        assert body["details"]["step"] == ("verify" if enrolled else "enrol")
    assert not ApiToken.objects.filter(user=clerk).exists(), "no token minted past the gate"


def test_after_the_code_the_api_and_token_minting_work(clerk):
    secret = enrol_2fa(clerk)
    client = password_only(clerk)
    verify(client, secret)
    assert client.get("/api/v1/dossiers").status_code == 200
    minted = client.post("/api/v1/accounts/tokens", {"name": "tích hợp"}, content_type="application/json")
    assert minted.status_code == 201 and minted.json()["token"].startswith("mcs_")


def test_admin_and_its_audit_log_redirect_to_the_second_factor(admin_user):
    secret = enrol_2fa(admin_user)
    client = password_only(admin_user)
    for path in ("/admin/", "/admin/audit/auditentry/", "/admin/accounts/user/"):
        resp = client.get(path)
        assert resp.status_code == 302 and resp["Location"].startswith("/can-bo/xac-thuc-hai-lop/?next=/admin/")
    assert client.get("/admin/login/").status_code in (200, 302)  # signing in stays open
    assert verify(client, secret, "/admin/audit/auditentry/")["Location"] == "/admin/audit/auditentry/"
    page = client.get("/admin/audit/auditentry/")
    assert page.status_code == 200 and "nhật ký" in page.content.decode()


def test_admin_without_a_device_is_sent_to_enrol(admin_user):
    resp = password_only(admin_user).get("/admin/")
    assert resp.status_code == 302 and resp["Location"].startswith("/can-bo/xac-thuc-hai-lop/dang-ky/?next=/admin/")


@pytest.mark.parametrize("path", ["/can-bo/tiep-nhan/", "/thong-ke/ho-so/", "/thong-ke/bao-cao/"])
def test_other_officer_pages_redirect_too(clerk, path):
    resp = password_only(clerk).get(path)
    assert resp.status_code == 302 and "/can-bo/xac-thuc-hai-lop/" in resp["Location"]


def test_switch_off_lets_password_sessions_through(clerk, settings):
    settings.MOTCUA_OFFICER_2FA = False
    client = password_only(clerk)
    assert client.get("/api/v1/dossiers").status_code == 200
    assert client.get("/can-bo/tiep-nhan/").status_code == 200


def test_citizens_are_not_asked(db):
    client = password_only(citizen(username="congdan.x"))
    assert client.get("/api/v1/accounts/me").status_code == 200
    assert client.get("/ho-so-cua-toi/").status_code == 200
