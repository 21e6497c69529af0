"""A transition that waits for the dossier's row lock while another transaction changes the dossier reads the
dossier as that transaction left it, relations included (PostgreSQL, READ COMMITTED).

PostgreSQL re-reads the locked row itself at its latest version after the wait, but the rows joined to it and
the sub-selects as they were before: a step or agency changed meanwhile came back missing (a guard then failed
with a 500), and a changed receiving agency hid the dossier ("not found")."""

import threading
import time

import psycopg
import pytest
from django.db import connection, connections, transaction

from motcua.dossiers import lifecycle
from motcua.dossiers.lifecycle.commit import lock
from motcua.units.models import Agency

from .conftest import submit_body

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: a second transaction holds the lock"),
]


def _url():
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _change_while_locked(sql: str, params: list, started: threading.Event, hold: float = 0.7):
    """In another connection: lock and change the dossier row, hold the lock a moment, commit."""
    with psycopg.connect(_url()) as other:
        other.execute(sql, params)
        started.set()
        time.sleep(hold)
        other.commit()


def _lock_after(sql: str, params: list, code: str):
    started = threading.Event()
    thread = threading.Thread(target=_change_while_locked, args=(sql, params, started))
    thread.start()
    assert started.wait(10)
    t0 = time.monotonic()
    try:
        with transaction.atomic():
            d = lock(lifecycle.DossierRef(code))
            waited = time.monotonic() - t0
    finally:
        thread.join()
    assert waited > 0.3, "the lock was not contended: the test proves nothing"
    return d


def _processing(world):
    r = world.client("citizen").post("/api/v1/dossiers", submit_body(world), content_type="application/json")
    code = r.json()["code"]
    for who, action in (("counter", "receive"), ("counter", "start-processing")):
        assert world.client(who).post(f"/api/v1/dossiers/{code}/{action}", {},
                                      content_type="application/json").status_code == 200
    connections.close_all()
    return code


def test_a_step_changed_while_waiting_for_the_lock_comes_with_the_dossier(world):
    code = _processing(world)
    steps = list(world.procedure.steps.order_by("order"))
    assert len(steps) >= 2
    d = _lock_after('UPDATE dossiers_dossier SET current_step_id = %s, version = version + 1 WHERE code = %s',
                    [steps[1].pk, code], code)
    assert d.current_step_id == steps[1].pk
    assert d.current_step is not None and d.current_step.pk == steps[1].pk


def test_a_receiving_agency_changed_while_waiting_for_the_lock_does_not_hide_the_dossier(world):
    code = _processing(world)
    other = Agency.objects.get(code="H55.102")  # the world's second commune (tests/api/conftest.py)
    d = _lock_after("UPDATE dossiers_dossier SET agency_id = %s, version = version + 1 WHERE code = %s",
                    [other.pk, code], code)
    assert d.agency_id == other.pk and d.agency.pk == other.pk
