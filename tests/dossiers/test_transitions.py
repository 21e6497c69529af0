"""Each legal rule of the lifecycle, one behaviour per test."""

import datetime as dt
from decimal import Decimal

import pytest

from motcua.audit.models import AuditEntry
from motcua.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier, DossierEvent, Slip, Status, StepRun, SupplementRequest
from motcua.outbox.models import OutboxEvent

from .factories import APPLICANT, at, make_world

pytestmark = pytest.mark.django_db


def snapshot(d):
    row = Dossier.objects.filter(pk=d.pk).values().get()
    return (row, DossierEvent.objects.count(), OutboxEvent.objects.count(), AuditEntry.objects.count(),
            Slip.objects.count(), StepRun.objects.count(), SupplementRequest.objects.count())


def received(w, when=None):
    d = w.submit(when=when or at(2026, 3, 2, 8))
    return lifecycle.receive(d, officer=w.counter, at=(when or at(2026, 3, 2, 8)) + dt.timedelta(hours=1))


def processing(w):
    d = received(w)  # received Mon 02/03/2026 09:00, due Thu 05/03 09:00
    return lifecycle.start_processing(d, officer=w.counter, at=at(2026, 3, 2, 10))


# --- submission -----------------------------------------------------------------------------


def test_submission_requires_online_procedure_and_an_offering_agency():
    w = make_world()
    w.procedure.online_level = "none"
    w.procedure.save()
    with pytest.raises(ValidationFailed) as e:
        w.submit()
    assert e.value.code == "procedure_not_online"
    w.procedure.online_level = "partial"
    w.procedure.save()
    with pytest.raises(ValidationFailed) as e:
        w.submit(agency=w.other_agency)  # a department does not take a commune procedure
    assert e.value.code == "agency_not_offering"
    w.procedure.agencies.add(w.other_agency)
    with pytest.raises(ValidationFailed):
        w.submit()  # the list names only the other agency now
    assert w.submit(agency=w.other_agency).status == Status.SUBMITTED
    assert Dossier.objects.count() == 1


def test_submission_validates_the_id_number_and_required_form_fields():
    w = make_world()
    with pytest.raises(ValidationFailed) as e:
        w.submit(applicant_data={**APPLICANT, "id_number": "12345"})
    assert e.value.code == "id_number_invalid"
    w.procedure.form_schema = [{"name": "ten_tre", "label": "Họ tên trẻ", "required": True}]
    w.procedure.save()
    with pytest.raises(ValidationFailed) as e:
        w.submit(form_data={})
    assert e.value.code == "form_incomplete" and "Họ tên trẻ" in e.value.message
    assert not Dossier.objects.exists() and not OutboxEvent.objects.exists()


def test_same_idempotency_key_returns_the_first_dossier():
    w = make_world()
    first = w.submit(idempotency_key="abc")
    again = w.submit(idempotency_key="abc", at=at(2026, 3, 2, 9))
    assert again.pk == first.pk and Dossier.objects.count() == 1
    assert DossierEvent.objects.count() == 1
    other = w.submit(idempotency_key="def")
    assert other.pk != first.pk and other.code.endswith("-0002")


def test_draft_then_submit_keeps_the_same_dossier():
    w = make_world()
    draft = lifecycle.save_draft(applicant=w.citizen, procedure=w.procedure, agency=w.agency,
                                 applicant_data={"name": "Trần Thị Bình"}, form_data={"a": 1},
                                 at=at(2026, 3, 1, 20))
    assert draft.status == Status.DRAFT and draft.code is None
    draft = lifecycle.save_draft(applicant=w.citizen, procedure=w.procedure, agency=w.agency, dossier=draft,
                                 applicant_data=APPLICANT, form_data={"a": 2}, at=at(2026, 3, 1, 21))
    assert draft.form_data == {"a": 2}
    with pytest.raises(PermissionDenied):
        lifecycle.save_draft(applicant=w.stranger, procedure=w.procedure, agency=w.agency, dossier=draft,
                             applicant_data=APPLICANT, form_data={}, at=at(2026, 3, 1, 22))
    d = w.submit(draft=draft, form_data={"a": 3})
    assert d.pk == draft.pk and d.status == Status.SUBMITTED and d.code and d.form_data == {"a": 3}
    assert lifecycle.allowed_actions(d, w.citizen) == ["withdraw"]


# --- receipt and rule versions --------------------------------------------------------------


def test_rule_version_follows_the_receipt_date():
    w = make_world()
    old = w.walk_in(when=at(2025, 6, 30, 10))
    new = w.walk_in(when=at(2025, 7, 1, 10))
    assert old.rule_version == "decree61_2018"
    assert new.rule_version == "decree118_2025"
    # the version does not move afterwards
    old = lifecycle.start_processing(old, officer=w.counter, at=at(2025, 7, 2, 8))
    assert old.rule_version == "decree61_2018"


def test_appointment_skips_weekend_and_tet():
    w = make_world()
    d = w.walk_in(when=at(2026, 2, 13, 16))  # Friday before Tết 2026 (16–20/02 off)
    assert d.due_at == at(2026, 2, 25, 16)   # 1h Fri, Mon 23, Tue 24, 7h Wed 25


def test_receive_only_by_the_counter_of_that_agency():
    w = make_world()
    d = w.submit()
    before = snapshot(d)
    for who in (w.citizen, w.specialist, w.other_leader):
        with pytest.raises(PermissionDenied) as e:
            lifecycle.receive(d, officer=who, at=at(2026, 3, 2, 9))
        assert e.value.code == "forbidden"
    assert snapshot(d) == before


# --- supplement -----------------------------------------------------------------------------


def test_supplement_before_receipt_goes_back_to_submitted():
    w = make_world()
    d = w.submit()
    d = lifecycle.request_supplement(d, officer=w.counter, items=["Giấy chứng sinh bản chính"],
                                     reason="Thiếu giấy chứng sinh", at=at(2026, 3, 2, 9))
    assert d.status == Status.SUPPLEMENT_REQUESTED and d.supplement_count == 1
    slip = Slip.objects.get(dossier=d, kind=Slip.SUPPLEMENT)
    assert slip.data["items"] == ["Giấy chứng sinh bản chính"]
    d = lifecycle.provide_supplement(d, by=w.citizen, form_data={"giay_chung_sinh": "x"}, at=at(2026, 3, 3, 9))
    assert d.status == Status.SUBMITTED and d.form_data["giay_chung_sinh"] == "x"
    assert d.supplement_requests.get().fulfilled_at == at(2026, 3, 3, 9)
    code = d.code
    with pytest.raises(InvalidTransition) as e:
        lifecycle.request_supplement(d, officer=w.counter, items=["Khác"], reason="Lần hai", at=at(2026, 3, 3, 10))
    assert e.value.code == "supplement_already_requested"
    d = lifecycle.receive(d, officer=w.counter, at=at(2026, 3, 3, 10))
    assert d.code == code  # Decree 45/2020: the code does not change


def test_supplement_during_processing_stops_the_clock_and_only_once():
    w = make_world()
    d = processing(w)
    due, step_due = d.due_at, StepRun.objects.get(dossier=d).due_at
    with pytest.raises(ValidationFailed) as e:
        lifecycle.request_supplement(d, officer=w.specialist, items=[], reason="x", at=at(2026, 3, 2, 14))
    assert e.value.code == "supplement_items_required"
    with pytest.raises(ValidationFailed) as e:
        lifecycle.request_supplement(d, officer=w.specialist, items=["Tờ khai"], reason=" ", at=at(2026, 3, 2, 14))
    assert e.value.code == "reason_required"
    d = lifecycle.request_supplement(d, officer=w.specialist, items=["Tờ khai"], reason="Sai tên",
                                     at=at(2026, 3, 2, 14))
    assert lifecycle.allowed_actions(d, w.citizen) == ["provide_supplement", "withdraw"]
    d = lifecycle.provide_supplement(d, by=w.citizen, at=at(2026, 3, 3, 14))  # 8 working hours later
    assert d.status == Status.PROCESSING
    assert d.due_at == due + dt.timedelta(days=1) == at(2026, 3, 6, 9)
    assert StepRun.objects.get(dossier=d).due_at == step_due + dt.timedelta(days=1)
    assert d.paused_minutes == 480
    before = snapshot(d)
    with pytest.raises(InvalidTransition) as e:
        lifecycle.request_supplement(d, officer=w.specialist, items=["Khác"], reason="Lần hai", at=at(2026, 3, 4))
    assert e.value.code == "supplement_already_requested"
    assert snapshot(d) == before


def test_stranger_cannot_provide_supplement():
    w = make_world()
    d = lifecycle.request_supplement(w.submit(), officer=w.counter, items=["A"], reason="B", at=at(2026, 3, 2, 9))
    with pytest.raises(PermissionDenied):
        lifecycle.provide_supplement(d, by=w.stranger, at=at(2026, 3, 2, 10))
    assert lifecycle.provide_supplement(d, by=w.counter, at=at(2026, 3, 2, 10)).status == Status.SUBMITTED


# --- refusal, withdrawal, stop ----------------------------------------------------------------


def test_refuse_needs_a_reason_and_happens_only_before_receipt():
    w = make_world()
    d = w.submit()
    with pytest.raises(ValidationFailed) as e:
        lifecycle.refuse(d, officer=w.counter, reason="", at=at(2026, 3, 2, 9))
    assert e.value.code == "reason_required"
    d = lifecycle.refuse(d, officer=w.counter, reason="Không thuộc thẩm quyền", at=at(2026, 3, 2, 9))
    assert d.status == Status.REFUSED and d.refusal_reason == "Không thuộc thẩm quyền"
    assert Slip.objects.filter(dossier=d, kind=Slip.REFUSAL).exists()
    assert lifecycle.allowed_actions(d, w.counter) == []
    r = received(w)
    with pytest.raises(InvalidTransition):
        lifecycle.refuse(r, officer=w.counter, reason="x", at=at(2026, 3, 2, 11))


def test_withdraw_by_owner_or_counter_not_after_decision():
    w = make_world()
    d = processing(w)
    with pytest.raises(PermissionDenied):
        lifecycle.withdraw(d, by=w.stranger, reason="x", at=at(2026, 3, 2, 11))
    d = lifecycle.withdraw(d, by=w.citizen, reason="Không còn nhu cầu", at=at(2026, 3, 2, 11))
    assert d.status == Status.WITHDRAWN and d.closed_at == at(2026, 3, 2, 11)
    assert not StepRun.objects.filter(dossier=d, finished_at__isnull=True).exists()
    assert lifecycle.timeliness(d) is None
    e2 = processing(w)
    e2 = lifecycle.complete_step(e2, officer=w.specialist, at=at(2026, 3, 2, 11))
    e2 = lifecycle.approve(e2, officer=w.leader, at=at(2026, 3, 2, 11))
    with pytest.raises(InvalidTransition):
        lifecycle.withdraw(e2, by=w.citizen, reason="x", at=at(2026, 3, 2, 12))
    walk = w.walk_in()
    assert lifecycle.withdraw(walk, by=w.counter, reason="Công dân đề nghị", at=at(2026, 3, 2, 9)).status == "withdrawn"


def test_stop_settlement():
    w = make_world()
    d = processing(w)
    with pytest.raises(PermissionDenied):
        lifecycle.stop(d, officer=w.specialist, reason="x", at=at(2026, 3, 2, 11))
    d = lifecycle.stop(d, officer=w.leader, reason="Người nộp không bổ sung", at=at(2026, 3, 2, 11))
    assert d.status == Status.STOPPED
    assert lifecycle.timeliness(d) == "early"


# --- steps, inter-agency ----------------------------------------------------------------------


def test_after_last_step_dossier_waits_for_decision():
    w = make_world()
    d = processing(w)
    with pytest.raises(InvalidTransition) as e:
        lifecycle.reject(d, officer=w.leader, reason="x", at=at(2026, 3, 2, 11))
    assert e.value.code == "steps_pending"
    d = lifecycle.complete_step(d, officer=w.specialist, at=at(2026, 3, 2, 14))
    assert d.current_step.order == 2
    d = lifecycle.complete_step(d, officer=w.leader, at=at(2026, 3, 2, 15))
    assert lifecycle.awaiting_decision(d) and d.current_step is None
    assert lifecycle.allowed_actions(d, w.leader) == ["hand_over", "pause", "extend", "issue_apology", "approve",
                                                      "reject", "stop"]
    assert lifecycle.allowed_actions(d, w.specialist) == ["request_supplement", "hand_over", "pause"]
    with pytest.raises(InvalidTransition) as e:
        lifecycle.complete_step(d, officer=w.specialist, at=at(2026, 3, 2, 16))
    assert e.value.code == "no_current_step"
    d = lifecycle.reject(d, officer=w.leader, reason="Không đủ điều kiện", at=at(2026, 3, 2, 16))
    assert d.status == Status.REJECTED and d.decided_at and d.refusal_reason == "Không đủ điều kiện"
    assert lifecycle.allowed_actions(d, w.leader) == []


def test_approve_refused_while_first_step_open():
    w = make_world()
    d = processing(w)
    before = snapshot(d)
    with pytest.raises(InvalidTransition) as e:
        lifecycle.approve(d, officer=w.leader, at=at(2026, 3, 2, 11))
    assert e.value.code == "steps_pending"
    assert snapshot(d) == before


def test_explicit_hand_over_and_return():
    w = make_world()
    d = processing(w)
    d = lifecycle.hand_over(d, officer=w.specialist, to_agency=w.other_agency, note="Xin ý kiến",
                            at=at(2026, 3, 2, 11))
    assert d.current_agency == w.other_agency
    ev = DossierEvent.objects.filter(dossier=d, action="hand_over").get()
    assert (ev.agency, ev.to_agency, ev.note) == (w.agency, w.other_agency, "Xin ý kiến")
    out = OutboxEvent.objects.filter(topic="dossier.hand_over").get()
    assert out.payload["current_agency_code"] == w.other_agency.code
    assert out.payload["to_agency_code"] == w.other_agency.code
    with pytest.raises(PermissionDenied):
        lifecycle.return_from_agency(d, officer=w.specialist, at=at(2026, 3, 2, 12))
    d = lifecycle.return_from_agency(d, officer=w.other_specialist, note="Đồng ý", at=at(2026, 3, 2, 13))
    assert d.current_agency == w.agency
    with pytest.raises(InvalidTransition) as e:
        lifecycle.return_from_agency(d, officer=w.specialist, at=at(2026, 3, 2, 14))
    assert e.value.code == "not_handed_over"


# --- pause, extension, apology ----------------------------------------------------------------


def test_pause_and_resume_shift_due_dates_by_working_time():
    w = make_world()
    d = processing(w)
    assert d.due_at == at(2026, 3, 5, 9)
    run_due = StepRun.objects.get(dossier=d).due_at
    assert run_due == at(2026, 3, 4, 10)
    d = lifecycle.pause(d, officer=w.specialist, reason="Chờ xác minh", at=at(2026, 3, 2, 14))
    assert d.status == Status.PAUSED
    assert lifecycle.timeliness(d, as_of=at(2026, 3, 9, 8)) == "in_progress_on_time"  # clock stopped
    # Friday 14:00 → Tue 10/03 14:00: 4 working days... resume Tue 03/03 14:00 = 8 working hours
    d = lifecycle.resume(d, officer=w.specialist, at=at(2026, 3, 3, 14))
    assert d.status == Status.PROCESSING
    assert d.due_at == at(2026, 3, 6, 9)
    assert StepRun.objects.get(dossier=d).due_at == at(2026, 3, 5, 10)
    assert d.paused_minutes == 480 and d.paused_at is None


def test_extension_moves_due_date_by_working_days():
    w = make_world()
    d = processing(w)
    with pytest.raises(ValidationFailed):
        lifecycle.extend(d, officer=w.leader, days=0, reason="x", at=at(2026, 3, 2, 11))
    d = lifecycle.extend(d, officer=w.leader, days=2, reason="Cần xác minh thực địa", at=at(2026, 3, 2, 11))
    assert d.due_at == at(2026, 3, 9, 9) and d.extension_count == 1
    with pytest.raises(InvalidTransition) as e:
        lifecycle.extend(d, officer=w.leader, days=1, reason="Lần hai", at=at(2026, 3, 2, 12))
    assert e.value.code == "extension_limit_reached"


@pytest.mark.parametrize("days", [float("nan"), "nan", Decimal("NaN"), float("inf"), "-inf", Decimal("Infinity")])
def test_extension_by_a_number_that_is_not_one_is_refused_with_why(days):
    w = make_world()
    d = processing(w)
    due = d.due_at
    with pytest.raises(ValidationFailed) as e:
        lifecycle.extend(d, officer=w.leader, days=days, reason="Cần xác minh thực địa", at=at(2026, 3, 2, 11))
    assert e.value.code == "days_invalid" and "Số ngày gia hạn" in e.value.message
    d.refresh_from_db()
    assert d.due_at == due and d.extension_count == 0


def test_apology_once_by_leader_and_at_least_one_day_before_deadline():
    w = make_world()
    d = processing(w)  # due Thu 05/03 09:00
    with pytest.raises(PermissionDenied):
        lifecycle.issue_apology(d, officer=w.specialist, reason="x", new_due_at=at(2026, 3, 9), at=at(2026, 3, 3))
    with pytest.raises(ValidationFailed) as e:
        lifecycle.issue_apology(d, officer=w.leader, reason="x", new_due_at=at(2026, 3, 4), at=at(2026, 3, 3))
    assert e.value.code == "new_due_invalid"
    late = processing(w)
    before = snapshot(late)
    with pytest.raises(InvalidTransition) as e:
        lifecycle.issue_apology(late, officer=w.leader, reason="x", new_due_at=at(2026, 3, 9), at=at(2026, 3, 5, 8))
    assert e.value.code == "apology_too_late"
    assert snapshot(late) == before
    d = lifecycle.issue_apology(d, officer=w.leader, reason="Chờ cơ quan khác", new_due_at=at(2026, 3, 10, 9),
                                at=at(2026, 3, 4, 9))
    assert d.apology_count == 1 and d.due_at == at(2026, 3, 10, 9) and d.original_due_at == at(2026, 3, 5, 9)
    slip = Slip.objects.get(dossier=d, kind=Slip.APOLOGY)
    assert slip.issued_by == w.leader and slip.data["reason"] == "Chờ cơ quan khác"
    with pytest.raises(InvalidTransition) as e:
        lifecycle.issue_apology(d, officer=w.leader, reason="y", new_due_at=at(2026, 3, 12), at=at(2026, 3, 5))
    assert e.value.code == "apology_already_issued"
    assert lifecycle.timeliness(d, as_of=at(2026, 3, 6)) == "in_progress_late"


def test_apology_signed_by_the_late_agency_leader():
    w = make_world()
    d = processing(w)
    d = lifecycle.hand_over(d, officer=w.specialist, to_agency=w.other_agency, at=at(2026, 3, 2, 11))
    with pytest.raises(PermissionDenied):
        lifecycle.issue_apology(d, officer=w.leader, reason="x", new_due_at=at(2026, 3, 9), at=at(2026, 3, 3))
    d = lifecycle.issue_apology(d, officer=w.other_leader, reason="x", new_due_at=at(2026, 3, 9), at=at(2026, 3, 3))
    assert d.apology_count == 1


# --- timeliness ----------------------------------------------------------------------------------


@pytest.mark.parametrize("decided,expected", [
    (at(2026, 3, 4, 16), "early"),      # the working day before the appointment day
    (at(2026, 3, 5, 8, 30), "on_time"),  # the appointment day, before the hour
    (at(2026, 3, 5, 9), "on_time"),
    (at(2026, 3, 5, 9, 1), "late"),
])
def test_timeliness_of_decided_dossiers(decided, expected):
    w = make_world()
    d = processing(w)
    assert lifecycle.timeliness(d, as_of=at(2026, 3, 4)) == "in_progress_on_time"
    assert lifecycle.timeliness(d, as_of=at(2026, 3, 5, 10)) == "in_progress_late"
    d = lifecycle.complete_step(d, officer=w.specialist, at=decided - dt.timedelta(minutes=1))
    d = lifecycle.approve(d, officer=w.leader, at=decided)
    assert lifecycle.timeliness(d) == expected
    run = StepRun.objects.filter(dossier=d).order_by("id").first()
    assert lifecycle.step_timeliness(run) in {"early", "on_time", "late"}


def test_more_than_one_supplement_is_late_when_configured(settings):
    settings.MOTCUA_RULES = {"decree118_2025": {"max_supplement_requests": 2}}
    w = make_world()
    d = processing(w)
    for i in range(2):
        d = lifecycle.request_supplement(d, officer=w.specialist, items=["A"], reason="B",
                                         at=at(2026, 3, 2, 11 + 2 * i))
        d = lifecycle.provide_supplement(d, by=w.citizen, at=at(2026, 3, 2, 12 + 2 * i))
    d = lifecycle.approve(lifecycle.complete_step(d, officer=w.specialist, at=at(2026, 3, 2, 16)),
                          officer=w.leader, at=at(2026, 3, 2, 16, 30))
    assert lifecycle.timeliness(d) == "late"  # Decision 766: > 1 supplement request


# --- nothing changes on failure ---------------------------------------------------------------


def test_terminal_states_accept_nothing():
    w = make_world()
    d = lifecycle.refuse(w.submit(), officer=w.counter, reason="x", at=at(2026, 3, 2, 9))
    admin = __import__("tests.factories", fromlist=["officer"]).officer("provincial_admin", None)
    assert lifecycle.allowed_actions(d, admin) == []
    before = snapshot(d)
    calls = [
        lambda: lifecycle.receive(d, officer=admin, at=at(2026, 3, 3)),
        lambda: lifecycle.request_supplement(d, officer=admin, items=["a"], reason="b", at=at(2026, 3, 3)),
        lambda: lifecycle.start_processing(d, officer=admin, at=at(2026, 3, 3)),
        lambda: lifecycle.approve(d, officer=admin, at=at(2026, 3, 3)),
        lambda: lifecycle.return_result(d, officer=admin, at=at(2026, 3, 3)),
        lambda: lifecycle.withdraw(d, by=admin, reason="x", at=at(2026, 3, 3)),
        lambda: lifecycle.stop(d, officer=admin, reason="x", at=at(2026, 3, 3)),
        lambda: lifecycle.pause(d, officer=admin, reason="x", at=at(2026, 3, 3)),
    ]
    for call in calls:
        with pytest.raises(InvalidTransition) as e:
            call()
        assert e.value.code == "invalid_transition" and e.value.status == 409
        assert "Từ chối tiếp nhận" in e.value.message
    assert snapshot(d) == before


def test_actions_cannot_go_back_in_time():
    w = make_world()
    d = w.submit(when=at(2026, 3, 2, 10))
    with pytest.raises(ValidationFailed) as e:
        lifecycle.receive(d, officer=w.counter, at=at(2026, 3, 2, 9))
    assert e.value.code == "time_before_last_event"


def test_admins_may_act_in_their_scope():
    from tests.factories import officer

    w = make_world()
    unit_admin = officer("unit_admin", w.agency)
    foreign_admin = officer("unit_admin", w.other_agency)
    d = w.submit()
    with pytest.raises(PermissionDenied):
        lifecycle.receive(d, officer=foreign_admin, at=at(2026, 3, 2, 9))
    assert lifecycle.receive(d, officer=unit_admin, at=at(2026, 3, 2, 9)).status == Status.RECEIVED


def test_online_dossier_takes_the_rules_of_its_receipt_day():
    w = make_world()
    d = w.submit(when=at(2025, 6, 30, 16))
    assert lifecycle.online_receipt_due_at(d) == at(2025, 7, 1, 16)  # 8 working hours (Decree 45/2020)
    d = lifecycle.receive(d, officer=w.counter, at=at(2025, 7, 1, 8))
    assert d.rule_version == "decree118_2025"


def test_assignee_must_be_an_officer_of_the_step_agency():
    w = make_world()
    d = received(w)
    with pytest.raises(ValidationFailed) as e:
        lifecycle.start_processing(d, officer=w.counter, assignee=w.citizen, at=at(2026, 3, 2, 10))
    assert e.value.code == "assignee_invalid"
    with pytest.raises(ValidationFailed):
        lifecycle.start_processing(d, officer=w.counter, assignee=w.other_specialist, at=at(2026, 3, 2, 10))
    d = lifecycle.start_processing(d, officer=w.counter, assignee=w.specialist, at=at(2026, 3, 2, 10))
    assert StepRun.objects.get(dossier=d).assignee == w.specialist


def test_control_sheet_lists_hand_overs_with_their_timeliness():
    w = make_world(inter_agency=True)
    d = processing(w)
    d = lifecycle.complete_step(d, officer=w.specialist, at=at(2026, 3, 2, 15))       # due Tue 10:00: early
    d = lifecycle.complete_step(d, officer=w.other_specialist, at=at(2026, 3, 4, 9))  # due Tue 15:00: late
    rows = lifecycle.handovers(d)
    assert [(r["from_agency"], r["to_agency"], r["timeliness"]) for r in rows] == [
        (w.agency, w.other_agency, "early"), (w.other_agency, w.agency, "late")]


def test_stopping_while_waiting_for_a_supplement_excludes_the_wait():
    w = make_world()
    d = processing(w)  # due Thu 05/03 09:00
    d = lifecycle.request_supplement(d, officer=w.specialist, items=["Tờ khai"], reason="Sai", at=at(2026, 3, 3, 9))
    d = lifecycle.stop(d, officer=w.leader, reason="Quá hạn bổ sung", at=at(2026, 3, 10, 9))
    assert d.due_at == at(2026, 3, 10, 9) + (at(2026, 3, 5, 9) - at(2026, 3, 3, 9))  # 5 working days later
    assert lifecycle.timeliness(d) == "early"


def test_completing_a_step_closes_its_run_with_the_note_and_opens_the_next():
    w = make_world()
    d = processing(w)
    first = StepRun.objects.get(dossier=d, finished_at__isnull=True)
    d = lifecycle.complete_step(d, officer=w.specialist, note="Đã thẩm định đủ hồ sơ", at=at(2026, 3, 2, 14))
    first.refresh_from_db()
    assert (first.finished_at, first.note) == (at(2026, 3, 2, 14), "Đã thẩm định đủ hồ sơ")
    opened = StepRun.objects.get(dossier=d, finished_at__isnull=True)
    assert opened.pk != first.pk and opened.started_at == at(2026, 3, 2, 14) and opened.step_id == d.current_step_id
    assert opened.step.order > first.step.order
