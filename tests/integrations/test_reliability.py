"""Unreliable national systems: 30 % of calls dropped (half of them after the receiver applied the
event), random delays, and an outage. After recovery every event reached every target exactly once,
in each dossier's order."""

import time

import pytest

from motcua.demo.simulators import Chaos
from motcua.integrations import dispatcher
from motcua.integrations.models import Delivery

from .conftest import ACTIONS, emit_journey

pytestmark = pytest.mark.django_db


def test_every_event_delivered_exactly_once_after_drops_delays_and_an_outage(sims, configure, make_dossier):
    chaos = Chaos(drop_rate=0.3, max_delay_s=0.005, seed=2026, down=True)
    running = sims(("dvcqg", "sms", "email"), chaos=chaos)
    configure(running, max_attempts=1000)
    dossiers = [make_dossier() for _ in range(5)]
    events = {d.code: emit_journey(d) for d in dossiers}

    # the systems are down: nothing gets through, nothing is lost
    for _ in range(5):
        dispatcher.run_batch()
    assert not Delivery.objects.filter(status=Delivery.DELIVERED).exists()
    assert sum(sim.applied.__len__() for sim in running.values()) == 0

    chaos.down = False  # recovery
    deadline = time.monotonic() + 120
    while dispatcher.pending_count() and time.monotonic() < deadline:
        dispatcher.run_batch()
    assert dispatcher.pending_count() == 0
    assert not Delivery.objects.exclude(status=Delivery.DELIVERED).exists()

    n_events = len(dossiers) * len(ACTIONS)
    portal, sms, email = running["dvcqg"], running["sms"], running["email"]
    # exactly once at each receiver, counted there
    assert len(portal.applied) == n_events and set(portal.applied.values()) == {1}
    assert sum(len(v) for v in portal.history.values()) == n_events
    assert len(sms.applied) == len(sms.messages) == len(dossiers) * 5
    assert len(email.applied) == len(email.messages) == len(dossiers) * 5
    assert set(sms.applied.values()) == set(email.applied.values()) == {1}
    # the chaos really happened: calls were lost, and some were retried after being applied
    assert sum(s.dropped for s in running.values()) > 20
    assert sum(s.duplicates for s in running.values()) > 0
    assert Delivery.objects.filter(attempts__gt=1).count() > n_events // 2
    # each dossier's statuses arrived in the order they happened
    for d in dossiers:
        assert portal.history[d.code] == [(e.pk, status) for e, (_, status) in zip(events[d.code], ACTIONS,
                                                                                    strict=True)]
