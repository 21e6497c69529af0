"""Random sequences of actions by random people: the lifecycle invariants hold whatever happens.

- the status is always a known one;
- a refused action changes nothing (dossier row, events, outbox, audit trail);
- each accepted action writes exactly one event, one outbox row and one audit entry, and bumps version;
- an action succeeds only if allowed_actions offered it, so the UI never shows a dead button... and
  never hides a live one: an offered action whose arguments are valid succeeds;
- terminal states accept nothing.
"""

import datetime as dt

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from motcua.audit.models import AuditEntry
from motcua.core.errors import DomainError
from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier, DossierEvent, Status
from motcua.outbox.models import OutboxEvent
from tests.factories import officer

from .factories import at, make_world

pytestmark = pytest.mark.django_db

ACTIONS = ["receive", "request_supplement", "provide_supplement", "refuse", "start_processing", "complete_step",
           "hand_over", "return_from_agency", "pause", "resume", "extend", "issue_apology", "approve", "reject",
           "sign_result", "return_result", "withdraw", "stop"]
PEOPLE = ["citizen", "stranger", "counter", "specialist", "head", "leader", "other_specialist", "other_leader"]
FORWARD = {"receive", "start_processing", "complete_step", "approve", "sign_result", "return_result",
           "provide_supplement", "resume", "return_from_agency"}
ENDINGS = {"refuse", "withdraw", "stop", "reject"}
# Rules that depend on the arguments or the clock, not on status and role.
ARGUMENT_CODES = {"apology_too_late", "new_due_invalid", "time_before_last_event"}


@pytest.fixture
def w():
    return make_world(inter_agency=True)


def right_person(w, d, action):
    at_other = d.current_agency_id == w.other_agency.pk
    if action == "complete_step" and d.current_step_id:
        if d.current_step.role == "leader":
            return w.leader
        return w.other_specialist if at_other else w.specialist
    if action in ("hand_over", "return_from_agency", "pause", "resume"):
        return w.other_specialist if at_other else w.specialist
    if action == "issue_apology":
        return w.other_leader if at_other else w.leader
    if action in ("provide_supplement", "withdraw"):
        return w.citizen
    if action in ("extend", "approve", "reject", "sign_result", "stop"):
        return w.leader
    return w.counter


def call(w, d, action, who, t):
    kw = {"at": t}
    if action == "request_supplement":
        return lifecycle.request_supplement(d, officer=who, items=["Tờ khai"], reason="Thiếu", **kw)
    if action in ("provide_supplement", "withdraw"):
        extra = {"reason": "Tự nguyện"} if action == "withdraw" else {}
        return getattr(lifecycle, action)(d, by=who, **extra, **kw)
    if action in ("refuse", "reject", "stop", "pause"):
        return getattr(lifecycle, action)(d, officer=who, reason="Lý do", **kw)
    if action == "hand_over":
        target = w.agency if d.current_agency_id == w.other_agency.pk else w.other_agency
        return lifecycle.hand_over(d, officer=who, to_agency=target, **kw)
    if action == "extend":
        return lifecycle.extend(d, officer=who, days=1, reason="Gia hạn", **kw)
    if action == "issue_apology":
        base = d.due_at or t
        return lifecycle.issue_apology(d, officer=who, reason="Chậm", new_due_at=base + dt.timedelta(days=7), **kw)
    return getattr(lifecycle, action)(d, officer=who, **kw)


def state(d):
    return (Dossier.objects.filter(pk=d.pk).values().get(), DossierEvent.objects.filter(dossier=d).count(),
            OutboxEvent.objects.filter(aggregate_id=str(d.pk)).count(),
            AuditEntry.objects.filter(object_id=str(d.pk), object_type="dossier").count())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(st.data())
def test_random_sequences_keep_the_invariants(w, data):
    admin = getattr(w, "_admin", None) or officer("provincial_admin", None)
    w._admin = admin
    t = at(2026, 3, 2, 8)
    d = w.submit(when=t)
    successes = 1
    for _ in range(data.draw(st.integers(min_value=1, max_value=24), label="length")):
        t = t + dt.timedelta(minutes=data.draw(st.integers(min_value=1, max_value=60 * 30), label="minutes"))
        d = Dossier.objects.select_related("current_step").get(pk=d.pk)
        offered_now = [(a, right_person(w, d, a)) for a in ACTIONS
                       if a in lifecycle.allowed_actions(d, right_person(w, d, a))]
        onward = [(a, p) for a, p in offered_now if a not in ENDINGS]
        forward = [(a, p) for a, p in onward if a in FORWARD]
        roll = data.draw(st.integers(0, 19), label="roll")
        if forward and roll < 9:
            action, who = data.draw(st.sampled_from(forward), label="forward action")
        elif onward and roll < 15:
            action, who = data.draw(st.sampled_from(onward), label="offered onward action")
        elif offered_now and roll < 17:
            action, who = data.draw(st.sampled_from(offered_now), label="offered action")
        else:
            action = data.draw(st.sampled_from(ACTIONS), label="any action")
            who = getattr(w, data.draw(st.sampled_from(PEOPLE), label="anyone"))
        offered = action in lifecycle.allowed_actions(d, who)
        before = state(d)
        try:
            call(w, d, action, who, t)
        except DomainError as exc:
            assert state(d) == before, f"{action} failed ({exc.code}) but changed something"
            assert not offered or exc.code in ARGUMENT_CODES, (action, exc.code)
            continue
        successes += 1
        assert offered, f"{action} succeeded for {who} but was not offered"
        row, events, outbox, audit = state(d)
        assert (events, outbox, audit) == (before[1] + 1, before[2] + 1, before[3] + 1)
        assert row["version"] == before[0]["version"] + 1
        assert row["status"] in Status.values
    d.refresh_from_db()
    event(f"final status {d.status}")
    assert d.events.count() == successes == d.version
    assert lifecycle.timeliness(d, as_of=t) in {None, "early", "on_time", "late", "in_progress_on_time",
                                                "in_progress_late"}
    if d.status in lifecycle.TERMINAL:
        assert lifecycle.allowed_actions(d, admin) == []
        before = state(d)
        for action in ACTIONS:
            with pytest.raises(DomainError):
                call(w, d, action, admin, t + dt.timedelta(hours=1))
        assert state(d) == before
