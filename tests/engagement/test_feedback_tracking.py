"""Tracking a feedback item by its code and contact: the contact (a phone or an e-mail, personal data) travels in a
POST body, not in the URL where access logs, browser history and Referer headers keep it (Decree 13/2023/ND-CP)."""

import pytest
from django.test import Client

from motcua.accounts import lockout
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/engagement"


def _sent(client) -> str:
    AgencyFactory(code="H55.98")
    r = client.post(f"{BASE}/feedback", {"classification": "regulation", "title": "Phí sao y",
                                         "content": "Đề nghị công khai mức phí.", "name": "Võ Thị Lan",
                                         "email": "lan@example.com", "phone": "0935111222", "agency_code": "H55.98"},
                    content_type="application/json")
    assert r.status_code == 201, r.content
    return r.json()["code"]


def _track(client, code, contact):
    return client.post(f"{BASE}/feedback/track/{code}", {"contact": contact}, content_type="application/json")


def test_the_sender_tracks_with_the_contact_in_the_body_not_the_url(client):
    code = _sent(client)
    r = _track(client, code, "+84 935 111 222")
    assert r.status_code == 200 and r.json()["status"] == "received" and r.json()["code"] == code
    assert "0935111222" not in r.request["PATH_INFO"] + r.request.get("QUERY_STRING", "")
    assert _track(client, code, "LAN@example.com").status_code == 200
    r = _track(client, code, "0900000000")
    assert r.status_code == 404 and r.json()["code"] == "feedback_not_found"
    r = _track(client, code, "")
    assert r.status_code == 422 and r.json()["message"]


def test_guesses_over_post_and_the_old_get_count_together(client):
    code = _sent(client)
    for n in range(lockout.LOOKUP_LIMIT // 2):
        assert _track(client, code, f"09000000{n:02d}").status_code == 404
        assert client.get(f"{BASE}/feedback/track/{code}", {"contact": f"09100000{n:02d}"}).status_code == 404
    r = _track(client, code, "0935111222")  # right, but too late
    assert r.status_code == 429 and r.json()["code"] == "too_many_attempts" and "quá nhiều lần" in r.json()["message"]
    assert client.get(f"{BASE}/feedback/track/{code}", {"contact": "0935111222"}).status_code == 429
    assert _track(Client(REMOTE_ADDR="203.0.113.50"), "PA-KHONG-CO", "0935111222").status_code == 404


def test_the_get_with_the_contact_in_the_url_is_documented_as_deprecated(client):
    spec = client.get("/api/v1/openapi.json").json()
    paths = spec["paths"][f"{BASE}/feedback/track/{{code}}"]
    assert paths["get"].get("deprecated") is True and "POST" in paths["get"]["description"]
    body = paths["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert not paths["post"].get("deprecated") and spec["components"]["schemas"][body]["required"] == ["contact"]
    assert {"200", "404"} <= set(paths["post"]["responses"])
    assert paths["post"]["responses"]["429"]["description"].startswith("Quá nhiều lần thử sai")


@pytest.mark.parametrize("typed", ["0935.111.222", "0935-111-222", "(0935) 111 222", "84935111222"])
def test_the_phone_as_the_sender_writes_it_finds_the_item(client, typed):
    """The phone is kept as the sending form normalized it (accounts.services.normalize_phone: dots, dashes,
    brackets, 84…): tracking reads what the sender types the same way, not as a wrong guess that counts."""
    code = _sent(client)
    r = _track(client, code, typed)
    assert r.status_code == 200, r.content
    assert r.json()["code"] == code
