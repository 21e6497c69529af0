"""Sign-in with the national e-ID (OIDC authorization code + PKCE) against the simulator."""

from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from django.test import Client

from motcua.accounts.models import Role, RoleAssignment, User
from motcua.demo.simulators import EidSimulator
from motcua.integrations.eid import EidError, decode_hs256, encode_hs256
from tests.factories import citizen

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(settings):
    sim = EidSimulator(client_secret="eid-secret").start()
    settings.MOTCUA_INTEGRATIONS = {"eid": {"url": sim.url, "client_id": "motcua", "secret": "eid-secret"}}
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


def test_id_token_checks():
    token = encode_hs256({"iss": "https://id", "aud": "motcua", "nonce": "n", "exp": 9_999_999_999}, "k")
    assert decode_hs256(token, "k", issuer="https://id", audience="motcua", nonce="n")["aud"] == "motcua"
    for kwargs in ({"issuer": "https://evil"}, {"audience": "other"}, {"nonce": "x"}):
        args = {"issuer": "https://id", "audience": "motcua", "nonce": "n", **kwargs}
        with pytest.raises(EidError):
            decode_hs256(token, "k", **args)
    with pytest.raises(EidError):
        decode_hs256(token, "wrong-key", issuer="https://id", audience="motcua", nonce="n")


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
