"""The lean API path: bearer calls skip the page middleware, tokens and roles are cached per process,
answers are encoded by orjson — and every guarantee of the slow path holds."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from ninja.responses import NinjaJSONEncoder

from motcua.accounts.models import ApiToken, RoleAssignment
from motcua.api import tokencache
from motcua.api.auth import revoke_token
from motcua.api.main import VietnameseJSONRenderer

from .conftest import submit_body

pytestmark = pytest.mark.django_db

ME = "/api/v1/accounts/me"


@pytest.fixture(autouse=True)
def _fresh_token_cache():
    tokencache.clear()
    yield
    tokencache.clear()


def _submitted(world):
    r = world.client("citizen").post("/api/v1/dossiers", submit_body(world), content_type="application/json",
                                     headers={"Idempotency-Key": "lean-1"})
    assert r.status_code == 201, r.content
    return r.json()["code"]


def test_revoked_token_is_refused_at_once_though_it_was_cached(world):
    client = world.client("citizen")
    assert client.get(ME).status_code == 200  # now in this process's cache
    revoke_token(ApiToken.objects.get(name="test citizen"))
    r = client.get(ME)
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"


def test_token_revoked_through_the_api_is_refused_at_once(world):
    client = world.client("citizen")
    token_id = ApiToken.objects.get(name="test citizen").pk
    assert client.delete(f"/api/v1/accounts/tokens/{token_id}").status_code == 200
    assert client.get(ME).status_code == 401


def test_disabled_account_is_refused_at_once(world):
    client = world.client("counter")
    assert client.get(ME).status_code == 200
    user = world.users["counter"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get(ME).status_code == 401


def test_role_removed_or_added_applies_to_the_next_call(world):
    code = _submitted(world)
    counter = world.client("counter")
    assert counter.get(f"/api/v1/dossiers/{code}").status_code == 200  # token and roles cached
    RoleAssignment.objects.filter(user=world.users["counter"]).delete()
    assert counter.get(f"/api/v1/dossiers/{code}").status_code == 404  # no longer an officer of the agency
    assert counter.get(ME).json()["roles"] == []
    RoleAssignment.objects.create(user=world.users["counter"], role="counter_officer", agency=world.agency)
    assert counter.get(f"/api/v1/dossiers/{code}").status_code == 200
    r = counter.post(f"/api/v1/dossiers/{code}/receive", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "received", r.content


def test_change_made_elsewhere_applies_once_the_entry_expires(world, monkeypatch):
    """Another worker process (or SQL) revokes the token: this process follows within the TTL."""
    now = [1000.0]
    monkeypatch.setattr(tokencache, "_clock", lambda: now[0])
    client = world.client("citizen")
    assert client.get(ME).status_code == 200
    # No model signal reaches this process, as when another process revokes the token.
    ApiToken.objects.filter(name="test citizen").update(revoked_at=dt.datetime.now(dt.UTC))
    now[0] += settings.MOTCUA_API_AUTH_CACHE_SECONDS - 0.5
    assert client.get(ME).status_code == 200  # still within the documented delay
    now[0] += 1.0
    assert client.get(ME).status_code == 401


def test_requests_get_their_own_copy_of_the_cached_account(world):
    client = world.client("leader")
    first = client.get(ME).json()
    assert [r["role"] for r in first["roles"]] == ["leader"]
    assert client.get(ME).json() == first


def test_bearer_call_gets_no_cookie_and_posts_without_csrf(world):
    browser = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {world.tokens['citizen']}"})
    browser.force_login(world.users["other_citizen"])  # a session cookie is sent along; the token decides
    r = browser.post("/api/v1/dossiers", submit_body(world), content_type="application/json",
                     headers={"Idempotency-Key": "lean-csrf"})
    assert r.status_code == 201, r.content
    assert not r.cookies  # no session, CSRF or message cookie set
    assert "Cookie" not in r.get("Vary", "")
    assert browser.get(ME).json()["username"] == "dan"


def test_wrong_bearer_token_does_not_fall_back_to_the_session(world):
    browser = Client(headers={"Authorization": "Bearer mcs_deadbeef_khongdung"})
    browser.force_login(world.users["citizen"])
    r = browser.get(ME)
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"


def test_session_calls_and_pages_keep_sessions_and_csrf(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.users["citizen"])
    r = browser.post("/api/v1/accounts/tokens", {"name": "x"}, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    page = Client(enforce_csrf_checks=True).post("/tai-khoan/dang-nhap/", {"username": "dan", "password": "x"})
    assert page.status_code == 403  # a page form without its CSRF token is still refused


def test_answers_keep_their_values_and_security_headers(world):
    r = world.client("citizen").get(ME)
    assert r["Content-Type"] == "application/json; charset=utf-8"
    assert r["X-Frame-Options"] == "DENY" and "default-src 'self'" in r["Content-Security-Policy"]
    assert "Trần Thị Dân".encode() in r.content  # UTF-8, not \\u escapes
    data = {"text": "Hồ sơ đã tiếp nhận", "at": dt.datetime(2025, 3, 4, 5, 6, 7, 891011, tzinfo=dt.UTC),
            "day": dt.date(2025, 3, 4), "time": dt.time(8, 30, 15, 250000), "fee": Decimal("15000.50"),
            "items": [1, 2.5, None, True], "nested": {"status": "received"}}
    ours = VietnameseJSONRenderer().render(None, data, response_status=200)
    assert json.loads(ours) == json.loads(json.dumps(data, cls=NinjaJSONEncoder))
    assert json.loads(ours)["at"] == "2025-03-04T05:06:07.891Z"  # Django's format, not orjson's own
