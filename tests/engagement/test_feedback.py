import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser

from motcua.audit.models import AuditEntry
from motcua.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from motcua.dossiers.models import Dossier
from motcua.engagement import feedback as services
from motcua.engagement import feedback_reporting as reporting
from motcua.engagement.models import Feedback, FeedbackStatus
from motcua.outbox.models import OutboxEvent
from tests.factories import AgencyFactory, citizen, officer, procedure_with_steps, sign_in

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(d, h=8, m=0, month=3):
    return dt.datetime(2026, month, d, h, m, tzinfo=TZ)


def submit(user=None, when=None, **kw):
    params = dict(classification="regulation", title="Thời hạn cấp giấy khai sinh",
                  content="Đề nghị rút ngắn thời hạn giải quyết thủ tục khai sinh.", name="Phạm Văn Đức",
                  phone="0905 123 456", at=when or at(2))
    params.update(kw)
    return services.submit_feedback(user or AnonymousUser(), **params)


def test_anonymous_feedback_gets_a_code_and_legal_deadlines():
    agency = AgencyFactory()
    fb = submit(agency=agency)  # Monday 02/03/2026 08:00
    assert fb.code.startswith("PA260302") and fb.status == FeedbackStatus.RECEIVED
    assert fb.submitter is None and fb.submitter_phone == "0905123456"
    assert fb.reject_due_at == at(4)   # 2 working days
    assert fb.handle_due_at == at(23)  # 15 working days (three working weeks)
    event = OutboxEvent.objects.get(topic="engagement.feedback_received")
    assert event.payload["code"] == fb.code and event.payload["agency_code"] == agency.code
    assert "submitter_phone" not in event.payload
    assert AuditEntry.objects.filter(action="engagement.feedback_received", object_id=str(fb.pk)).exists()


def test_deadlines_are_configurable(settings):
    settings.MOTCUA_FEEDBACK_DEADLINES = {"handle": 10}
    assert submit().handle_due_at == at(16)


@pytest.mark.parametrize("kw,field", [
    ({"phone": "", "email": ""}, "contact"),
    ({"phone": "123"}, "phone"),
    ({"email": "sai", "phone": ""}, "email"),
    ({"name": ""}, "name"),
    ({"content": "ngắn"}, "content"),
    ({"title": ""}, "title"),
    ({"classification": "khieu_nai"}, "classification"),
])
def test_invalid_feedback_is_refused_in_vietnamese(kw, field):
    with pytest.raises(ValidationFailed) as err:
        submit(**kw)
    assert err.value.code == "feedback_invalid" and field in err.value.details
    assert not Feedback.objects.exists() and not OutboxEvent.objects.exists()


def test_signed_in_citizen_defaults_contact_and_may_only_cite_own_dossier():
    owner = citizen(full_name="Trần Thị Bình", phone="0912345678")
    agency = AgencyFactory()
    dossier = Dossier.objects.create(procedure=procedure_with_steps(), agency=agency, status="processing",
                                     channel="online", rule_version="decree118_2025", applicant=owner,
                                     applicant_name="Trần Thị Bình")
    fb = submit(owner, name="", phone="", dossier=dossier, classification="conduct")
    assert fb.submitter == owner and fb.submitter_name == "Trần Thị Bình" and fb.submitter_phone == "0912345678"
    assert fb.agency == agency and fb.procedure == dossier.procedure
    with pytest.raises(PermissionDenied):
        submit(citizen(), dossier=dossier)
    with pytest.raises(PermissionDenied):
        submit(None, dossier=dossier)


def test_officer_workflow_answer_publish_and_rate():
    agency = AgencyFactory()
    owner = citizen()
    fb = submit(owner, agency=agency)
    outsider = officer("specialist", AgencyFactory())
    with pytest.raises(PermissionDenied):
        services.start_processing(outsider, fb, at=at(3))
    clerk = officer("counter_officer", agency)
    fb = services.start_processing(clerk, fb, at=at(3))
    assert fb.status == FeedbackStatus.PROCESSING
    with pytest.raises(ValidationFailed):
        services.answer_feedback(clerk, fb, "ok", at=at(4))
    fb = services.answer_feedback(clerk, fb, "Thời hạn 3 ngày làm việc theo quy định hiện hành.", at=at(10))
    assert fb.status == FeedbackStatus.ANSWERED and fb.answered_by == clerk and fb.publish_due_at == at(12)
    assert reporting.feedback_on_time(fb, at(30))
    with pytest.raises(PermissionDenied):  # a counter officer answers, a manager publishes
        services.publish_feedback(clerk, fb, at=at(11))
    fb = services.publish_feedback(officer("leader", agency), fb, at=at(11))
    assert fb.status == FeedbackStatus.PUBLISHED and fb.is_public
    assert reporting.feedback_published_on_time(fb) is True
    with pytest.raises(InvalidTransition):
        services.reject_feedback(clerk, fb, "Không thuộc thẩm quyền", at=at(12))
    with pytest.raises(PermissionDenied):
        services.rate_feedback_answer(citizen(), fb, True)
    fb = services.rate_feedback_answer(owner, fb, False, at=at(13))
    assert fb.submitter_satisfied is False
    topics = list(OutboxEvent.objects.filter(aggregate_type="feedback").values_list("topic", flat=True))
    assert topics == ["engagement.feedback_received", "engagement.feedback_processing",
                      "engagement.feedback_answered", "engagement.feedback_published", "engagement.feedback_rated"]


def test_province_level_feedback_is_handled_by_province_wide_officers():
    fb = submit()  # no agency
    with pytest.raises(PermissionDenied):
        services.reject_feedback(officer("leader", AgencyFactory()), fb, "Nội dung không rõ ràng")
    fb = services.reject_feedback(officer("provincial_admin", None), fb, "Nội dung không rõ ràng", at=at(3))
    assert fb.status == FeedbackStatus.REJECTED and reporting.feedback_on_time(fb)


def test_on_time_rules_and_summary():
    agency = AgencyFactory()
    handler = officer("specialist", agency)
    answered_on_time = services.answer_feedback(handler, submit(agency=agency), "Đã hướng dẫn người dân.", at=at(20))
    answered_late = services.answer_feedback(handler, submit(agency=agency), "Đã hướng dẫn người dân.", at=at(24))
    rejected_late = services.reject_feedback(handler, submit(agency=agency, classification="conduct"),
                                             "Trùng nội dung đã trả lời", at=at(5))
    open_item = submit(agency=agency, when=at(16))  # due 06/04
    old_open = submit(agency=agency)  # due 23/03
    assert reporting.feedback_on_time(answered_on_time)
    assert not reporting.feedback_on_time(answered_late)
    assert not reporting.feedback_on_time(rejected_late)  # rejection allowed only within 2 working days
    as_of = at(25)
    assert reporting.feedback_on_time(open_item, as_of) and not reporting.feedback_on_time(old_open, as_of)

    s = reporting.feedback_summary(Feedback.objects.filter(agency=agency), as_of)
    assert (s["total"], s["finished"], s["finished_on_time"], s["finished_late"]) == (5, 3, 1, 2)
    assert (s["in_progress"], s["in_progress_on_time"], s["in_progress_late"]) == (2, 1, 1)
    assert s["on_time_rate"] == Decimal("40.00") and s["by_classification"] == {"regulation": 4, "conduct": 1}
    assert s["handling_satisfaction_rate"] == Decimal("40.00")
    assert reporting.feedback_summary(Feedback.objects.none())["on_time_rate"] is None


def test_visible_feedback_scopes():
    a, b = AgencyFactory(), AgencyFactory()
    owner = citizen()
    fa, fb_, fp = submit(owner, agency=a), submit(agency=b), submit()
    assert set(services.visible_feedback(officer("counter_officer", a))) == {fa}
    assert set(services.visible_feedback(officer("auditor", None))) == {fa, fb_, fp}
    assert set(services.visible_feedback(owner)) == {fa}
    assert not services.visible_feedback(AnonymousUser()).exists()


def test_admin_feedback_page_logs_the_read(client):
    from django.contrib.auth import get_user_model

    fb = submit()
    admin = get_user_model().objects.create_superuser("quantri", "qt@example.vn", "Mat-khau-9!")
    sign_in(client, admin)
    assert client.get(f"/admin/engagement/feedback/{fb.pk}/change/").status_code == 200
    assert AuditEntry.objects.filter(action="personal_data.read", object_type="feedback", object_id=str(fb.pk),
                                     actor_id=admin.pk).exists()


def test_feedback_is_not_moved_to_an_agency_whose_unit_has_closed():
    """A reorganization moves open feedback only to an agency that receives (units.receiving, as for dossiers): one
    whose unit was dissolved would leave it with nobody; the item stays where it is, nothing written."""
    agency, closed = AgencyFactory(), AgencyFactory()
    fb = submit(agency=agency, when=at(2))
    closed.admin_unit.valid_to = dt.date(2026, 3, 5)
    closed.admin_unit.save()
    admin = officer("provincial_admin", None)
    with pytest.raises(ValidationFailed) as err:
        services.transfer_feedback(admin, fb, closed, "Sắp xếp đơn vị hành chính", at=at(9))
    assert err.value.code == "agency_dissolved" and err.value.details == {"field": "to_agency"}
    assert "đã giải thể từ ngày 06/03/2026" in err.value.message
    fb.refresh_from_db()
    assert fb.agency == agency
    assert not OutboxEvent.objects.filter(topic="engagement.feedback_transferred").exists()
    moved = services.transfer_feedback(admin, fb, AgencyFactory(), "Sắp xếp đơn vị hành chính", at=at(9))
    assert moved.agency != agency  # one that receives takes it
