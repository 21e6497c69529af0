"""The API's publisher sends the public copy they edited, or corrects it after publishing (Decree 13/2023/ND-CP)."""

import pytest

from motcua.audit.models import AuditEntry
from motcua.engagement.feedback import answer_feedback, publish_feedback, submit_feedback
from motcua.engagement.models import FeedbackStatus
from tests.factories import AgencyFactory, officer, sign_in

pytestmark = pytest.mark.django_db
BASE = "/api/v1/engagement"
CONTENT = "Tôi là Võ Thị Lan, SĐT 0935 111 222. Cán bộ Nguyễn Văn Ba ở số 7 ngõ 15 Hàng Bông bắt tôi chờ."


def _answered(agency, publish=False):
    fb = submit_feedback(None, classification="conduct", title="Chờ ở quầy", content=CONTENT, name="Võ Thị Lan",
                         phone="0935111222", agency=agency)
    fb = answer_feedback(officer("leader", agency), fb, "Kính gửi bà Võ Thị Lan: đã nhắc nhở cán bộ quầy 3.")
    return publish_feedback(officer("leader", agency), fb) if publish else fb


def _send(client, method, url, data):
    return getattr(client, method)(url, data, content_type="application/json")


def _public(client):
    client.logout()
    return client.get(f"{BASE}/feedback/public").json()


def test_the_publisher_reads_the_automatic_copy_then_publishes_an_edited_one(client):
    agency = AgencyFactory()
    fb = _answered(agency)
    sign_in(client, officer("leader", agency))
    detail = client.get(f"{BASE}/feedback/{fb.pk}").json()
    assert detail["public_content"].startswith("Tôi là Võ T. L., SĐT [đã ẩn]. Cán bộ Nguyễn Văn Ba")
    r = _send(client, "post", f"{BASE}/feedback/{fb.pk}/publish", {"public_title": ""})
    assert r.status_code == 422 and r.json()["code"] == "feedback_public_copy_invalid"
    assert r.json()["details"]["public_title"] == "Vui lòng nhập tiêu đề công khai."
    assert client.get(f"{BASE}/feedback/{fb.pk}").json()["status"] == FeedbackStatus.ANSWERED
    edited = "Tôi là Võ Thị Lan (0935111222, lan.vo@example.com). Một cán bộ bắt tôi chờ."
    r = _send(client, "post", f"{BASE}/feedback/{fb.pk}/publish", {"public_content": edited})
    assert r.status_code == 200 and r.json()["status"] == FeedbackStatus.PUBLISHED
    [shown] = _public(client)
    assert shown["content"] == "Tôi là Võ T. L. ([đã ẩn], [đã ẩn]). Một cán bộ bắt tôi chờ."
    assert shown["title"] == "Chờ ở quầy" and shown["answer"].startswith("Kính gửi bà Võ T. L.:"), "the automatic copy"


def test_publishing_without_a_body_keeps_the_automatic_copy(client):
    agency = AgencyFactory()
    fb = _answered(agency)
    sign_in(client, officer("department_head", agency))
    assert client.generic("POST", f"{BASE}/feedback/{fb.pk}/publish").status_code == 200  # as before: no body
    assert _public(client)[0]["content"].startswith("Tôi là Võ T. L., SĐT [đã ẩn].")


def test_answering_with_publish_needs_the_public_answer_the_manager_read(client):
    """Decree 13/2023/ND-CP art. 11: the masked copy of an answer written in the same call was never shown to anyone;
    publishing at once takes the copy the manager read, else it is refused and nothing is written."""
    agency = AgencyFactory()
    sign_in(client, officer("leader", agency))
    fb = submit_feedback(None, classification="conduct", title="Chờ", content=CONTENT, name="Võ Thị Lan",
                         phone="0935111222", agency=agency)
    url = f"{BASE}/feedback/{fb.pk}/answer"
    answer = "Gửi bà Võ Thị Lan, số 0935 111 222: đã nhắc nhở cán bộ Nguyễn Văn Ba."
    r = _send(client, "post", url, {"answer": answer, "publish": True})
    assert r.status_code == 422 and r.json()["code"] == "feedback_public_copy_required"
    assert "kết quả xử lý công khai" in r.json()["message"] and "public_answer" in r.json()["details"]
    fb.refresh_from_db()
    assert fb.status == FeedbackStatus.RECEIVED and fb.answer == "" and not fb.is_public, "nothing half-written"
    assert _public(client) == []
    sign_in(client, officer("leader", agency))
    r = _send(client, "post", url, {"answer": answer, "publish": True,
                                    "public_answer": "Gửi bà Võ Thị Lan, số 0935 111 222: đã nhắc nhở cán bộ quầy 3."})
    assert r.status_code == 200 and r.json()["status"] == FeedbackStatus.PUBLISHED
    assert r.json()["answer"] == answer, "the officers keep the answer as sent"
    [shown] = _public(client)
    assert shown["answer"] == "Gửi bà Võ T. L., số [đã ẩn]: đã nhắc nhở cán bộ quầy 3.", "the copy sent, masked again"
    assert shown["title"] == "Chờ" and shown["content"].startswith("Tôi là Võ T. L., SĐT [đã ẩn]."), "automatic"


def test_answering_without_publish_shows_the_public_answer_to_read_before_publishing(client):
    agency = AgencyFactory()
    sign_in(client, officer("leader", agency))
    fb = submit_feedback(None, classification="conduct", title="Chờ", content=CONTENT, name="Võ Thị Lan",
                         phone="0935111222", agency=agency)
    r = _send(client, "post", f"{BASE}/feedback/{fb.pk}/answer",
              {"answer": "Gửi bà Võ Thị Lan, số 0935 111 222: đã nhắc nhở.", "public_answer": "ignored"})
    assert r.status_code == 200 and r.json()["status"] == FeedbackStatus.ANSWERED
    assert r.json()["public_answer"] == "Gửi bà Võ T. L., số [đã ẩn]: đã nhắc nhở.", "what /publish would publish"
    assert _public(client) == []


def test_a_manager_corrects_a_published_copy_others_may_not(client):
    agency = AgencyFactory()
    fb = _answered(agency, publish=True)
    url = f"{BASE}/feedback/{fb.pk}/public-copy"
    sign_in(client, officer("counter_officer", agency))
    r = _send(client, "patch", url, {"public_content": "Khác hẳn."})
    assert r.status_code == 403 and r.json()["code"] == "forbidden" and "không có quyền" in r.json()["message"]
    leader = officer("leader", agency)
    sign_in(client, leader)
    fixed = CONTENT.replace("Nguyễn Văn Ba ở số 7 ngõ 15 Hàng Bông", "quầy 3")
    r = _send(client, "patch", url, {"public_content": fixed})
    assert r.status_code == 200 and r.json()["public_content"] == "Tôi là Võ T. L., SĐT [đã ẩn]. Cán bộ quầy 3 bắt tôi chờ."
    assert r.json()["content"] == CONTENT, "the text as sent stays for the officers"
    r = _send(client, "patch", url, {"public_answer": "   "})
    assert r.status_code == 422 and r.json()["details"]["public_answer"] == "Vui lòng nhập kết quả xử lý công khai."
    entry = AuditEntry.objects.get(action="engagement.feedback_public_copy_corrected", object_id=str(fb.pk))
    assert entry.actor_id == leader.pk and entry.data["fields"] == ["public_content"]
    [shown] = _public(client)
    assert "Nguyễn Văn Ba" not in str(shown) and shown["content"].endswith("Cán bộ quầy 3 bắt tôi chờ.")


def test_only_a_published_item_has_its_public_copy_corrected(client):
    agency = AgencyFactory()
    fb = _answered(agency)
    sign_in(client, officer("leader", agency))
    r = _send(client, "patch", f"{BASE}/feedback/{fb.pk}/public-copy", {"public_title": "Khác"})
    assert r.status_code == 409 and r.json()["code"] == "feedback_invalid_status"
    assert "sửa nội dung công khai" in r.json()["message"]
