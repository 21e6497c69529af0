"""A merger applied months after it took effect (effective 01/04, applied today): for the statistics the new unit
answers for the old units' dossiers from the effective date, not from the day the plan was applied. The old
communes show no stock for the months they no longer existed in (what their Decision 766 index says too), the new
one holds the moved dossiers from 01/04, what the old committee still received or decided in between counts as the
new unit's, the province's totals do not change, and a full rebuild gives the same counters as the consumer."""

import datetime as dt

import pytest
from django.db import connection

from motcua.accounts.models import Role
from motcua.dossiers import lifecycle
from motcua.dossiers.models import DossierEvent
from motcua.engagement.ratings import submit_rating
from motcua.integrations.adapters.notify import SmsAdapter
from motcua.outbox.models import OutboxEvent
from motcua.reporting import decision766, indicators
from motcua.reporting.consumer import consume, rebuild, recompute_from_dossiers, stored_counters
from motcua.reporting.metrics import parse_moves
from motcua.reporting.models import DossierFact
from motcua.units.models import ReorganizationPlan
from motcua.units.reorganization import apply, approve, preview
from tests.dossiers.factories import APPLICANT, at
from tests.units import reorganization_world as world

pytestmark = pytest.mark.django_db
EFFECTIVE = dt.date(2026, 4, 1)
STOCKS = ("in_progress", "in_progress_overdue", "in_progress_on_time")


def _months() -> list[int]:
    """The whole months from the effective date to last month (the world's dossiers are of 2026)."""
    today = dt.date.today()
    months = list(range(EFFECTIVE.month, today.month)) if today.year == 2026 else list(range(EFFECTIVE.month, 13))
    assert len(months) >= 3, "the test needs a merger applied at least three months after it took effect"
    return months


def _bounds(month: int) -> tuple[dt.date, dt.date]:
    return indicators.month_bounds(2026, month)


def _before_applying(w):
    """The old committees kept working after 01/04 until the plan was applied: a receipt in May (still open when
    the plan is applied) and a decision in June on a dossier received in March (its result not yet handed out)."""
    counter, leader = w.officers[("a", Role.COUNTER_OFFICER)], w.officers[("a", Role.LEADER)]
    w.dossiers["a:received_in_may"] = lifecycle.receive_at_counter(
        officer=counter, procedure=w.procedures["shared"], agency=w.agency_a, applicant_data=APPLICANT, form_data={},
        at=at(2026, 5, 12, 8))
    w.dossiers["a:decided_in_june"] = lifecycle.approve(w.dossiers["a:waiting_decision"], officer=leader,
                                                        at=at(2026, 6, 3, 9))


def test_a_merger_applied_late_counts_from_its_effective_date(client):
    w = world.build()
    _before_applying(w)
    consume()
    months = _months()
    province_before = {m: indicators.totals(*_bounds(m)).values for m in months}
    old = [w.agency_a.code, w.agency_b.code]
    open_end_of_march = sum(indicators.totals(dt.date(2026, 3, 31), dt.date(2026, 3, 31), code)["in_progress"]
                            for code in old)
    assert open_end_of_march > 0

    plan = approve(world.draft(w, effective=EFFECTIVE), w.admin)
    apply(plan, w.admin)
    consume()
    plan.refresh_from_db()
    new = plan.new_agency.code
    assert plan.applied_at.date() > EFFECTIVE

    # The move counts from 00:00 of the effective date, whatever day the plan was applied.
    fact = DossierFact.objects.get(dossier_id=w.dossiers["a:processing"].pk)
    assert parse_moves(fact.agency_moves) == [(w.agency_a.code, plan.takes_effect_at)]

    for m in months:
        for code in old:  # the old communes hold nothing after their last day (31/03)
            figures = indicators.totals(*_bounds(m), code)
            assert {s: figures[s] for s in STOCKS} == dict.fromkeys(STOCKS, 0), (code, m)
            assert figures["received"] == figures["resolved"] == 0, (code, m)
            if m > EFFECTIVE.month:
                assert figures["carried_over"] == 0, (code, m)
        # each dossier counts once: the province's figures are those before applying, the new unit has the stock
        assert indicators.totals(*_bounds(m)).values == province_before[m], m
        stocks = {s: indicators.totals(*_bounds(m), new)[s] + indicators.totals(*_bounds(m), w.province_agency.code)[s]
                  for s in STOCKS}
        assert stocks == {s: province_before[m][s] for s in STOCKS}, m
    april = indicators.totals(*_bounds(4), new)
    assert april["in_progress"] == open_end_of_march and april["received"] == 0
    # what the old committee did after 01/04 was done for the new unit
    assert indicators.totals(*_bounds(5), new)["received"] == 1
    assert indicators.totals(*_bounds(6), new)["resolved"] == 1

    # The old commune's page month by month says the same as its Decision 766 index: nothing after 31/03.
    rows = client.get(f"/thong-ke/don-vi/{w.agency_a.code}/?nam=2026").context["rows"]
    for m in months:
        assert rows[m - 1]["overdue"] == "0" and rows[m - 1]["received"] == "0", m
    period = (EFFECTIVE, _bounds(months[-1])[1])
    assert decision766.evaluate(*period, w.agency_a.code)["absent"] is True
    assert not any(decision766.costly_dossiers(*period, w.agency_a.code).values())
    # The new unit's index counts the moved dossiers from 01/04, as its ordinary statistics do.
    index = decision766.evaluate(*period, new)
    figures = indicators.totals(*period, new)
    on_time = next(i for g in index["groups"] for i in g["indicators"] if i["code"] == "2.1")
    assert on_time["denominator"] == figures["resolved"] + figures["in_progress"] >= open_end_of_march

    # The consumer's counters are the naive truth and what a full replay of the outbox gives.
    incremental = stored_counters()
    assert incremental == recompute_from_dossiers()
    rebuild()
    assert stored_counters() == incremental


def _old_communes(w, months) -> dict:
    """The old communes' stocks and flows, month by month."""
    out = {}
    for code in (w.agency_a.code, w.agency_b.code):
        for m in months:
            figures = indicators.totals(*_bounds(m), code)
            out[(code, m)] = {s: figures[s] for s in (*STOCKS, "carried_over", "received", "resolved")}
    return out


def test_transfers_written_before_effective_at_count_from_the_effective_date_after_a_rebuild(client):
    """An installation that applied the plan late with the release before transfers carried ``effective_at``
    (event data and outbox payload): its transfers carry only their plan (and the oldest payloads not even the
    dossier event's id). Once upgraded, a full rebuild counts them from the plan's effective date too, without
    rewriting the stored events: the old commune holds nothing (no dossier in progress, none overdue) for the
    months between the effective date and the applying day, as for a plan applied with this release."""
    w = world.build()
    _before_applying(w)
    plan = approve(world.draft(w, effective=EFFECTIVE), w.admin)
    apply(plan, w.admin)
    consume()
    months = _months()
    expected, counters = _old_communes(w, months), stored_counters()
    assert all(v == 0 for figures in expected.values() for s, v in figures.items() if s != "carried_over")

    # The events as the release before wrote them.
    transfers = list(DossierEvent.objects.filter(action="transfer_agency"))
    assert len(transfers) >= 3
    for event in transfers:
        del event.data["effective_at"]
        event.save(update_fields=["data"])
    for i, event in enumerate(OutboxEvent.objects.filter(topic="dossier.transfer_agency").order_by("pk")):
        del event.payload["effective_at"]
        if i == 0:
            del event.payload["event_id"]  # written before the payload carried the dossier event's id
        event.save(update_fields=["payload"])

    sql = []
    with connection.execute_wrapper(lambda execute, query, *args: sql.append(query) or execute(query, *args)):
        rebuild()
    assert _old_communes(w, months) == expected
    for m in months:
        figures = indicators.totals(*_bounds(m), w.agency_a.code)
        assert figures["in_progress"] == figures["in_progress_overdue"] == 0, m
    rows = client.get(f"/thong-ke/don-vi/{w.agency_a.code}/?nam=2026").context["rows"]
    for m in months:
        assert rows[m - 1]["overdue"] == "0", m
    fact = DossierFact.objects.get(dossier_id=w.dossiers["a:processing"].pk)
    assert parse_moves(fact.agency_moves) == [(w.agency_a.code, plan.takes_effect_at)]
    assert stored_counters() == counters == recompute_from_dossiers()
    plan_table = ReorganizationPlan._meta.db_table
    assert sum(plan_table in query for query in sql) == 1  # the plan read once, not once per event


def test_what_an_old_committee_finished_after_the_effective_date_counts_for_the_new_unit(client):
    """Dossiers the old committee finished (or received and finished) between the effective date and the applying
    day are closed when the plan is applied: they count for the new unit from the effective date all the same, in
    the ordinary statistics and its Decision 766 index, and the old commune shows nothing after 31/03."""
    w = world.build()
    specialist, leader = w.officers[("a", Role.SPECIALIST)], w.officers[("a", Role.LEADER)]
    counter = w.officers[("a", Role.COUNTER_OFFICER)]
    late = lifecycle.complete_step(w.dossiers["a:processing"], officer=specialist, at=at(2026, 5, 4, 9))
    late = lifecycle.approve(late, officer=leader, at=at(2026, 5, 5, 9))
    late = lifecycle.sign_result(late, officer=leader, at=at(2026, 5, 6, 9))
    late = lifecycle.return_result(late, officer=counter, at=at(2026, 5, 7, 9))  # returned: closed, late
    received = lifecycle.receive_at_counter(officer=counter, procedure=w.procedures["shared"], agency=w.agency_a,
                                            applicant_data=APPLICANT, form_data={}, at=at(2026, 5, 12, 8))
    received = lifecycle.withdraw(received, by=counter, reason="Công dân đề nghị", at=at(2026, 6, 2, 9))
    consume()  # the live path: the statistics counted them for the old commune when it did them
    months = _months()
    province_before = {m: indicators.totals(*_bounds(m)).values for m in months}
    assert indicators.totals(*_bounds(5), w.agency_a.code)["resolved"] == 1

    plan = approve(world.draft(w, effective=EFFECTIVE), w.admin)
    expected = preview(plan).counts["dossiers.in_flight"]
    assert expected["moved_closed"] == 2
    assert apply(plan, w.admin)["dossiers.in_flight"] == expected
    consume()
    plan.refresh_from_db()
    new = plan.new_agency.code
    assert plan.applied_at.date() > EFFECTIVE
    # nothing to tell the applicants of the closed ones: only their figures change unit
    sms = SmsAdapter({})
    transfers = {e.payload["code"]: e for e in OutboxEvent.objects.filter(topic="dossier.transfer_agency")}
    assert not sms.accepts(transfers[late.code]) and not sms.accepts(transfers[received.code])
    assert sms.accepts(transfers[w.dossiers["a:paused"].code])

    for m in months:
        for code in (w.agency_a.code, w.agency_b.code):
            figures = indicators.totals(*_bounds(m), code)
            assert {k: figures[k] for k in ("received", "resolved", "resolved_late", "returned", "withdrawn",
                                             *STOCKS)} == dict.fromkeys(("received", "resolved", "resolved_late",
                                                                         "returned", "withdrawn", *STOCKS), 0), (code, m)
        assert indicators.totals(*_bounds(m)).values == province_before[m], m  # each dossier counts once
    may, june = indicators.totals(*_bounds(5), new), indicators.totals(*_bounds(6), new)
    assert (may["received"], may["resolved"], may["resolved_late"], may["returned"]) == (1, 1, 1, 1)
    assert june["withdrawn"] == 1
    rows = client.get(f"/thong-ke/don-vi/{w.agency_a.code}/?nam=2026").context["rows"]
    assert (rows[4]["received"], rows[4]["resolved"], rows[4]["late"]) == ("0", "0", "0")
    rows = client.get(f"/thong-ke/don-vi/{new}/?nam=2026").context["rows"]
    assert (rows[4]["received"], rows[4]["resolved"], rows[4]["late"]) == ("1", "1", "1")

    # Decision 766: the new unit's index of May counts the late decision, and lists it as costing points.
    index = decision766.evaluate(*_bounds(5), new)
    on_time = next(i for g in index["groups"] for i in g["indicators"] if i["code"] == "2.1")
    assert on_time["denominator"] == may["resolved"] + may["in_progress"]
    assert late.code in [row["code"] for row in decision766.costly_dossiers(*_bounds(5), new)["2.1"]]
    assert not any(decision766.costly_dossiers(*_bounds(5), w.agency_a.code).values())

    # A dossier closed before the merger took effect stays with the old commune's history.
    assert DossierEvent.objects.filter(dossier=w.dossiers["a:returned"], action="transfer_agency").count() == 0

    # The consumer's counters are the naive truth and what a full replay of the outbox gives.
    incremental = stored_counters()
    assert incremental == recompute_from_dossiers()
    rebuild()
    assert stored_counters() == incremental


def _returned_online(w, day: int):
    """A dossier the citizen filed online with commune A and got back in March, before the merger took effect."""
    counter, specialist = w.officers[("a", Role.COUNTER_OFFICER)], w.officers[("a", Role.SPECIALIST)]
    leader = w.officers[("a", Role.LEADER)]
    d = lifecycle.submit_online(applicant=w.citizen, procedure=w.procedures["shared"], agency=w.agency_a,
                                applicant_data=APPLICANT, form_data={"ten_tre": "Bé An"}, at=at(2026, 3, day, 8))
    d = lifecycle.receive(d, officer=counter, at=at(2026, 3, day, 9))
    d = lifecycle.start_processing(d, officer=counter, assignee=specialist, at=at(2026, 3, day, 10))
    d = lifecycle.complete_step(d, officer=specialist, at=at(2026, 3, day, 11))
    d = lifecycle.approve(d, officer=leader, at=at(2026, 3, day, 14))
    d = lifecycle.sign_result(d, officer=leader, at=at(2026, 3, day, 15))
    return lifecycle.return_result(d, officer=counter, at=at(2026, 3, day, 16))


def test_a_rating_given_after_the_effective_date_counts_for_the_new_unit(client):
    """Dossiers returned by the old commune before the merger took effect stay in its history, but the citizen rates
    them later: one in May (before the plan is applied, months late), one after. Neither rating shows up on the
    closed commune (it no longer existed); both count for the new unit, in the month they were given, in its
    statistics and its Decision 766 list of dossiers that cost points; March, the province's totals and a rebuild
    from scratch do not change."""
    w = world.build()
    in_may, later = _returned_online(w, 23), _returned_online(w, 24)
    submit_rating(w.citizen, in_may, False, at=at(2026, 5, 6, 9))
    consume()
    march_before = indicators.totals(*_bounds(3), w.agency_a.code).values
    may_province = indicators.totals(*_bounds(5)).values
    assert (may_province["rated"], may_province["rated_dissatisfied"]) == (1, 1)

    plan = approve(world.draft(w, effective=EFFECTIVE), w.admin)
    apply(plan, w.admin)
    consume()
    plan.refresh_from_db()
    new = plan.new_agency.code
    assert not DossierEvent.objects.filter(dossier__in=[in_may, later], action="transfer_agency").exists()
    submit_rating(w.citizen, later, True)  # after the plan was applied
    consume()
    now = dt.date.today()
    this_month = indicators.month_bounds(now.year, now.month)

    for bounds in (_bounds(5), this_month):
        old = indicators.totals(*bounds, w.agency_a.code)
        assert (old["rated"], old["rated_satisfied"], old["rated_dissatisfied"]) == (0, 0, 0), bounds
    mine = indicators.totals(*_bounds(5), new)
    assert (mine["rated"], mine["rated_dissatisfied"]) == (1, 1)
    mine = indicators.totals(*this_month, new)
    assert (mine["rated"], mine["rated_satisfied"]) == (1, 1)
    assert indicators.totals(*_bounds(3), w.agency_a.code).values == march_before  # its history is its own
    assert indicators.totals(*_bounds(5)).values == may_province
    assert indicators.drill_down("rated_dissatisfied", *_bounds(5), new) == [in_may.pk]
    assert indicators.drill_down("rated_dissatisfied", *_bounds(5), w.agency_a.code) == []
    unhappy = decision766.costly_dossiers(*_bounds(5), new)["5.4"]
    assert [row["code"] for row in unhappy] == [in_may.code]

    incremental = stored_counters()
    assert incremental == recompute_from_dossiers()
    rebuild()
    assert stored_counters() == incremental
