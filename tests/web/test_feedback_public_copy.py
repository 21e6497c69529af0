"""The back office's publisher reads and edits the public copy of a feedback answer before and after it goes out
(Decree 13/2023/ND-CP: the automatic masking misses a third person's name, a house address...)."""

import html
import re

import pytest
from django.urls import reverse

from motcua.audit.models import AuditEntry
from motcua.engagement.feedback import answer_feedback, submit_feedback
from motcua.engagement.models import Feedback, FeedbackStatus

pytestmark = pytest.mark.django_db
CONTENT = ("Tôi là Võ Thị Lan, SĐT 0935 111 222. Cán bộ Nguyễn Văn Ba ở số 7 ngõ 15 Hàng Bông bắt tôi chờ 3 giờ.")


def _answered(world):
    fb = submit_feedback(None, classification="conduct", title="Võ Thị Lan: chờ 3 giờ ở quầy", content=CONTENT,
                         name="Võ Thị Lan", phone="0935111222", agency=world["agency"])
    return answer_feedback(world["counter"], fb, "Kính gửi bà Võ Thị Lan: quầy 3 đã được nhắc nhở.")


def _field(page: str, name: str) -> str:
    """The text a form's field holds (a textarea's content or an input's value)."""
    m = re.search(rf'<textarea name="{name}"[^>]*>\s*(.*?)</textarea>', page, re.S) or re.search(
        rf'<input type="text" name="{name}" value="([^"]*)"', page)
    assert m, name
    return html.unescape(m.group(1))


def _act(client, fb, action, data):
    return client.post(reverse("backoffice:feedback_action", args=[fb.pk, action]), data)


def _portal(client):
    client.logout()
    return client.get(reverse("portal:feedback_answers")).content.decode()


def test_the_publisher_sees_the_masked_copy_and_the_portal_shows_what_they_edited(client, world):
    fb = _answered(world)
    client.force_login(world["leader"])
    page = client.get(reverse("backoffice:feedback", args=[fb.pk])).content.decode()
    assert _field(page, "public_title") == "Võ T. L.: chờ 3 giờ ở quầy"
    assert _field(page, "public_content") == CONTENT.replace("Võ Thị Lan", "Võ T. L.").replace("0935 111 222",
                                                                                            "[đã ẩn]")
    assert _field(page, "public_answer") == "Kính gửi bà Võ T. L.: quầy 3 đã được nhắc nhở."
    assert "họ tên người khác, địa chỉ nhà" in page, "the hint says what to remove"
    # the officer takes out the third person and the address, and types the sender's phone back by mistake
    edited = "Tôi là Võ T. L., SĐT 0935.111.222. Một cán bộ bắt tôi chờ 3 giờ."
    resp = _act(client, fb, "publish", {"public_title": "Chờ 3 giờ ở quầy", "public_content": edited,
                                        "public_answer": "Kính gửi bà Võ Thị Lan: quầy 3 đã được nhắc nhở."})
    assert resp.status_code == 302
    assert "đã được ẩn tự động" in client.get(resp.url).content.decode(), "the officer is told"
    body = _portal(client)
    assert "Một cán bộ bắt tôi chờ 3 giờ." in body and "Chờ 3 giờ ở quầy" in body
    for gone in ("Nguyễn Văn Ba", "Hàng Bông", "0935", "111.222", "Võ Thị Lan"):
        assert gone not in body, gone
    assert "Tôi là Võ T. L., SĐT [đã ẩn]." in body and "Kính gửi bà Võ T. L.:" in body
    entry = AuditEntry.objects.get(action="engagement.feedback_published", object_id=str(fb.pk))
    assert entry.actor_id == world["leader"].pk and entry.data["edited"] == ["public_content", "public_title"]


def test_an_emptied_public_field_is_refused_and_nothing_is_published(client, world):
    fb = _answered(world)
    client.force_login(world["leader"])
    resp = _act(client, fb, "publish", {"public_title": " ", "public_content": "Nội dung", "public_answer": "Trả lời"})
    assert resp.status_code == 422 and "Vui lòng nhập tiêu đề công khai." in resp.content.decode()
    fb.refresh_from_db()
    assert fb.status == FeedbackStatus.ANSWERED and not fb.is_public and fb.public_content == ""


def test_a_manager_corrects_the_public_copy_after_publishing_and_it_is_audited(client, world):
    fb = _answered(world)
    client.force_login(world["leader"])
    assert _act(client, fb, "publish", {}).status_code == 302, "no field sent: the automatic copy"
    assert "Nguyễn Văn Ba" in _portal(client)
    client.force_login(world["leader"])
    page = client.get(reverse("backoffice:feedback", args=[fb.pk])).content.decode()
    assert "Sửa nội dung công khai" in page and "Bản công khai trên Cổng" in page
    fixed = _field(page, "public_content").replace("Nguyễn Văn Ba ở số 7 ngõ 15 Hàng Bông", "quầy 3")
    resp = _act(client, fb, "public_copy", {"public_title": _field(page, "public_title"), "public_content": fixed,
                                            "public_answer": _field(page, "public_answer")})
    assert resp.status_code == 302
    body = _portal(client)
    assert "Nguyễn Văn Ba" not in body and "Hàng Bông" not in body and "Cán bộ quầy 3 bắt tôi chờ 3 giờ." in body
    entry = AuditEntry.objects.get(action="engagement.feedback_public_copy_corrected", object_id=str(fb.pk))
    assert entry.actor_id == world["leader"].pk and entry.data["fields"] == ["public_content"]
    assert entry.data["now"]["public_content"] == Feedback.objects.get(pk=fb.pk).public_content


def test_an_officer_without_publishing_rights_neither_publishes_nor_corrects(client, world):
    fb = _answered(world)
    client.force_login(world["counter"])
    page = client.get(reverse("backoffice:feedback", args=[fb.pk])).content.decode()
    assert 'name="public_content"' not in page, "not offered to whoever may not publish"
    resp = _act(client, fb, "publish", {"public_title": "A", "public_content": "B", "public_answer": "C"})
    assert resp.status_code == 403 and "Bạn không có quyền xử lý phản ánh" in resp.content.decode()
    client.force_login(world["leader"])
    _act(client, fb, "publish", {})
    client.force_login(world["counter"])
    resp = _act(client, fb, "public_copy", {"public_title": "Khác", "public_content": "Khác", "public_answer": "Khác"})
    assert resp.status_code == 403 and "Bạn không có quyền xử lý phản ánh" in resp.content.decode()
    fb.refresh_from_db()
    assert fb.public_title == "Võ T. L.: chờ 3 giờ ở quầy"
    assert not AuditEntry.objects.filter(action="engagement.feedback_public_copy_corrected").exists()


def _received(world):
    return submit_feedback(None, classification="conduct", title="Võ Thị Lan: chờ 3 giờ ở quầy", content=CONTENT,
                           name="Võ Thị Lan", phone="0935111222", agency=world["agency"])


def test_answer_and_publish_at_once_opens_the_public_copy_to_read_before_anything_goes_public(client, world):
    """Decree 13/2023/ND-CP art. 11: «công khai ngay» no longer publishes a masked copy no one has read; the manager
    lands on the publish step, the copy of the new answer prefilled, and publishes what they edited."""
    fb = _received(world)
    client.force_login(world["leader"])
    resp = _act(client, fb, "answer", {"answer": "Kính gửi bà Võ Thị Lan (0935 111 222): cán bộ Nguyễn Văn Ba đã "
                                                 "được nhắc nhở.", "publish": "on"})
    assert resp.status_code == 302
    fb.refresh_from_db()
    assert fb.status == FeedbackStatus.ANSWERED and not fb.is_public and fb.published_at is None
    page = client.get(resp.url).content.decode()
    assert "Vui lòng đọc lại bản công khai" in page
    assert '<details id="xu-ly-publish" open' in page, "the publish step is open"
    assert _field(page, "public_answer") == "Kính gửi bà Võ T. L. ([đã ẩn]): cán bộ Nguyễn Văn Ba đã được nhắc nhở."
    assert fb.code not in _portal(client), "nothing public yet"
    client.force_login(world["leader"])
    resp = _act(client, fb, "publish", {"public_title": _field(page, "public_title"),
                                        "public_content": _field(page, "public_content"),
                                        "public_answer": "Kính gửi bà Võ T. L.: cán bộ quầy 3 đã được nhắc nhở."})
    assert resp.status_code == 302
    body = _portal(client)
    assert "Kính gửi bà Võ T. L.: cán bộ quầy 3 đã được nhắc nhở." in body and "Nguyễn Văn Ba đã" not in body


def test_answer_and_publish_at_once_by_whoever_may_not_publish_writes_nothing(client, world):
    fb = _received(world)
    client.force_login(world["counter"])
    resp = _act(client, fb, "answer", {"answer": "Quầy 3 đã được nhắc nhở, cảm ơn bà.", "publish": "on"})
    assert resp.status_code == 403 and "Bạn không có quyền xử lý phản ánh" in resp.content.decode()
    fb.refresh_from_db()
    assert fb.status == FeedbackStatus.RECEIVED and fb.answer == "" and not fb.is_public
