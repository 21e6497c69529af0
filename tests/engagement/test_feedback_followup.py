"""Asking the sender for more information (once, within 5 working days) and raising an answered item again;
both reach the Decision 766 5.2 / 5.3 figures (feedback_summary)."""

import pytest
from django.urls import reverse

from motcua.core.errors import InvalidTransition, PermissionDenied
from motcua.engagement import feedback as services
from motcua.engagement import feedback_reporting as reporting
from motcua.engagement.models import Feedback, FeedbackStatus
from tests.factories import AgencyFactory, citizen, officer, sign_in

from .test_feedback import at, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    agency = AgencyFactory()
    return agency, officer("counter_officer", agency), citizen(phone="0905123456")


def test_information_request_stops_the_clock_and_moves_the_deadline(people):
    agency, handler, sender = people
    fb = submit(sender, agency=agency)  # Mon 02/03 08:00, handle by Mon 23/03 08:00
    fb = services.request_information(handler, fb, "Đề nghị cho biết số hồ sơ và ngày nộp.", at=at(4))
    assert fb.status == FeedbackStatus.INFO_REQUESTED and fb.info_request_due_at == at(9)
    with pytest.raises(InvalidTransition):  # once only
        services.request_information(handler, fb, "Một yêu cầu bổ sung khác nữa.", at=at(5))
    with pytest.raises(PermissionDenied):  # only the sender replies
        services.provide_information(citizen(), fb, "Hồ sơ số 123", at=at(6))
    # waiting is not the agency's time: on time even after the handling deadline
    assert reporting.feedback_on_time(fb, as_of=at(25))
    fb = services.provide_information(sender, fb, "Hồ sơ H51-260301-0001 nộp ngày 01/03.", at=at(6))
    assert fb.status == FeedbackStatus.PROCESSING and fb.handle_due_at == at(25)  # 2 working days later
    assert reporting.feedback_on_time(fb, as_of=at(24)) and not reporting.feedback_on_time(fb, as_of=at(26))


def test_asking_too_late_makes_the_item_late(people):
    agency, handler, sender = people
    fb = services.request_information(handler, submit(sender, agency=agency), "Đề nghị bổ sung bản chụp giấy tờ.",
                                      at=at(10))
    assert not reporting.feedback_on_time(fb, as_of=at(10))


def test_reraised_items_cost_the_handling_satisfaction(people):
    agency, handler, sender = people
    first = services.answer_feedback(handler, submit(sender, agency=agency), "Đã rút ngắn thời hạn còn 1 ngày.",
                                     at=at(3))
    happy = services.answer_feedback(handler, submit(sender, agency=agency), "Đã trả lời đầy đủ nội dung.", at=at(3))
    services.rate_feedback_answer(sender, happy, True, at=at(4))
    with pytest.raises(PermissionDenied):  # someone else cannot raise my item again
        submit(citizen(), reraises=first, at=at(5))
    again = submit(sender, reraises=first, title="Vẫn chưa được giải quyết", at=at(5))
    assert again.reraises == first and again.agency == agency
    summary = reporting.feedback_summary(Feedback.objects.filter(pk__in=[first.pk, happy.pk]), as_of=at(6))
    assert summary["reraised"] == 1 and summary["total"] == 2
    assert summary["handling_satisfaction_rate"] == 50
    pending = submit(sender, agency=agency, at=at(6))
    with pytest.raises(InvalidTransition):  # only an item that has its answer can be raised again
        submit(sender, reraises=pending, at=at(7))


def test_sender_and_officer_pages(client, people):
    agency, handler, sender = people
    fb = submit(sender, agency=agency)
    sign_in(client, handler)
    url = reverse("backoffice:feedback_action", args=[fb.pk, "info"])
    assert client.post(url, {"question": ""}).status_code == 400
    assert client.post(url, {"question": "Đề nghị cho biết địa chỉ nơi cư trú."}).status_code == 302
    body = client.get(reverse("backoffice:feedback", args=[fb.pk])).content.decode()
    assert "Đang chờ người gửi bổ sung thông tin" in body and "Yêu cầu bổ sung thông tin" in body
    sign_in(client, sender)
    page = client.get(reverse("portal:feedback")).content.decode()
    assert "Phản ánh của tôi" in page and "Đề nghị cho biết địa chỉ nơi cư trú." in page
    client.post(reverse("portal:feedback_reply", args=[fb.code]), {"reply": "Thôn 3, xã Tịnh Khê."})
    fb.refresh_from_db()
    assert fb.status == FeedbackStatus.PROCESSING and fb.info_reply == "Thôn 3, xã Tịnh Khê."
    services.answer_feedback(handler, fb, "Đã kiểm tra và xử lý theo quy định.")
    client.post(reverse("portal:feedback_rate", args=[fb.code]), {"hai-long": "khong"})
    fb.refresh_from_db()
    assert fb.submitter_satisfied is False
    form = client.get(reverse("portal:feedback"), {"phan-anh-lai": fb.code}).content.decode()
    assert f'name="reraises" value="{fb.code}"' in form
    resp = client.post(reverse("portal:feedback"), {
        "reraises": fb.code, "name": "Nguyễn Văn An", "phone": "0905123456", "classification": "regulation",
        "title": "Phản ánh lại", "content": "Kết quả trả lời chưa giải quyết được vấn đề."})
    assert resp.status_code == 302 and Feedback.objects.get(reraises=fb).agency == agency


def test_api_asks_replies_and_raises_again(client, people):
    agency, handler, sender = people
    fb = submit(sender, agency=agency)
    sign_in(client, handler)
    asked = client.post(f"/api/v1/engagement/feedback/{fb.pk}/request-info",
                        {"question": "Đề nghị gửi số hồ sơ liên quan."}, content_type="application/json")
    assert asked.status_code == 200 and asked.json()["status"] == "info_requested"
    sign_in(client, sender)
    replied = client.post(f"/api/v1/engagement/feedback/{fb.pk}/information", {"reply": "Hồ sơ số 0001."},
                          content_type="application/json")
    assert replied.status_code == 200 and replied.json()["status"] == "processing"
    services.answer_feedback(handler, fb, "Đã xử lý xong theo quy định.")
    again = client.post("/api/v1/engagement/feedback", {
        "classification": "regulation", "title": "Phản ánh lại", "content": "Chưa giải quyết được vấn đề.",
        "reraises_code": fb.code}, content_type="application/json")
    assert again.status_code == 201 and Feedback.objects.get(code=again.json()["code"]).reraises == fb
    missing = client.post("/api/v1/engagement/feedback", {
        "classification": "regulation", "title": "Phản ánh lại", "content": "Chưa giải quyết được vấn đề.",
        "reraises_code": "PA000000XXXXXX"}, content_type="application/json")
    assert missing.status_code == 404 and missing.json()["code"] == "feedback_not_found"


def test_raising_again_an_item_of_an_agency_closed_since_offers_the_one_that_took_over(client, people):
    """The sender raises an answered item again after its commune's committee was merged away: the form proposes
    the committee that took over (the old one is no longer offered), instead of an empty choice among them all."""
    import lxml.html

    agency, handler, sender = people
    fb = services.answer_feedback(handler, submit(sender, agency=agency), "Đã trả lời đầy đủ nội dung.", at=at(3))
    taker = AgencyFactory(name="UBND phường Hợp Nhất")
    agency.is_active, agency.successor = False, taker
    agency.save()
    sign_in(client, sender)
    page = lxml.html.fromstring(client.get(reverse("portal:feedback"), {"phan-anh-lai": fb.code}).content.decode())
    chosen = page.xpath("//select[@name='agency']/option[@selected]/@value")
    assert chosen == [str(taker.pk)]
    assert str(agency.pk) not in page.xpath("//select[@name='agency']/option/@value")
