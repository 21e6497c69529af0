"""Counters are fed by outbox events and must equal a recomputation from raw dossiers."""

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.core.errors import DomainError
from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier
from motcua.outbox.models import OutboxEvent
from motcua.reporting import consumer, indicators
from motcua.reporting.models import ConsumerCursor, DossierFact, StatCounter
from tests.dossiers.factories import at, make_world

pytestmark = pytest.mark.django_db

ACTIONS = ["receive", "receive_digitized", "supplement", "provide", "refuse", "start", "step", "step_leader",
           "pause", "resume", "extend", "apology", "approve", "reject", "sign", "sign_paper", "return",
           "withdraw", "stop"]


def run_action(w, d, action, when):
    """One lifecycle call; an action the state machine refuses is simply skipped."""
    calls = {
        "receive": lambda: lifecycle.receive(d, officer=w.counter, at=when),
        "receive_digitized": lambda: lifecycle.receive(d, officer=w.counter, digitized=True, at=when),
        "supplement": lambda: lifecycle.request_supplement(d, officer=w.counter, items=["Tờ khai"],
                                                           reason="Thiếu chữ ký", at=when),
        "provide": lambda: lifecycle.provide_supplement(d, by=w.citizen if d.channel == "online" else w.counter,
                                                        at=when),
        "refuse": lambda: lifecycle.refuse(d, officer=w.counter, reason="Không thuộc thẩm quyền", at=when),
        "start": lambda: lifecycle.start_processing(d, officer=w.counter, assignee=w.specialist, at=when),
        "step": lambda: lifecycle.complete_step(d, officer=w.specialist, at=when),
        "step_leader": lambda: lifecycle.complete_step(d, officer=w.leader, at=when),
        "pause": lambda: lifecycle.pause(d, officer=w.head, reason="Chờ xác minh", at=when),
        "resume": lambda: lifecycle.resume(d, officer=w.head, at=when),
        "extend": lambda: lifecycle.extend(d, officer=w.leader, days=2, reason="Luật chuyên ngành", at=when),
        "apology": lambda: lifecycle.issue_apology(d, officer=w.leader, reason="Chậm xác minh",
                                                   new_due_at=(d.due_at or when) + dt.timedelta(days=5), at=when),
        "approve": lambda: lifecycle.approve(d, officer=w.leader, at=when),
        "reject": lambda: lifecycle.reject(d, officer=w.leader, reason="Không đủ điều kiện", at=when),
        "sign": lambda: lifecycle.sign_result(d, officer=w.leader, at=when),
        "sign_paper": lambda: lifecycle.sign_result(d, officer=w.leader, electronic=False, digitized=False, at=when),
        "return": lambda: lifecycle.return_result(d, officer=w.counter, at=when),
        "withdraw": lambda: lifecycle.withdraw(d, by=w.citizen if d.channel == "online" else w.counter,
                                               reason="Không có nhu cầu", at=when),
        "stop": lambda: lifecycle.stop(d, officer=w.leader, reason="Theo yêu cầu cơ quan", at=when),
    }
    try:
        return calls[action]()
    except DomainError:
        return d


def assert_counters_match_dossiers():
    assert consumer.stored_counters() == consumer.recompute_from_dossiers()
    for d in Dossier.objects.exclude(status="draft").select_related("agency", "procedure__field"):
        assert consumer.fact_data(DossierFact.objects.get(pk=d.pk)) == consumer.fact_from_dossier(d)


history = st.lists(
    st.tuples(
        st.sampled_from(["online", "counter", "post"]),
        st.integers(min_value=0, max_value=400),  # start, days after 01/05/2025 (crosses Decree 118's date)
        st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(min_value=1, max_value=120)), max_size=12),
        st.booleans(),  # consume part-way
    ),
    min_size=1, max_size=5,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(history=history)
def test_counters_equal_recomputation_for_random_histories(history):
    w = make_world(processing_days="2")
    for channel, start_day, actions, consume_midway in history:
        when = at(2025, 5, 1, 8) + dt.timedelta(days=start_day)
        if channel == "online":
            d = w.submit(when=when)
        else:
            d = w.walk_in(when=when, channel=channel, digitized=start_day % 2 == 0)
        for i, (action, gap_hours) in enumerate(actions):
            when = when + dt.timedelta(hours=gap_hours)
            d = run_action(w, d, action, when)
            if consume_midway and i == len(actions) // 2:
                consumer.consume(batch_size=3, max_batches=1)
    consumer.consume(batch_size=7)
    assert_counters_match_dossiers()


def _journey(w, start):
    d = w.submit(when=start)
    d = lifecycle.receive(d, officer=w.counter, digitized=True, at=start + dt.timedelta(hours=1))
    d = lifecycle.start_processing(d, officer=w.counter, assignee=w.specialist, at=start + dt.timedelta(hours=2))
    d = lifecycle.complete_step(d, officer=w.specialist, at=start + dt.timedelta(hours=3))
    d = lifecycle.approve(d, officer=w.leader, at=start + dt.timedelta(hours=4))
    d = lifecycle.sign_result(d, officer=w.leader, at=start + dt.timedelta(hours=5))
    return lifecycle.return_result(d, officer=w.counter, at=start + dt.timedelta(hours=6))


def test_consumer_is_idempotent_and_restartable():
    w = make_world()
    _journey(w, at(2026, 3, 2, 8))
    open_one = w.walk_in(when=at(2026, 3, 3, 8))
    assert consumer.consume(batch_size=2, max_batches=2) == 4  # stopped part-way
    consumer.consume()
    snapshot = consumer.stored_counters()
    assert consumer.consume() == 0  # nothing new
    # a lost cursor (or a replay) must not count anything twice
    ConsumerCursor.objects.all().update(last_event_id=0)
    assert consumer.consume() == OutboxEvent.objects.count()
    assert consumer.stored_counters() == snapshot
    march = indicators.totals(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert march["received"] == 2 and march["resolved"] == 1 and march["returned"] == 1
    assert march["received_online"] == 1 and march["received_counter"] == 1
    assert march["in_progress"] == 1
    assert indicators.drill_down("in_progress", dt.date(2026, 3, 1), dt.date(2026, 3, 31)) == [open_one.pk]


def test_failed_batch_changes_nothing(monkeypatch):
    w = make_world()
    _journey(w, at(2026, 3, 2, 8))

    def boom(deltas):
        raise RuntimeError("disk full")

    monkeypatch.setattr(consumer, "upsert_counters", boom)
    with pytest.raises(RuntimeError):
        consumer.consume()
    assert not DossierFact.objects.exists() and not StatCounter.objects.exists()
    assert ConsumerCursor.objects.filter(last_event_id__gt=0).count() == 0
    monkeypatch.undo()
    consumer.consume()
    assert_counters_match_dossiers()


def test_late_dossier_and_stocks_across_periods():
    w = make_world(processing_days="1")
    late = w.walk_in(when=at(2026, 3, 30, 8))  # due Tue 31/03 08:00
    late = lifecycle.start_processing(late, officer=w.counter, assignee=w.specialist, at=at(2026, 3, 30, 9))
    on_time = w.walk_in(when=at(2026, 3, 31, 8))
    consumer.consume()
    march = indicators.totals(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert march["in_progress"] == 2 and march["in_progress_overdue"] == 1
    assert indicators.drill_down("in_progress_overdue", dt.date(2026, 3, 1), dt.date(2026, 3, 31)) == [late.pk]

    lifecycle.complete_step(late, officer=w.specialist, at=at(2026, 4, 2, 9))
    lifecycle.approve(late, officer=w.leader, at=at(2026, 4, 2, 10))
    lifecycle.withdraw(on_time, by=w.counter, reason="Không có nhu cầu", at=at(2026, 4, 1, 9))
    consumer.consume()
    april = indicators.totals(dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    assert april["carried_over"] == 2 and april["received"] == 0
    assert april["resolved"] == 1 and april["resolved_late"] == 1 and april["withdrawn"] == 1
    assert april["in_progress"] == 0
    assert indicators.drill_down("resolved_late", dt.date(2026, 4, 1), dt.date(2026, 4, 30)) == [late.pk]
    assert indicators.drill_down("carried_over", dt.date(2026, 4, 1), dt.date(2026, 4, 30)) == sorted(
        [late.pk, on_time.pk])
    assert_counters_match_dossiers()


def test_drill_down_lists_match_every_counter():
    from motcua.engagement.ratings import submit_rating

    w = make_world()
    for day in (2, 3, 4):
        done = _journey(w, at(2026, 3, day, 8))
        submit_rating(w.citizen, done, satisfied=day != 3, at=at(2026, 3, day, 16))
    d = w.submit(when=at(2026, 3, 5, 8))
    lifecycle.request_supplement(d, officer=w.counter, items=["Tờ khai"], reason="Thiếu", at=at(2026, 3, 5, 9))
    w.walk_in(when=at(2026, 3, 6, 8), channel="post")
    consumer.consume()
    lo, hi = dt.date(2026, 3, 1), dt.date(2026, 3, 31)
    ind = indicators.totals(lo, hi)
    for metric in ["received", "resolved", "resolved_early", "resolved_on_time", "resolved_late", "returned",
                   "results_digitized", "received_digitized", "supplement_dossiers", "received_online",
                   "received_post", "in_progress", "carried_over", "rated", "rated_satisfied",
                   "rated_dissatisfied"]:
        assert len(indicators.drill_down(metric, lo, hi)) == ind[metric], metric
    assert ind["supplement_dossiers"] == 1 and ind["received"] == 4
    assert ind["rated"] == 3 and ind["rated_dissatisfied"] == 1
    assert indicators.format_percent(ind.rates["satisfaction_rate"]) == "66,67 %"
    assert_counters_match_dossiers()


def test_transaction_rollback_of_lifecycle_leaves_no_event():
    w = make_world()
    with pytest.raises(RuntimeError), transaction.atomic():
        w.submit(when=at(2026, 3, 2, 8))
        raise RuntimeError
    assert consumer.consume() == 0


def test_consume_events_command_and_rebuild():
    from io import StringIO

    from django.core.management import call_command

    w = make_world()
    _journey(w, at(2026, 3, 2, 8))
    out = StringIO()
    call_command("consume_events", "--lag", "0", stdout=out)
    assert f"Đã xử lý {OutboxEvent.objects.count()} sự kiện." in out.getvalue()
    before = consumer.stored_counters()
    call_command("consume_events", "--rebuild", stdout=out)
    assert consumer.stored_counters() == before
    # scope by administrative level: the world's agency is a commune's
    commune = indicators.totals(dt.date(2026, 3, 1), dt.date(2026, 3, 31), scope="level:commune")
    province = indicators.totals(dt.date(2026, 3, 1), dt.date(2026, 3, 31), scope="level:province")
    assert commune["received"] == 1 and province["received"] == 0
    by_level = indicators.compute(dt.date(2026, 3, 1), dt.date(2026, 3, 31), group_by="admin_level")
    assert {k: v["received"] for k, v in by_level.items()} == {("commune",): 1}
