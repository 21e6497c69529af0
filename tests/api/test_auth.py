"""Bearer tokens for integrators, Django sessions (with CSRF) for the web front end."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from motcua.accounts.models import ApiToken
from motcua.api.auth import hash_token, revoke_token

pytestmark = pytest.mark.django_db


def test_no_credentials_is_401_in_vietnamese(world):
    r = Client().get("/api/v1/dossiers")
    assert r.status_code == 401
    assert r.json()["code"] == "unauthenticated" and "xác thực" in r.json()["message"]


@pytest.mark.parametrize("header", ["Bearer mcs_deadbeef_khongdung", "Bearer ", "Basic dXNlcjpwYXNz",
                                    "Bearer " + "x" * 5000])
def test_wrong_token_is_401_never_csrf_or_500(world, header):
    r = Client(headers={"Authorization": header}).post("/api/v1/dossiers", {}, content_type="application/json")
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"


def test_only_the_hash_is_stored_and_the_secret_works(world):
    raw = world.tokens["citizen"]
    row = ApiToken.objects.get(name="test citizen")
    assert row.key_hash == hash_token(raw) and raw not in (row.key_hash, row.prefix)
    assert raw.split("_")[1] == row.prefix and len(row.prefix) == 8
    me = world.client("citizen").get("/api/v1/accounts/me")
    assert me.status_code == 200 and me.json()["username"] == "dan"


def test_revoked_token_is_refused(world):
    revoke_token(ApiToken.objects.get(name="test citizen"))
    assert world.client("citizen").get("/api/v1/accounts/me").status_code == 401


def test_disabled_account_token_is_refused(world):
    user = world.users["citizen"]
    user.is_active = False
    user.save()
    assert world.client("citizen").get("/api/v1/accounts/me").status_code == 401


def test_last_used_is_written_at_most_once_a_minute(world, monkeypatch):
    row = ApiToken.objects.get(name="test citizen")
    assert row.last_used_at is None
    client = world.client("citizen")
    client.get("/api/v1/accounts/me")
    first = ApiToken.objects.get(pk=row.pk).last_used_at
    assert first is not None
    client.get("/api/v1/accounts/me")
    assert ApiToken.objects.get(pk=row.pk).last_used_at == first
    later = first + timedelta(seconds=61)  # a minute later (the token is still in this process's cache)
    monkeypatch.setattr("motcua.api.auth.timezone.now", lambda: later)
    client.get("/api/v1/accounts/me")
    assert ApiToken.objects.get(pk=row.pk).last_used_at == later


def test_session_auth_needs_csrf_on_unsafe_methods(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.users["citizen"])
    assert browser.get("/api/v1/accounts/me").json()["username"] == "dan"
    r = browser.post("/api/v1/accounts/tokens", {"name": "x"}, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    browser.get("/api/v1/accounts/me")  # any page; fetch a CSRF cookie the way the front end does
    from django.middleware.csrf import _get_new_csrf_string

    token = _get_new_csrf_string()
    browser.cookies["csrftoken"] = token
    r = browser.post("/api/v1/accounts/tokens", {"name": "từ trình duyệt"}, content_type="application/json",
                     headers={"X-CSRFToken": token})
    assert r.status_code == 201, r.content
    assert r.json()["token"].startswith("mcs_")


def test_token_lifecycle_over_the_api(world):
    client = world.client("leader")
    created = client.post("/api/v1/accounts/tokens", {"name": "Cổng DVC"}, content_type="application/json")
    assert created.status_code == 201
    secret, token_id = created.json()["token"], created.json()["id"]
    listed = client.get("/api/v1/accounts/tokens").json()
    assert token_id in [t["id"] for t in listed] and all("token" not in t for t in listed)
    new_client = Client(headers={"Authorization": f"Bearer {secret}"})
    assert new_client.get("/api/v1/accounts/me").status_code == 200
    assert client.delete(f"/api/v1/accounts/tokens/{token_id}").json()["revoked_at"]
    assert new_client.get("/api/v1/accounts/me").status_code == 401
    # Someone else's token cannot be revoked by id.
    other = ApiToken.objects.get(name="test citizen")
    assert client.delete(f"/api/v1/accounts/tokens/{other.pk}").status_code == 404
    assert ApiToken.objects.get(pk=other.pk).revoked_at is None


def test_create_api_token_command_prints_the_secret_once(world, capsys):
    call_command("create_api_token", "lanhdao", "Tích hợp LGSP")
    out = capsys.readouterr().out.strip()
    row = ApiToken.objects.get(name="Tích hợp LGSP")
    assert row.key_hash == hash_token(out) and row.user.username == "lanhdao"
    r = Client(headers={"Authorization": f"Bearer {out}"}).get("/api/v1/accounts/me")
    assert r.json()["username"] == "lanhdao"
    assert row.created_at <= timezone.now()


def test_create_api_token_command_unknown_user(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("create_api_token", "khongco", "x")
