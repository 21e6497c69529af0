"""Sign-in with the national e-ID (OIDC authorization code + PKCE) against the simulator."""

import base64
import hashlib
import hmac
import json
import time
from urllib.parse import parse_qs, urlparse

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client

from motcua.accounts.models import Role, RoleAssignment, User
from motcua.demo.simulators import EidSimulator
from motcua.demo.simulators.base import Html
from motcua.integrations import eid
from motcua.integrations.eid import EidError, decode_id_token
from tests.factories import citizen

pytestmark = pytest.mark.django_db
SECRET = "eid-client-secret-of-the-tests-0123456789"  # HS256 wants 32 bytes or more (RFC 7518 §3.2)


@pytest.fixture
def provider(settings):
    sim = EidSimulator(client_secret=SECRET).start()
    settings.MOTCUA_INTEGRATIONS = {"eid": {"url": sim.url, "client_id": "motcua", "secret": SECRET}}
    yield sim
    sim.stop()


def sign_in(client, hint="051190012345", next_url="/ho-so/"):
    start = client.get("/tich-hop/vneid/dang-nhap/", {"next": next_url, "hint": hint})
    assert start.status_code == 302
    authorize = start["Location"]
    params = parse_qs(urlparse(authorize).query)
    assert params["code_challenge_method"] == ["S256"] and params["client_id"] == ["motcua"]
    back = httpx.get(authorize, follow_redirects=False)  # the citizen approves on the e-ID app
    assert back.status_code == 302
    callback = urlparse(back.headers["location"])
    return client.get(callback.path, {k: v[0] for k, v in parse_qs(callback.query).items()})


def test_first_sign_in_creates_the_citizen_account(provider):
    client = Client()
    done = sign_in(client)
    assert done.status_code == 302 and done["Location"] == "/ho-so/"
    user = User.objects.get(id_number="051190012345")
    assert user.full_name == "Nguyễn Thị Hồng Nhung" and not user.has_usable_password()
    assert RoleAssignment.objects.filter(user=user, role=Role.CITIZEN).exists()
    assert int(client.session["_auth_user_id"]) == user.pk


def test_existing_citizen_is_signed_in_not_duplicated(provider):
    me = citizen(id_number="051085004321", full_name="Trần Văn Bình")
    client = Client()
    assert sign_in(client, hint="051085004321").status_code == 302
    assert int(client.session["_auth_user_id"]) == me.pk
    assert User.objects.filter(id_number="051085004321").count() == 1


def test_forged_state_or_replayed_code_is_refused(provider):
    client = Client()
    start = client.get("/tich-hop/vneid/dang-nhap/")
    back = httpx.get(start["Location"], follow_redirects=False)
    query = {k: v[0] for k, v in parse_qs(urlparse(back.headers["location"]).query).items()}
    forged = client.get("/tich-hop/vneid/callback/", {**query, "state": "attacker"})
    assert forged.status_code == 400 and "Phiên đăng nhập" in forged.content.decode()
    again = client.get("/tich-hop/vneid/callback/", query)  # the session's state was used up
    assert again.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_state_in_other_letters_is_refused_not_a_500(provider):
    # hmac.compare_digest raises TypeError on a str with anything but ASCII in it
    client = Client()
    start = client.get("/tich-hop/vneid/dang-nhap/")
    back = httpx.get(start["Location"], follow_redirects=False)
    query = {k: v[0] for k, v in parse_qs(urlparse(back.headers["location"]).query).items()}
    forged = client.get("/tich-hop/vneid/callback/", {**query, "state": "trạng-thái"})
    assert forged.status_code == 400 and "Phiên đăng nhập" in forged.content.decode()
    assert "_auth_user_id" not in client.session


def test_id_token_checks():
    now = int(time.time())
    claims = {"iss": "https://id", "aud": "motcua", "nonce": "n", "iat": now, "exp": now + 300}
    token = jwt.encode(claims, "k" * 32, algorithm="HS256")
    check = {"issuer": "https://id", "audience": "motcua", "nonce": "n", "algorithms": ["HS256"]}
    assert decode_id_token(token, "k" * 32, **check)["aud"] == "motcua"
    for kwargs in ({"issuer": "https://evil"}, {"audience": "other"}, {"nonce": "x"}, {"nonce": ""}):
        with pytest.raises(EidError) as refused:
            decode_id_token(token, "k" * 32, **{**check, **kwargs})
        assert refused.value.code == "eid_token_invalid"
    with pytest.raises(EidError, match="Chữ ký"):
        decode_id_token(token, "wrong-key" * 4, **check)
    with pytest.raises(EidError) as expired:
        decode_id_token(jwt.encode({**claims, "exp": now - 120}, "k" * 32), "k" * 32, **check)
    assert expired.value.code == "eid_token_expired"
    for changed in ({"iat": now + 3600}, {"exp": None}, {"aud": ["motcua", "other"]}):
        forged = jwt.encode({k: v for k, v in {**claims, **changed}.items() if v is not None}, "k" * 32)
        with pytest.raises(EidError) as refused:
            decode_id_token(forged, "k" * 32, **check)
        assert refused.value.code == "eid_token_invalid"


def test_not_configured_is_a_clear_page(settings):
    settings.MOTCUA_INTEGRATIONS = {}
    r = Client().get("/tich-hop/vneid/dang-nhap/")
    assert r.status_code == 503 and "Chưa kết nối" in r.content.decode()


def test_login_page_offers_vneid_first_and_it_signs_in(provider):
    client = Client()
    html = client.get("/tai-khoan/dang-nhap/", {"next": "/ho-so-cua-toi/"}).content.decode()
    button = html.index("Đăng nhập bằng VNeID")
    assert button < html.index('name="username"'), "the e-ID button comes before the password form"
    href = html[html.rindex('href="', 0, button) + 6:html.index('"', html.rindex('href="', 0, button) + 6)]
    start = client.get(href.replace("&amp;", "&"))
    back = httpx.get(start["Location"], follow_redirects=False)
    callback = urlparse(back.headers["location"])
    done = client.get(callback.path, {k: v[0] for k, v in parse_qs(callback.query).items()})
    assert done.status_code == 302 and done["Location"] == "/ho-so-cua-toi/"
    assert User.objects.get(pk=client.session["_auth_user_id"]).id_number == "051190012345"


def test_login_page_without_the_e_id_connection_shows_no_dead_button(settings):
    settings.MOTCUA_INTEGRATIONS = {}
    html = Client().get("/tai-khoan/dang-nhap/").content.decode()
    assert "VNeID" not in html and 'name="username"' in html


class _SwappedUserInfo(EidSimulator):
    """A provider whose user info answers for another person than the one its ID token names (a mixed-up or
    substituted response): OpenID Connect Core 5.3.2 says the client must compare the two subjects."""

    def handle(self, method, path, query, data, h):
        status, body = super().handle(method, path, query, data, h)
        if method == "GET" and path == "/userinfo" and status == 200:
            other = next(p for k, p in self.people.items() if k != body["sub"])
            body = {"sub": other["id_number"], **other}
        return status, body


def _sign_in_at(settings, sim, hint):
    """(client, callback answer) of a sign-in at the provider `sim`, started here and stopped after."""
    sim.start()
    settings.MOTCUA_INTEGRATIONS = {"eid": {"url": sim.url, "client_id": "motcua", "secret": SECRET}}
    client = Client()
    try:
        return client, sign_in(client, hint=hint)
    finally:
        sim.stop()


def test_user_info_for_another_person_than_the_id_token_is_refused(settings):
    someone = citizen(id_number="051085004321", full_name="Trần Văn Bình")
    client, done = _sign_in_at(settings, _SwappedUserInfo(client_secret=SECRET), "051190012345")
    assert done.status_code == 400 and "không khớp" in done.content.decode()
    assert "_auth_user_id" not in client.session and someone.last_login is None


def test_an_answer_without_an_id_number_signs_no_one_in(settings):
    """A citizen account without an ID number (made in the admin site) must not be what an e-ID answer without one
    signs into."""
    citizen(id_number="", full_name="Tài khoản tạo ở trang quản trị")
    person = {"id_number": "", "full_name": "Không Số Định Danh"}
    client, done = _sign_in_at(settings, EidSimulator(client_secret=SECRET, people={"": person}), "")
    assert done.status_code == 400 and "Không đăng nhập được bằng định danh điện tử" in done.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_id_number_that_is_not_one_is_refused_with_a_reason(settings):
    person = {"id_number": "a1b2c3", "full_name": "Ẩn Danh"}
    client, done = _sign_in_at(settings, EidSimulator(client_secret=SECRET, people={"a1b2c3": person}), "a1b2c3")
    assert done.status_code == 400 and "không trả về số định danh cá nhân hợp lệ" in done.content.decode()
    assert "_auth_user_id" not in client.session and not User.objects.filter(full_name="Ẩn Danh").exists()


class _NotOpenIdConnect(EidSimulator):
    """A provider (or a proxy in front of it) answering the token request with a web page, not JSON."""

    def handle(self, method, path, query, data, h):
        if method == "POST" and path == "/token":
            return 200, Html("<html><body>Bảo trì hệ thống</body></html>")
        return super().handle(method, path, query, data, h)


def test_a_token_answer_that_is_not_json_is_the_provider_unavailable_not_a_crash(settings):
    client, done = _sign_in_at(settings, _NotOpenIdConnect(client_secret=SECRET), "051190012345")
    assert done.status_code == 503 and "tạm thời không trả lời" in done.content.decode()
    assert "_auth_user_id" not in client.session


# RS256, as the national e-ID signs: the ID token is checked with the keys the provider publishes (its JWKS).

@pytest.fixture
def rs256_provider(settings, monkeypatch):
    monkeypatch.setattr(eid, "_jwks_clients", {})  # each test's provider is fetched afresh
    sim = EidSimulator(client_secret=SECRET, algorithm="RS256").start()
    settings.MOTCUA_INTEGRATIONS = {"eid": {"url": sim.url, "client_id": "motcua", "secret": SECRET,
                                            "jwks_url": sim.jwks_url}}
    yield sim
    sim.stop()


def _signed_in_as(client):
    return User.objects.get(pk=client.session["_auth_user_id"]).id_number if "_auth_user_id" in client.session else None


def test_an_rs256_id_token_checked_with_the_published_keys_signs_in(rs256_provider):
    client = Client()
    done = sign_in(client)
    assert done.status_code == 302 and done["Location"] == "/ho-so/"
    assert _signed_in_as(client) == "051190012345"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hmac_token(claims: dict, secret: bytes, kid: str | None) -> str:
    """An HS256 token made by hand: PyJWT itself refuses to use a public key as an HMAC secret. No kid: None."""
    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT", **({"kid": kid} if kid else {})}).encode())
    body = _b64(json.dumps(claims).encode())
    return f"{head}.{body}.{_b64(hmac.new(secret, f'{head}.{body}'.encode(), hashlib.sha256).digest())}"


def _public_pem(sim) -> bytes:
    return sim.signing_keys[-1][1].public_key().public_bytes(serialization.Encoding.PEM,
                                                             serialization.PublicFormat.SubjectPublicKeyInfo)


FORGERIES = {  # ID tokens under the provider's published kid that the provider did not sign
    "another_rsa_key": lambda sim, claims: jwt.encode(
        claims, rsa.generate_private_key(public_exponent=65537, key_size=2048), algorithm="RS256",
        headers={"kid": sim.signing_keys[-1][0]}),
    "alg_none": lambda sim, claims: jwt.encode(claims, None, algorithm="none", headers={"kid": sim.signing_keys[-1][0]}),
    "hs256_with_the_client_secret": lambda sim, claims: _hmac_token(claims, SECRET.encode(), sim.signing_keys[-1][0]),
    "hs256_with_the_public_key": lambda sim, claims: _hmac_token(claims, _public_pem(sim), sim.signing_keys[-1][0]),
}


@pytest.mark.parametrize("also_hs256", [False, True], ids=["rs256_only", "hs256_also_configured"])
@pytest.mark.parametrize("forgery", FORGERIES)
def test_an_id_token_the_provider_did_not_sign_is_refused(rs256_provider, settings, forgery, also_hs256):
    """Another key, no signature, or HMAC in place of RSA (algorithm confusion): refused, even with HS256 listed."""
    if also_hs256:
        settings.MOTCUA_INTEGRATIONS["eid"]["algorithms"] = ["RS256", "HS256"]
    genuine = Client()
    assert sign_in(genuine).status_code == 302 and _signed_in_as(genuine) == "051190012345"
    rs256_provider.sign = lambda claims: FORGERIES[forgery](rs256_provider, claims)
    client = Client()
    done = sign_in(client)
    assert done.status_code == 400 and "Chữ ký của mã xác thực định danh điện tử không hợp lệ" in done.content.decode()
    assert _signed_in_as(client) is None


def test_a_rotated_key_is_fetched_and_signs_in(rs256_provider):
    assert sign_in(Client()).status_code == 302
    assert sign_in(Client()).status_code == 302 and rs256_provider.jwks_served == 1, "the key set is kept"
    rs256_provider.rotate_key()  # new key, new kid: not in the set this process keeps
    client = Client()
    done = sign_in(client)
    assert done.status_code == 302 and _signed_in_as(client) == "051190012345"
    assert rs256_provider.jwks_served == 2


def test_the_key_set_not_answering_is_503_and_signs_no_one_in(rs256_provider):
    rs256_provider.jwks_down = True
    client = Client()
    done = sign_in(client)
    assert done.status_code == 503 and "tạm thời không trả lời" in done.content.decode()
    assert _signed_in_as(client) is None
    rs256_provider.jwks_down = False
    assert sign_in(Client()).status_code == 302
    rs256_provider.jwks_down = True  # the keys already fetched still check tokens
    assert sign_in(Client()).status_code == 302
    rs256_provider.rotate_key()  # … but a new key cannot be fetched
    done = sign_in(client)
    assert done.status_code == 503 and _signed_in_as(client) is None


def test_the_demo_simulators_sign_in_with_rs256(settings, monkeypatch):
    """manage.py run_simulators: the e-ID signs as VNeID does, and the printed settings check it with its keys."""
    from motcua.demo import simulators

    monkeypatch.setattr(eid, "_jwks_clients", {})
    sims = simulators.start_all(secret="s")
    try:
        settings.MOTCUA_INTEGRATIONS = simulators.settings_for(sims, secret="s")
        assert settings.MOTCUA_INTEGRATIONS["eid"]["jwks_url"] == sims["eid"].jwks_url
        client = Client()
        assert sign_in(client).status_code == 302 and _signed_in_as(client) == "051190012345"
        assert sims["eid"].jwks_served == 1
    finally:
        for sim in sims.values():
            sim.stop()
