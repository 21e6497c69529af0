"""A processing step done at another agency sends the dossier there: not to an agency whose unit has closed (its last
day passed, units.receiving), where it would wait for nobody. A step of a kind of agency goes to one that still
receives; a step naming an agency of a closed unit is refused with why, the dossier unchanged. Nor is a dossier
returned to a lead agency whose unit has closed since its hand-over; and a unit whose dissolution is recorded ahead
takes no dossier due after its last day (nobody would return the result)."""

import datetime as dt

import pytest

from motcua.catalog.models import ProcessStep
from motcua.core.errors import InvalidTransition, ValidationFailed
from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier, DossierEvent, Status, StepRun
from motcua.units.models import Agency
from tests.factories import AgencyFactory

from .factories import at, make_world
from .test_transitions import processing, snapshot

pytestmark = pytest.mark.django_db


def _close(agency, last: dt.date) -> None:
    unit = agency.admin_unit
    unit.valid_to = last
    unit.save()


def test_a_step_naming_an_agency_of_a_dissolved_unit_is_refused_with_why():
    w = make_world(inter_agency=True)  # step 2 is done at the department (w.other_agency)
    d = processing(w)  # step 1 at the commune since Mon 02/03/2026 10:00
    _close(w.other_agency, dt.date(2026, 3, 2))
    before = snapshot(d)
    with pytest.raises(InvalidTransition) as refused:
        lifecycle.complete_step(d, officer=w.specialist, at=at(2026, 3, 3, 9))
    unit = w.other_agency.admin_unit
    assert refused.value.code == "step_agency_not_receiving"
    assert refused.value.message == (
        f"Bước «Xác minh liên thông» do {w.other_agency.name} thực hiện theo quy trình nội bộ của thủ tục. {unit.name} "
        f"đã giải thể từ ngày 03/03/2026: {w.other_agency.name} không còn nhận hồ sơ chuyển đến. Cần sửa cơ quan thực "
        "hiện bước này trong danh mục thủ tục, hoặc chuyển liên thông hồ sơ cho cơ quan khác.")
    assert refused.value.details == {"step": 2, "agency": w.other_agency.code, "reason": "agency_dissolved"}
    assert snapshot(d) == before
    # on the unit's last day it is still sent dossiers, but only those due by then (this one is due 05/03)
    with pytest.raises(InvalidTransition) as refused:
        lifecycle.complete_step(d, officer=w.specialist, at=at(2026, 3, 2, 16))
    assert refused.value.message == (
        f"Bước «Xác minh liên thông» do {w.other_agency.name} thực hiện theo quy trình nội bộ của thủ tục. {unit.name} "
        f"sẽ giải thể từ ngày 03/03/2026: {w.other_agency.name} chỉ nhận hồ sơ chuyển đến có ngày hẹn trả kết quả đến "
        "hết ngày 02/03/2026, ngày hẹn trả của hồ sơ này là ngày 05/03/2026. Cần sửa cơ quan thực hiện bước này trong "
        "danh mục thủ tục, hoặc chuyển liên thông hồ sơ cho cơ quan khác.")
    assert refused.value.details == {"step": 2, "agency": w.other_agency.code, "reason": "appointment_after_dissolution"}
    assert snapshot(d) == before
    _close(w.other_agency, dt.date(2026, 3, 5))
    d = lifecycle.complete_step(d, officer=w.specialist, at=at(2026, 3, 2, 16))
    assert d.current_agency == w.other_agency


@pytest.mark.parametrize("last", [dt.date(2026, 3, 1), dt.date(2026, 3, 4)])
def test_a_step_of_a_kind_of_agency_goes_to_one_that_still_receives(last):
    """The first by code is not chosen: its unit closed (last day 01/03), or dissolving ahead before the dossier is
    due (last day 04/03, due 05/03). One whose last day is the appointment is."""
    w = make_world()
    step = w.procedure.steps.get(order=2)
    step.agency_kind = Agency.PROVINCIAL_DEPARTMENT
    step.save()
    open_one = AgencyFactory(code="H99.01", kind=Agency.PROVINCIAL_DEPARTMENT, name="Sở Nội vụ thử nghiệm")
    _close(w.other_agency, last)  # first by code: not chosen
    assert w.other_agency.code < open_one.code
    d = processing(w)
    d = lifecycle.complete_step(d, officer=w.specialist, at=at(2026, 3, 2, 11))
    assert d.current_agency == open_one
    assert StepRun.objects.get(dossier=d, step__order=2).agency == open_one
    _close(open_one, dt.date(2026, 3, 4))
    _close(w.other_agency, dt.date(2026, 3, 5))  # due on its last day: it takes it
    d = lifecycle.complete_step(processing(w), officer=w.specialist, at=at(2026, 3, 2, 11))
    assert d.current_agency == w.other_agency


def test_the_first_step_at_an_agency_of_a_merged_unit_is_refused_when_processing_starts():
    w = make_world()
    w.procedure.steps.filter(order=1).update(agency=w.other_agency)
    successor = AgencyFactory(kind=Agency.PROVINCIAL_DEPARTMENT, name="Sở Tư pháp mới")
    unit = w.other_agency.admin_unit
    unit.valid_to, unit.replaced_by = dt.date(2026, 3, 1), successor.admin_unit
    unit.save()
    d = lifecycle.receive(w.submit(), officer=w.counter, at=at(2026, 3, 2, 9))
    before = snapshot(d)
    with pytest.raises(InvalidTransition) as refused:
        lifecycle.start_processing(d, officer=w.counter, at=at(2026, 3, 2, 10))
    assert refused.value.code == "step_agency_not_receiving" and refused.value.status == 409
    assert f"{unit.name} đã sáp nhập vào {successor.admin_unit.name} từ ngày 02/03/2026. " in refused.value.message
    assert refused.value.details["reason"] == "agency_merged"
    assert snapshot(d) == before
    assert ProcessStep.objects.filter(agency=w.other_agency).count() == 1  # the catalog is not rewritten here


# --- returning a handed-over dossier to its lead agency -----------------------------------------------------------


def _handed_over(w):
    """Received by the commune (w.agency), handed over to the department on Mon 02/03/2026 11:00."""
    return lifecycle.hand_over(processing(w), officer=w.specialist, to_agency=w.other_agency, note="Xin ý kiến",
                               at=at(2026, 3, 2, 11))


def test_a_dossier_is_not_returned_to_a_lead_agency_dissolved_since_the_hand_over():
    """A closure recorded in the admin moves nothing: the dossier handed over before the lead agency's unit was
    dissolved is not sent back there, where nobody would handle it; the helper agency is told why, the dossier
    unchanged. On the unit's last day it still goes back."""
    w = make_world()
    d = _handed_over(w)
    _close(w.agency, dt.date(2026, 3, 2))
    unit = w.agency.admin_unit
    before = snapshot(d)
    with pytest.raises(InvalidTransition) as refused:
        lifecycle.return_from_agency(d, officer=w.other_specialist, note="Đã cho ý kiến", at=at(2026, 3, 3, 9))
    assert refused.value.code == "lead_agency_not_receiving" and refused.value.status == 409
    assert refused.value.message == (
        f"Không trả được hồ sơ về cơ quan chủ trì: {unit.name} đã giải thể từ ngày 03/03/2026: {w.agency.name} không "
        "còn nhận hồ sơ chuyển đến, vui lòng chọn cơ quan nhận khác.")
    assert refused.value.details == {"agency": w.agency.code, "reason": "agency_dissolved"}
    assert snapshot(d) == before
    d = lifecycle.return_from_agency(d, officer=w.other_specialist, note="Đã cho ý kiến", at=at(2026, 3, 2, 16))
    assert d.current_agency == w.agency


def test_a_dossier_is_not_returned_to_a_lead_agency_merged_in_the_admin_and_is_told_where_instead():
    w = make_world()
    d = _handed_over(w)
    taker = AgencyFactory(name="UBND xã Hợp Nhất")
    unit = w.agency.admin_unit
    unit.valid_to, unit.replaced_by = dt.date(2026, 3, 2), taker.admin_unit
    unit.save()
    before = snapshot(d)
    with pytest.raises(InvalidTransition) as refused:
        lifecycle.return_from_agency(d, officer=w.other_specialist, at=at(2026, 3, 3, 9))
    assert refused.value.message == (
        f"Không trả được hồ sơ về cơ quan chủ trì: {unit.name} đã sáp nhập vào {taker.admin_unit.name} từ ngày "
        f"03/03/2026, vui lòng chuyển hồ sơ cho {taker.name}.")
    assert refused.value.details == {"agency": w.agency.code, "reason": "agency_merged"}
    assert snapshot(d) == before


# --- intake at a unit whose dissolution is recorded ahead -----------------------------------------------------------


def test_a_unit_dissolving_ahead_takes_no_dossier_due_after_its_last_day():
    """Submitted or received on Mon 02/03/2026 08:00, a 3-working-day dossier is due Thu 05/03: a unit whose last day
    is Wed 04/03 refuses it (online and at the counter), naming both days, writing nothing; one whose last day is
    05/03 takes it. Received by the counter a day later, an online dossier would be due Fri 06/03: refused, the
    officer told to refuse it (Mẫu 03)."""
    w = make_world()
    unit = w.agency.admin_unit
    _close(w.agency, dt.date(2026, 3, 4))
    said = (f"{unit.name} sẽ giải thể từ ngày 05/03/2026: {w.agency.name} chỉ tiếp nhận hồ sơ có ngày hẹn trả kết quả "
            "đến hết ngày 04/03/2026, ngày hẹn trả của hồ sơ này là ngày 05/03/2026")
    before = (Dossier.objects.count(), DossierEvent.objects.count())
    for attempt in (w.submit, w.walk_in):
        with pytest.raises(ValidationFailed) as refused:
            attempt()
        assert refused.value.code == "appointment_after_dissolution" and refused.value.status == 422
        assert refused.value.message == f"{said}; vui lòng chọn nơi nộp khác."
        assert refused.value.details == {"agency": w.agency.code, "last_day": "2026-03-04", "due_date": "2026-03-05"}
    assert (Dossier.objects.count(), DossierEvent.objects.count()) == before

    _close(w.agency, dt.date(2026, 3, 5))  # due on the last day: taken
    assert w.walk_in().due_at == at(2026, 3, 5, 8)
    d = w.submit()
    snap = snapshot(d)
    with pytest.raises(ValidationFailed) as refused:
        lifecycle.receive(d, officer=w.counter, at=at(2026, 3, 3, 8))
    assert refused.value.code == "appointment_after_dissolution"
    assert refused.value.message == (
        f"{unit.name} sẽ giải thể từ ngày 06/03/2026: {w.agency.name} chỉ tiếp nhận hồ sơ có ngày hẹn trả kết quả đến "
        "hết ngày 05/03/2026, ngày hẹn trả của hồ sơ này là ngày 06/03/2026. Không tiếp nhận được hồ sơ này: hãy từ "
        "chối tiếp nhận (Mẫu 03), hướng dẫn người nộp chọn nơi nộp khác.")
    assert snapshot(d) == snap
    assert lifecycle.receive(d, officer=w.counter, at=at(2026, 3, 2, 9)).due_at == at(2026, 3, 5, 9)


def test_a_unit_merging_ahead_still_takes_dossiers_due_after_its_last_day():
    """A merger names the unit taking over (a merger's plan moves the open dossiers there): not refused."""
    w = make_world()
    unit = w.agency.admin_unit
    unit.valid_to, unit.replaced_by = dt.date(2026, 3, 4), AgencyFactory(name="UBND xã Hợp Nhất").admin_unit
    unit.save()
    assert w.submit().status == Status.SUBMITTED
    assert w.walk_in().due_at == at(2026, 3, 5, 8)


# --- moving the appointment of a dossier at a unit dissolving ahead, or sending it to one ------------------------


def _said(agency, last: str, new: str) -> str:
    """The refusal's fact, an officer's words, for a dossier whose appointment would move to ``new``."""
    return (f"{agency.admin_unit.name} sẽ giải thể từ ngày {last}: {agency.name} chỉ giải quyết hồ sơ có ngày hẹn trả kết "
            f"quả đến hết ngày {_day_before(last)}, ngày hẹn trả mới của hồ sơ này sẽ là ngày {new}")


def _day_before(day: str) -> str:
    return f"{dt.datetime.strptime(day, '%d/%m/%Y').date() - dt.timedelta(days=1):%d/%m/%Y}"


@pytest.mark.parametrize("held_by_helper", [False, True])
def test_no_extension_past_the_last_day_of_a_unit_dissolving_ahead(held_by_helper):
    """Due Thu 05/03, the last day Fri 06/03 of the commune holding it (or of the department it was handed over to,
    whose leader extends it): extended by 2 working days it would be due Mon 09/03, refused (422, naming that agency
    and both days, the dossier unchanged); by 1 day, due on the last day, it is extended."""
    w = make_world()
    d, agency, leader = (_handed_over(w), w.other_agency, w.other_leader) if held_by_helper else \
        (processing(w), w.agency, w.leader)
    _close(agency, dt.date(2026, 3, 6))
    before = snapshot(d)
    with pytest.raises(ValidationFailed) as refused:
        lifecycle.extend(d, officer=leader, days=2, reason="Cần xác minh thực địa", at=at(2026, 3, 3, 9))
    assert refused.value.code == "appointment_after_dissolution" and refused.value.status == 422
    assert refused.value.message == (f"Không gia hạn được: {_said(agency, '07/03/2026', '09/03/2026')}; vui lòng hẹn "
                                     "trả kết quả không muộn hơn ngày đó.")
    assert refused.value.details == {"agency": agency.code, "last_day": "2026-03-06", "due_date": "2026-03-09",
                                     "field": "days"}
    assert snapshot(d) == before
    d = lifecycle.extend(d, officer=leader, days=1, reason="Cần xác minh thực địa", at=at(2026, 3, 3, 9))
    assert d.due_at == at(2026, 3, 6, 9)


def test_no_apology_appointment_past_the_last_day_of_a_unit_dissolving_ahead():
    w = make_world()
    d = processing(w)  # due Thu 05/03 09:00
    _close(w.agency, dt.date(2026, 3, 6))
    before = snapshot(d)
    with pytest.raises(ValidationFailed) as refused:
        lifecycle.issue_apology(d, officer=w.leader, reason="Chờ cơ quan khác", new_due_at=at(2026, 3, 10, 9),
                                at=at(2026, 3, 3, 9))
    assert refused.value.code == "appointment_after_dissolution"
    assert refused.value.message == (f"Không hẹn lại ngày trả kết quả được: {_said(w.agency, '07/03/2026', '10/03/2026')}"
                                     "; vui lòng hẹn trả kết quả không muộn hơn ngày đó.")
    assert refused.value.details["field"] == "new_due_at" and refused.value.details["due_date"] == "2026-03-10"
    assert snapshot(d) == before  # no apology slip either
    d = lifecycle.issue_apology(d, officer=w.leader, reason="Chờ cơ quan khác", new_due_at=at(2026, 3, 6, 16),
                                at=at(2026, 3, 3, 9))
    assert d.due_at == at(2026, 3, 6, 16) and d.apology_count == 1


def test_a_pause_does_not_resume_past_the_last_day_of_a_unit_dissolving_ahead():
    """Paused Mon 02/03 14:00, resumed a working day later: the appointment would move from Thu 05/03 (the commune's
    last day) to Fri 06/03. Refused (409), told what to do; resumed the same afternoon it stays by the last day."""
    w = make_world()
    d = lifecycle.pause(processing(w), officer=w.specialist, reason="Chờ xác minh", at=at(2026, 3, 2, 14))
    _close(w.agency, dt.date(2026, 3, 5))
    before = snapshot(d)
    with pytest.raises(InvalidTransition) as refused:
        lifecycle.resume(d, officer=w.specialist, at=at(2026, 3, 3, 14))
    assert refused.value.code == "appointment_after_dissolution" and refused.value.status == 409
    assert refused.value.message == (
        f"Không tiếp tục xử lý được: {_said(w.agency, '06/03/2026', '06/03/2026')}. Ngày hẹn trả lùi thêm thời gian hồ "
        "sơ tạm dừng; cần dừng giải quyết hồ sơ (Dừng giải quyết) và hướng dẫn người nộp nộp hồ sơ tại nơi khác.")
    assert refused.value.details == {"agency": w.agency.code, "last_day": "2026-03-05", "due_date": "2026-03-06"}
    assert snapshot(d) == before
    d = lifecycle.resume(d, officer=w.specialist, at=at(2026, 3, 2, 16))
    assert d.status == Status.PROCESSING and d.due_at == at(2026, 3, 5, 11)


def test_a_supplement_does_not_resume_the_clock_past_the_last_day_of_a_unit_dissolving_ahead():
    """Waiting for a supplement since Mon 02/03 14:00, supplied a working day later: due Fri 06/03, after the
    commune's last day (Thu 05/03). The applicant is told whom to ask, the counter what to do; nothing written."""
    w = make_world()
    d = lifecycle.request_supplement(processing(w), officer=w.specialist, items=["Tờ khai"], reason="Sai tên",
                                     at=at(2026, 3, 2, 14))
    _close(w.agency, dt.date(2026, 3, 5))
    before = snapshot(d)
    fact = _said(w.agency, "06/03/2026", "06/03/2026")
    with pytest.raises(InvalidTransition) as refused:
        lifecycle.provide_supplement(d, by=w.citizen, form_data={"ten_tre": "Bé Ân"}, at=at(2026, 3, 3, 14))
    assert refused.value.code == "appointment_after_dissolution"
    assert refused.value.message == (f"Không bổ sung hồ sơ được: {fact}. Vui lòng liên hệ {w.agency.name} để được "
                                     "hướng dẫn.")
    with pytest.raises(InvalidTransition) as refused:
        lifecycle.provide_supplement(d, by=w.counter, at=at(2026, 3, 3, 14))
    assert refused.value.message.startswith(f"Không bổ sung hồ sơ được: {fact}. Ngày hẹn trả lùi thêm thời gian chờ "
                                            "bổ sung; cần dừng giải quyết hồ sơ")
    assert snapshot(d) == before
    d = lifecycle.provide_supplement(d, by=w.citizen, at=at(2026, 3, 2, 16))
    assert d.status == Status.PROCESSING and d.due_at == at(2026, 3, 5, 11)


def test_no_hand_over_to_a_unit_dissolving_ahead_before_the_dossier_is_due():
    """Due Thu 05/03; the department's unit's last day is Wed 04/03: the dossier would still wait there after it,
    refused (422, field to_agency); with its last day on 05/03 it is handed over."""
    w = make_world()
    unit = w.other_agency.admin_unit
    d = processing(w)
    _close(w.other_agency, dt.date(2026, 3, 4))
    before = snapshot(d)
    with pytest.raises(ValidationFailed) as refused:
        lifecycle.hand_over(d, officer=w.specialist, to_agency=w.other_agency, note="Xin ý kiến", at=at(2026, 3, 2, 11))
    assert refused.value.code == "appointment_after_dissolution"
    assert refused.value.message == (
        f"{unit.name} sẽ giải thể từ ngày 05/03/2026: {w.other_agency.name} chỉ nhận hồ sơ chuyển đến có ngày hẹn trả "
        "kết quả đến hết ngày 04/03/2026, ngày hẹn trả của hồ sơ này là ngày 05/03/2026; vui lòng chọn cơ quan nhận "
        "khác.")
    assert refused.value.details == {"agency": w.other_agency.code, "last_day": "2026-03-04", "due_date": "2026-03-05",
                                     "field": "to_agency"}
    assert snapshot(d) == before
    _close(w.other_agency, dt.date(2026, 3, 5))
    d = lifecycle.hand_over(d, officer=w.specialist, to_agency=w.other_agency, at=at(2026, 3, 2, 11))
    assert d.current_agency == w.other_agency

