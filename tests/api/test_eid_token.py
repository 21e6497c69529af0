"""A citizen app signs in with VNeID (OpenID Connect for native apps: authorization code + PKCE, RFC 8252) and gets an
API token that remembers the sign-in; a dossier it submits for the person the e-ID vouched for counts as the
applicant authenticated with VNeID (Decision 766 4.5), as on the portal. Against the e-ID simulator over loopback."""

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
import jwt
import pytest
from django.test import Client

from motcua.accounts.models import ApiToken, User
from motcua.api import tokencache
from motcua.api.auth import hash_token, issue_token
from motcua.demo.simulators import EidSimulator
from motcua.dossiers.models import Dossier
from motcua.integrations import eid
from tests.api.conftest import submit_body
from tests.integrations.test_eid import SECRET
from tests.integrations.test_eid import sign_in as portal_sign_in

pytestmark = pytest.mark.django_db
HOLDER = "051190012345"  # Nguyễn Thị Hồng Nhung in the e-ID simulator
APP_REDIRECT = "vn.gov.motcua.app:/vneid"
LOOPBACK_REDIRECT = "http://127.0.0.1/vneid"  # RFC 8252 §7.3: registered without a port, used with any
APP_REDIRECT_URIS = [APP_REDIRECT, LOOPBACK_REDIRECT]


@pytest.fixture
def provider(settings):
    sim = EidSimulator(client_secret=SECRET).start()
    settings.MOTCUA_INTEGRATIONS = {"eid": {"url": sim.url, "client_id": "motcua", "secret": SECRET,
                                            "app_redirect_uris": APP_REDIRECT_URIS}}
    settings.MOTCUA_API_AUTH_CACHE_SECONDS = 60  # the token as the cache keeps it, as in production
    yield sim
    sim.stop()


def app_authorize(sim, hint=HOLDER, redirect=APP_REDIRECT) -> dict:
    """What the app does on the phone: its own verifier, nonce and redirect URI; the citizen approves in VNeID. The
    body it then sends to POST /accounts/tokens/eid."""
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = {"response_type": "code", "client_id": "motcua", "scope": "openid profile", "redirect_uri": redirect,
             "state": "app-state", "nonce": nonce, "code_challenge": challenge, "code_challenge_method": "S256",
             "login_hint": hint}
    back = httpx.get(f"{sim.url}/authorize?{urlencode(query)}", follow_redirects=False)
    assert back.status_code == 302 and back.headers["location"].startswith(redirect)
    code = parse_qs(urlparse(back.headers["location"]).query)["code"][0]
    return {"code": code, "code_verifier": verifier, "redirect_uri": redirect, "nonce": nonce}


def token_for(body: dict):
    return Client().post("/api/v1/accounts/tokens/eid", body, content_type="application/json")


def as_(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


def submit(client: Client, world, **extra) -> Dossier:
    r = client.post("/api/v1/dossiers", submit_body(world, **extra), content_type="application/json")
    assert r.status_code == 201, r.content
    return Dossier.objects.get(code=r.json()["code"])


def test_app_sign_in_gives_a_token_and_a_dossier_for_oneself_counts_as_vneid(provider, world):
    r = token_for(app_authorize(provider))
    assert r.status_code == 201, r.content
    answer = r.json()
    assert answer["vneid"] is True and answer["token"].startswith("mcs_") and answer["name"]
    holder = User.objects.get(id_number=HOLDER)
    assert holder.id_number_verified() and holder.full_name == "Nguyễn Thị Hồng Nhung"
    app = as_(answer["token"])
    assert app.get("/api/v1/accounts/me").json()["username"] == holder.username
    assert tokencache._entries[hash_token(answer["token"])].token.eid_id_number == HOLDER  # the cache carries it
    assert submit(app, world).applicant_vneid  # the account holder, not named: is the vouched person
    named = {"name": "Nguyễn Thị Hồng Nhung", "id_number": HOLDER}
    assert submit(app, world, applicant=named).applicant_vneid
    assert [t["vneid"] for t in app.get("/api/v1/accounts/tokens").json()] == [True]


def test_a_dossier_filed_for_someone_else_does_not_count(provider, world):
    app = as_(token_for(app_authorize(provider)).json()["token"])
    other = {"name": "Trần Văn Bình", "id_number": "051085004321"}
    dossier = submit(app, world, applicant=other)
    assert not dossier.applicant_vneid and dossier.applicant_id_number == "051085004321"


def test_only_the_token_the_sign_in_issued_counts_not_another_of_the_same_account(provider, world):
    app = as_(token_for(app_authorize(provider)).json()["token"])
    holder = User.objects.get(id_number=HOLDER)
    _, typed = issue_token(holder, "khóa tạo bằng mật khẩu")  # as POST /accounts/tokens or create_api_token make it
    assert not submit(as_(typed), world).applicant_vneid
    assert submit(app, world).applicant_vneid
    assert not ApiToken.objects.get(name="khóa tạo bằng mật khẩu").eid_id_number


def test_a_portal_session_signed_in_with_vneid_counts_over_the_api_too(provider, world):
    browser = Client()
    assert portal_sign_in(browser, hint=HOLDER).status_code == 302
    assert submit(browser, world).applicant_vneid
    password_only = Client()
    password_only.force_login(User.objects.get(id_number=HOLDER))
    assert not submit(password_only, world).applicant_vneid


def test_a_wrong_or_used_code_is_refused_with_a_code_and_issues_nothing(provider):
    body = app_authorize(provider)
    wrong_verifier = token_for({**body, "code_verifier": secrets.token_urlsafe(48)})
    assert wrong_verifier.status_code == 400 and wrong_verifier.json()["code"] == "eid_code_invalid"
    assert "định danh điện tử" in wrong_verifier.json()["message"]
    body = app_authorize(provider)
    assert token_for(body).status_code == 201
    again = token_for(body)  # the code was used
    assert again.status_code == 400 and again.json()["code"] == "eid_code_invalid"
    invented = token_for({**app_authorize(provider), "code": "khong-phai-ma"})
    assert invented.status_code == 400 and invented.json()["code"] == "eid_code_invalid"
    other_nonce = token_for({**app_authorize(provider), "nonce": "not-the-apps-nonce"})
    assert other_nonce.status_code == 400 and other_nonce.json()["code"] == "eid_token_invalid"
    assert ApiToken.objects.count() == 1


def test_missing_fields_are_named_in_vietnamese(provider):
    r = token_for({"code": "abc"})
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    assert set(r.json()["details"]["fields"]) >= {"code_verifier", "redirect_uri", "nonce"}


def test_revoking_the_token_ends_it(provider, world):
    answer = token_for(app_authorize(provider)).json()
    app = as_(answer["token"])
    assert app.get("/api/v1/accounts/me").status_code == 200  # now in the token cache
    revoked = app.delete(f"/api/v1/accounts/tokens/{answer['id']}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] and revoked.json()["vneid"] is True
    assert app.get("/api/v1/accounts/me").status_code == 401
    assert app.post("/api/v1/dossiers", submit_body(world), content_type="application/json").status_code == 401


def test_an_e_id_provider_that_does_not_answer_is_503(provider, settings):
    body = app_authorize(provider)
    provider.stop()
    r = token_for(body)
    assert r.status_code == 503 and r.json()["code"] == "eid_unavailable"
    settings.MOTCUA_INTEGRATIONS = {}
    r = token_for(body)
    assert r.status_code == 503 and r.json()["code"] == "eid_not_configured"
    assert not ApiToken.objects.exists() and not User.objects.filter(id_number=HOLDER).exists()


def test_a_disabled_account_gets_no_token(provider):
    assert token_for(app_authorize(provider)).status_code == 201
    User.objects.filter(id_number=HOLDER).update(is_active=False)
    r = token_for(app_authorize(provider))
    assert r.status_code == 403 and r.json()["code"] == "account_disabled"
    assert ApiToken.objects.count() == 1


def test_the_openapi_document_describes_the_operation_in_vietnamese():
    operation = Client().get("/api/v1/openapi.json").json()["paths"]["/api/v1/accounts/tokens/eid"]["post"]
    assert "security" not in operation and "VNeID" in operation["summary"]
    assert "eid_code_invalid" in operation["description"] and "eid_unavailable" in operation["description"]
    assert {"201", "400", "403", "422", "503"} <= set(operation["responses"])


def test_an_address_sending_refused_codes_stops_reaching_the_provider(provider, settings):
    """Anyone may call the operation, and each call asks VNeID: codes the provider refuses count as bad API tokens
    do (MOTCUA_TOKEN_FAILURE_LIMIT per address), then the address gets 429 without VNeID being asked."""
    settings.MOTCUA_TOKEN_FAILURE_LIMIT = 3
    bad = {**app_authorize(provider), "code": "khong-phai-ma"}
    assert [token_for(bad).status_code for _ in range(3)] == [400, 400, 400]
    good = app_authorize(provider)
    refused = token_for(good)
    assert refused.status_code == 429 and refused.json()["code"] == "too_many_attempts"
    assert "mã đăng nhập VNeID" in refused.json()["message"]
    assert not ApiToken.objects.exists()


def test_an_address_sending_redirect_uris_not_registered_is_locked_out_like_for_refused_codes(provider, settings):
    """A redirect URI not registered is refused before VNeID is asked, and counts towards the same per-address limit as
    a code VNeID refuses: past it, even a good sign-in from that address gets 429, mixed failures counting together."""
    settings.MOTCUA_TOKEN_FAILURE_LIMIT = 3
    stranger = {**app_authorize(provider), "redirect_uri": "https://ke-gian.example/vneid"}
    assert [token_for(stranger).json()["code"] for _ in range(2)] == ["eid_redirect_uri_not_allowed"] * 2
    assert token_for({**app_authorize(provider), "code": "khong-phai-ma"}).json()["code"] == "eid_code_invalid"
    good = app_authorize(provider)
    refused = token_for(good)
    assert refused.status_code == 429 and refused.json()["code"] == "too_many_attempts"
    assert good["code"] in provider.codes, "the provider was not asked"
    other_address = Client(REMOTE_ADDR="192.0.2.7").post("/api/v1/accounts/tokens/eid", good,
                                                         content_type="application/json")
    assert other_address.status_code == 201, other_address.content
    assert ApiToken.objects.count() == 1


@pytest.fixture
def rs256_provider(settings, monkeypatch):
    """The e-ID as VNeID signs: RS256, the ID token checked with the keys it publishes."""
    monkeypatch.setattr(eid, "_jwks_clients", {})
    sim = EidSimulator(client_secret=SECRET, algorithm="RS256").start()
    settings.MOTCUA_INTEGRATIONS = {"eid": {"url": sim.url, "client_id": "motcua", "secret": SECRET,
                                            "jwks_url": sim.jwks_url, "app_redirect_uris": APP_REDIRECT_URIS}}
    yield sim
    sim.stop()


def test_an_app_signs_in_with_an_rs256_id_token(rs256_provider, world):
    r = token_for(app_authorize(rs256_provider))
    assert r.status_code == 201, r.content
    assert r.json()["vneid"] is True
    assert submit(as_(r.json()["token"]), world).applicant_vneid


def test_an_rs256_id_token_not_signed_by_the_provider_issues_nothing(rs256_provider):
    kid = rs256_provider.signing_keys[-1][0]
    rs256_provider.sign = lambda claims: jwt.encode(claims, SECRET, algorithm="HS256", headers={"kid": kid})
    r = token_for(app_authorize(rs256_provider))
    assert r.status_code == 400 and r.json()["code"] == "eid_token_invalid"
    assert not ApiToken.objects.exists() and not User.objects.filter(id_number=HOLDER).exists()


def test_the_provider_key_set_not_answering_is_503(rs256_provider):
    rs256_provider.jwks_down = True
    r = token_for(app_authorize(rs256_provider))
    assert r.status_code == 503 and r.json()["code"] == "eid_unavailable" and "tạm thời" in r.json()["message"]
    assert not ApiToken.objects.exists() and not User.objects.filter(id_number=HOLDER).exists()
    rs256_provider.jwks_down = False
    assert token_for(app_authorize(rs256_provider)).status_code == 201


@pytest.mark.parametrize("redirect", [
    "https://ke-gian.example/vneid",  # an address the installation never registered
    "vn.gov.motcua.app:/vneid/khac",  # the app's scheme, another path
    "http://127.0.0.1:53682/khac",  # loopback, another path
    "https://127.0.0.1:53682/vneid",  # loopback, another scheme
    "http://127.0.0.1@ke-gian.example:53682/vneid",  # not loopback at all
    "http://user@127.0.0.1:53682/vneid",
    "http://127.0.0.1:53682/vneid#x",
])
def test_a_redirect_uri_not_registered_is_refused_before_the_provider_is_asked(provider, redirect):
    # The provider itself lets the code go there (a fragment aside: it would not append the code after one).
    body = {**app_authorize(provider, redirect=redirect.partition("#")[0]), "redirect_uri": redirect}
    r = token_for(body)
    assert r.status_code == 400 and r.json()["code"] == "eid_redirect_uri_not_allowed"
    assert "chưa được đăng ký" in r.json()["message"]
    assert body["code"] in provider.codes, "the provider was not asked: the code is still unused"
    assert not ApiToken.objects.exists() and not User.objects.filter(id_number=HOLDER).exists()


@pytest.mark.parametrize("redirect", [APP_REDIRECT, "http://127.0.0.1:53682/vneid", "http://127.0.0.1:8/vneid",
                                      "http://testserver/tich-hop/vneid/callback/"],
                         ids=["app_scheme", "loopback_port", "loopback_other_port", "portal_callback"])
def test_a_registered_redirect_uri_loopback_on_any_port_or_the_portals_callback_signs_in(provider, redirect):
    r = token_for(app_authorize(provider, redirect=redirect))
    assert r.status_code == 201, r.content


def test_without_registered_app_redirect_uris_only_the_portals_callback_is_exchanged(provider, settings):
    del settings.MOTCUA_INTEGRATIONS["eid"]["app_redirect_uris"]
    body = app_authorize(provider)
    r = token_for(body)
    assert r.status_code == 400 and r.json()["code"] == "eid_redirect_uri_not_allowed"
    assert body["code"] in provider.codes
    assert token_for(app_authorize(provider, redirect="http://testserver/tich-hop/vneid/callback/")).status_code == 201
