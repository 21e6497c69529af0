"""Several dispatcher workers at once (PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED) share the queue
without sending an event twice or out of order."""

import threading

import pytest
from django.db import connection, connections

from motcua.demo.simulators import Chaos
from motcua.integrations import dispatcher
from motcua.integrations.models import Delivery

from .conftest import ACTIONS, emit_journey

pytestmark = pytest.mark.django_db(transaction=True)


def test_four_workers_share_the_queue(sims, configure, make_dossier):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent workers need a server database (PostgreSQL)")
    running = sims(("dvcqg",), chaos=Chaos(drop_rate=0.2, max_delay_s=0.01, seed=11))
    configure(running, max_attempts=1000)
    dossiers = [make_dossier() for _ in range(6)]
    for d in dossiers:
        emit_journey(d)
    errors = []

    def work(name):
        try:
            for _ in range(400):
                dispatcher.run_batch(worker=name, limit=5)
                if dispatcher.pending_count() == 0:
                    break
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    assert errors == []
    assert dispatcher.pending_count() == 0
    portal = running["dvcqg"]
    assert len(portal.applied) == len(dossiers) * len(ACTIONS) and set(portal.applied.values()) == {1}
    assert len({d.lease_owner for d in Delivery.objects.all()}) > 1  # the work was really shared
    for d in dossiers:
        assert [s for _, s in portal.history[d.code]] == [s for _, s in ACTIONS]
