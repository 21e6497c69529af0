import pytest
from django.core.cache import cache
from django.utils import timezone

from motcua.api.auth import issue_token
from motcua.audit.models import AuditEntry
from motcua.dossiers.models import Dossier, Status
from motcua.engagement.models import Feedback, FeedbackStatus
from tests.factories import AgencyFactory, citizen, officer, procedure_with_steps, sign_in

pytestmark = pytest.mark.django_db
BASE = "/api/v1/engagement"


def make_dossier(applicant, status=Status.RETURNED, agency=None):
    return Dossier.objects.create(procedure=procedure_with_steps(), agency=agency or AgencyFactory(), status=status,
                                  channel="online", rule_version="decree118_2025", code=f"H55-{applicant.pk}-{status}",
                                  applicant=applicant, applicant_name="Trần Thị Bình", returned_at=timezone.now())


def post(client, url, data, **extra):
    return client.post(url, data, content_type="application/json", **extra)


def test_criteria_are_public(client):
    r = client.get(f"{BASE}/criteria")
    assert r.status_code == 200 and [c["code"] for c in r.json()] == ["total_time", "unit_time", "contacts"]


def test_rating_endpoint(client):
    owner = citizen()
    d = make_dossier(owner)
    assert post(client, f"{BASE}/dossiers/{d.pk}/rating", {"satisfied": True}).status_code == 401
    sign_in(client, citizen())
    r = post(client, f"{BASE}/dossiers/{d.pk}/rating", {"satisfied": True})
    assert r.status_code == 404, "another citizen's dossier does not exist for them"
    sign_in(client, owner)
    r = post(client, f"{BASE}/dossiers/{d.pk}/rating", {"satisfied": True, "scores": {"total_time": 2}})
    assert r.status_code == 422 and r.json()["code"] == "rating_criterion_missing"
    scores = {"total_time": 2, "unit_time": 2, "contacts": 1}
    r = post(client, f"{BASE}/dossiers/{d.pk}/rating", {"satisfied": True, "scores": scores, "comment": "Nhanh"})
    assert r.status_code == 201 and r.json()["total_score"] == 5
    r = post(client, f"{BASE}/dossiers/{d.pk}/rating", {"satisfied": False})
    assert r.status_code == 409 and r.json()["code"] == "rating_exists"
    assert "đã được đánh giá" in r.json()["message"]
    assert client.get(f"{BASE}/dossiers/{d.pk}/rating").json()["scores"] == scores
    running = make_dossier(owner, status=Status.PROCESSING)
    r = post(client, f"{BASE}/dossiers/{running.pk}/rating", {"satisfied": True})
    assert r.status_code == 409 and r.json()["code"] == "rating_not_returned"
    assert client.get(f"{BASE}/dossiers/{running.pk}/rating").status_code == 404


def test_rating_with_bearer_token(client):
    owner = citizen()
    d = make_dossier(owner)
    _, raw = issue_token(owner, "app di động")
    r = post(client, f"{BASE}/dossiers/{d.pk}/rating", {"satisfied": False}, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 201 and r.json()["satisfied"] is False


def test_feedback_journey_over_the_api(client):
    agency = AgencyFactory(code="H55.99")
    body = {"classification": "regulation", "title": "Phí sao y bản chính",
            "content": "Đề nghị công khai mức phí sao y tại bộ phận một cửa.", "name": "Võ Thị Lan",
            "phone": "0935111222", "agency_code": "H55.99"}
    r = post(client, f"{BASE}/feedback", body)
    assert r.status_code == 201, r.content
    code = r.json()["code"]
    assert r.json()["status_label"] == "Đã tiếp nhận"
    r = post(client, f"{BASE}/feedback", {**body, "phone": "", "email": ""})
    assert r.status_code == 422 and "điện thoại" in r.json()["message"]
    assert post(client, f"{BASE}/feedback", {**body, "agency_code": "KHONG.CO"}).status_code == 404
    assert post(client, f"{BASE}/feedback", {**body, "classification": "x"}).status_code == 422

    # the submitter tracks it with the code and their phone; a wrong phone finds nothing
    cache.clear()
    assert client.get(f"{BASE}/feedback/track/{code}", {"contact": "0935 111 222"}).json()["status"] == "received"
    assert client.get(f"{BASE}/feedback/track/{code}", {"contact": "0900000000"}).status_code == 404
    for n in range(9):  # guessing the contact is counted as the dossier look-up is (accounts.lockout)
        assert client.get(f"{BASE}/feedback/track/{code}", {"contact": f"09000000{n:02d}"}).status_code == 404
    r = client.get(f"{BASE}/feedback/track/{code}", {"contact": "0935111222"})  # right, but too late
    assert r.status_code == 429 and r.json()["code"] == "too_many_attempts" and "quá nhiều lần" in r.json()["message"]
    cache.clear()

    fb = Feedback.objects.get(code=code)
    sign_in(client, officer("counter_officer", AgencyFactory()))
    assert client.get(f"{BASE}/feedback/{fb.pk}").status_code == 404
    assert post(client, f"{BASE}/feedback/{fb.pk}/process", {}).status_code == 404

    clerk = officer("counter_officer", agency)
    sign_in(client, clerk)
    inbox = client.get(f"{BASE}/feedback").json()
    assert [i["code"] for i in inbox] == [code] and inbox[0]["on_time"] is True
    detail = client.get(f"{BASE}/feedback/{fb.pk}").json()
    assert detail["submitter_phone"] == "0935111222"
    read = AuditEntry.objects.get(action="personal_data.read", object_type="feedback", object_id=str(fb.pk))
    assert read.actor_id == clerk.pk and "submitter_phone" in read.data["fields"]
    assert post(client, f"{BASE}/feedback/{fb.pk}/process", {}).json()["status"] == "processing"
    r = post(client, f"{BASE}/feedback/{fb.pk}/answer", {"answer": "Mức phí đã được niêm yết tại quầy số 2.",
                                                          "publish": True})
    assert r.status_code == 403, "publishing needs a manager"
    assert Feedback.objects.get(pk=fb.pk).status == FeedbackStatus.PROCESSING, "nothing half-written"
    r = post(client, f"{BASE}/feedback/{fb.pk}/answer", {"answer": "Mức phí đã được niêm yết tại quầy số 2."})
    assert r.status_code == 200 and r.json()["status"] == "answered"
    assert client.get(f"{BASE}/feedback/public").json() == []
    sign_in(client, officer("department_head", agency))
    assert post(client, f"{BASE}/feedback/{fb.pk}/publish", {}).json()["status"] == "published"

    client.logout()
    public = client.get(f"{BASE}/feedback/public", {"agency_code": "H55.99"}).json()
    assert len(public) == 1 and public[0]["answer"].startswith("Mức phí")
    assert "submitter_phone" not in public[0] and "Võ Thị Lan" not in str(public)
    assert client.get(f"{BASE}/feedback/public", {"q": "không có"}).json() == []


def test_reject_needs_a_reason(client):
    agency = AgencyFactory()
    fb = Feedback.objects.create(code="PA260302TEST01", classification="conduct", agency=agency, title="t",
                                 content="nội dung dài đủ", submitter_name="A", submitter_phone="0905123456",
                                 received_at=timezone.now(), reject_due_at=timezone.now(), handle_due_at=timezone.now())
    sign_in(client, officer("leader", agency))
    r = post(client, f"{BASE}/feedback/{fb.pk}/reject", {"reason": ""})
    assert r.status_code == 422 and r.json()["code"] == "feedback_reason_required"
    r = post(client, f"{BASE}/feedback/{fb.pk}/reject", {"reason": "Không thuộc phạm vi phản ánh, kiến nghị"})
    assert r.status_code == 200 and r.json()["status"] == "rejected"


def test_submitter_rates_the_answer(client):
    owner = citizen()
    agency = AgencyFactory()
    sign_in(client, owner)
    r = post(client, f"{BASE}/feedback", {"classification": "conduct", "title": "Thái độ cán bộ",
                                          "content": "Cán bộ hướng dẫn tận tình, đề nghị khen thưởng.",
                                          "agency_code": agency.code})
    assert r.status_code == 201
    fb = Feedback.objects.get(code=r.json()["code"])
    assert fb.submitter == owner
    assert post(client, f"{BASE}/feedback/{fb.pk}/satisfaction", {"satisfied": True}).status_code == 409
    from motcua.engagement.feedback import answer_feedback

    answer_feedback(officer("leader", agency), fb, "Cảm ơn ông/bà đã phản ánh.")
    assert post(client, f"{BASE}/feedback/{fb.pk}/satisfaction", {"satisfied": True}).status_code == 200
    sign_in(client, citizen())
    assert post(client, f"{BASE}/feedback/{fb.pk}/satisfaction", {"satisfied": True}).status_code == 404


def test_nul_characters_in_feedback_do_not_crash(client):
    body = {"classification": "regulation", "title": "Tiêu\u0000 đề", "content": "Nội dung\u0000 phản ánh đủ dài.",
            "name": "Võ\u0000 Lan", "phone": "0935111222", "address": "\u0000"}
    r = post(client, f"{BASE}/feedback", body)
    assert r.status_code == 201, r.content
    fb = Feedback.objects.get(code=r.json()["code"])
    assert fb.title == "Tiêu đề" and fb.submitter_name == "Võ Lan"


def test_feedback_over_the_api_with_a_phone_partly_in_full_width_digits_is_refused(client):
    """"0935１１１２２２" (an input method switched mid-way) matched the phone pattern's \\d: stored, it would never
    reach an SMS nor match the submitter's phone when they track it."""
    body = {"classification": "regulation", "title": "Phí sao y bản chính", "name": "Võ Thị Lan",
            "content": "Đề nghị công khai mức phí sao y tại bộ phận một cửa.", "phone": "0935１１１２２２"}
    r = post(client, f"{BASE}/feedback", body)
    assert r.status_code == 422 and r.json()["code"] == "feedback_invalid", r.content
    assert "Số điện thoại không hợp lệ" in r.json()["message"]
    assert not Feedback.objects.exists()


def test_feedback_to_an_agency_whose_unit_was_dissolved_is_refused_with_why(client):
    """The portal no longer offers a dissolved commune's committee; the API says why it will not take it either, and
    nothing is written (nobody there would handle it)."""
    import datetime as dt

    agency = AgencyFactory(code="H55.98")
    unit = agency.admin_unit
    unit.valid_to = timezone.localdate() - dt.timedelta(days=1)
    unit.save()
    body = {"classification": "regulation", "title": "Phí sao y bản chính", "name": "Võ Thị Lan",
            "content": "Đề nghị công khai mức phí sao y tại bộ phận một cửa.", "phone": "0935111222",
            "agency_code": "H55.98"}
    r = post(client, f"{BASE}/feedback", body)
    assert r.status_code == 422 and r.json()["code"] == "feedback_invalid"
    assert r.json()["message"].startswith(f"{unit.name} đã giải thể từ ngày {timezone.localdate():%d/%m/%Y}")
    assert "agency" in r.json()["details"] and not Feedback.objects.exists()
