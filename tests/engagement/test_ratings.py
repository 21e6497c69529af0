import datetime as dt
from decimal import Decimal

import pytest

from motcua.audit.models import AuditEntry
from motcua.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier, Status
from motcua.engagement import ratings as services
from motcua.engagement.models import RatingCriterion, SatisfactionRating
from motcua.outbox.models import OutboxEvent
from tests.dossiers.factories import at, make_world
from tests.factories import AgencyFactory, citizen, officer, procedure_with_steps

pytestmark = pytest.mark.django_db

FULL = {"total_time": 2, "unit_time": 1, "contacts": 2}


def returned_dossier(applicant=None, agency=None, status=Status.RETURNED, **kw):
    return Dossier.objects.create(procedure=procedure_with_steps(), agency=agency or AgencyFactory(), status=status,
                                  channel="online", rule_version="decree118_2025", code=kw.pop("code", None),
                                  applicant=applicant or citizen(), applicant_name="Trần Thị Bình", **kw)


def test_default_criteria_are_the_circular_01_2018_indicators():
    crit = services.active_criteria()
    assert [c.code for c in crit] == ["total_time", "unit_time", "contacts"]
    assert crit[0].options == {"2": "Sớm hơn quy định", "1": "Đúng quy định", "0": "Muộn hơn quy định"}


def test_applicant_rates_after_the_whole_lifecycle():
    w = make_world()
    d = w.submit(when=at(2026, 3, 2, 8))
    with pytest.raises(InvalidTransition) as err:
        services.submit_rating(w.citizen, d, True)
    assert err.value.code == "rating_not_returned"
    d = lifecycle.receive(d, officer=w.counter, at=at(2026, 3, 2, 9))
    d = lifecycle.start_processing(d, officer=w.counter, assignee=w.specialist, at=at(2026, 3, 2, 10))
    d = lifecycle.complete_step(d, officer=w.specialist, at=at(2026, 3, 2, 15))
    d = lifecycle.approve(d, officer=w.leader, summary="Cấp giấy khai sinh", at=at(2026, 3, 3, 10))
    d = lifecycle.sign_result(d, officer=w.leader, at=at(2026, 3, 3, 11))
    d = lifecycle.return_result(d, officer=w.counter, at=at(2026, 3, 3, 14))
    # The agency's own scoring from the record: decided a day before the appointment, no supplement.
    assert services.suggested_scores(d)["total_time"] == 2
    assert services.suggested_scores(d)["contacts"] == 2

    with pytest.raises(PermissionDenied):
        services.submit_rating(w.stranger, d, True)
    with pytest.raises(PermissionDenied):
        services.submit_rating(w.counter, d, True)

    rating = services.submit_rating(w.citizen, d, True, FULL, "  Cán bộ nhiệt tình  ", at=at(2026, 3, 4, 9))
    assert rating.total_score == 5 and rating.max_score == 6 and rating.comment == "Cán bộ nhiệt tình"
    event = OutboxEvent.objects.get(topic="engagement.rating_submitted")
    assert event.payload["code"] == d.code and event.payload["satisfied"] is True
    assert event.payload["agency_code"] == w.agency.code and event.payload["scores"] == FULL
    assert AuditEntry.objects.filter(action="engagement.rating_submitted", object_id=str(d.pk)).exists()

    with pytest.raises(InvalidTransition) as err:
        services.submit_rating(w.citizen, d, False)
    assert err.value.code == "rating_exists"
    assert OutboxEvent.objects.filter(topic="engagement.rating_submitted").count() == 1


@pytest.mark.parametrize("scores,code", [
    ({"total_time": 2}, "rating_criterion_missing"),
    ({**FULL, "contacts": 3}, "rating_score_invalid"),
    ({**FULL, "contacts": True}, "rating_score_invalid"),
    ({**FULL, "thai_do": 2}, "rating_criterion_unknown"),
    (["2", "1"], "rating_scores_invalid"),
])
def test_bad_scores_are_refused_and_nothing_is_written(scores, code):
    d = returned_dossier()
    with pytest.raises(ValidationFailed) as err:
        services.submit_rating(d.applicant, d, True, scores)
    assert err.value.code == code and err.value.status == 422
    assert not SatisfactionRating.objects.exists() and not OutboxEvent.objects.exists()


def test_quick_rating_and_configurable_criteria():
    d = returned_dossier()
    quick = services.submit_rating(d.applicant, d, False, {}, "Phải đi lại nhiều lần")
    assert quick.scores == {} and quick.max_score == 0 and not quick.satisfied
    RatingCriterion.objects.filter(code="unit_time").update(is_active=False)
    RatingCriterion.objects.create(code="attitude", name="Thái độ của công chức", order=4,
                                   options={"2": "Tốt", "1": "Bình thường", "0": "Chưa tốt"})
    d2 = returned_dossier()
    r = services.submit_rating(d2.applicant, d2, True, {"total_time": 1, "contacts": 2, "attitude": 2})
    assert r.max_score == 6 and r.total_score == 5


def test_suggested_scores_count_late_answers_and_repeated_contacts():
    due = dt.datetime(2026, 3, 5, 2, 0, tzinfo=dt.UTC)
    d = returned_dossier(original_due_at=due, due_at=due, decided_at=due + dt.timedelta(hours=3), supplement_count=2)
    assert services.suggested_scores(d) == {"total_time": 0, "contacts": 0}
    d.decided_at = due
    d.supplement_count = 1
    assert services.suggested_scores(d) == {"total_time": 1, "contacts": 1}


def test_satisfaction_summary_for_reporting():
    agency = AgencyFactory()
    dossiers = [returned_dossier(agency=agency) for _ in range(4)]
    running = returned_dossier(agency=agency, status=Status.PROCESSING)
    services.submit_rating(dossiers[0].applicant, dossiers[0], True, FULL)
    services.submit_rating(dossiers[1].applicant, dossiers[1], True, {"total_time": 1, "unit_time": 1, "contacts": 0})
    services.submit_rating(dossiers[2].applicant, dossiers[2], False, {})
    other_agency = returned_dossier()
    services.submit_rating(other_agency.applicant, other_agency, False, FULL)

    s = services.satisfaction_summary(Dossier.objects.filter(agency=agency))
    assert (s["dossiers"], s["returned"], s["rated"], s["satisfied"], s["not_satisfied"]) == (5, 4, 3, 2, 1)
    assert s["satisfaction_rate"] == Decimal("66.67") and s["response_rate"] == Decimal("75.00")
    assert s["score_rate"] == Decimal("58.33")  # 7 of 12 points
    assert s["criteria"]["total_time"]["average"] == Decimal("1.50")
    assert s["criteria"]["contacts"]["distribution"] == {0: 1, 1: 0, 2: 1}
    assert running.pk not in {d.pk for d in dossiers}

    empty = services.satisfaction_summary(Dossier.objects.none())
    assert empty["rated"] == 0 and empty["satisfaction_rate"] is None


def test_officer_cannot_rate_even_in_own_agency():
    d = returned_dossier()
    with pytest.raises(PermissionDenied):
        services.submit_rating(officer("leader", d.agency), d, True)


def test_dissatisfied_dossiers_for_indicator_5_4():
    from motcua.engagement.feedback import submit_feedback

    agency = AgencyFactory()
    happy, unhappy, complained, silent = (returned_dossier(agency=agency) for _ in range(4))
    services.submit_rating(happy.applicant, happy, True)
    services.submit_rating(unhappy.applicant, unhappy, False)
    submit_feedback(complained.applicant, classification="conduct", title="Trả kết quả chậm",
                    content="Hẹn trả kết quả nhưng đến nơi chưa có.", dossier=complained, phone="0905123456")
    submit_feedback(complained.applicant, classification="conduct", title="Lần hai",
                    content="Vẫn chưa nhận được kết quả sau khi phản ánh.", dossier=complained, phone="0905123456")
    got = services.dissatisfied_dossiers(Dossier.objects.filter(agency=agency))
    assert sorted(d.pk for d in got) == sorted([unhappy.pk, complained.pk])
    assert silent.pk not in {d.pk for d in got}
