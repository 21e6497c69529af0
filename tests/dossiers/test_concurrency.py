"""Dossier codes and idempotent submission under real concurrency (PostgreSQL only)."""

import threading

import pytest
from django.db import connection, connections

from motcua.dossiers import codes
from motcua.dossiers.models import Dossier

from .factories import at, make_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locking"),
]


def run_in_threads(n, target):
    barrier = threading.Barrier(n)
    results, errors = [None] * n, []

    def worker(i):
        try:
            barrier.wait(timeout=30)
            results[i] = target(i)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return results


def test_twenty_parallel_submissions_get_codes_0001_to_0020():
    w = make_world()
    from tests.factories import citizen

    people = [citizen() for _ in range(20)]

    def submit(i):
        return w.submit(applicant=people[i], when=at(2026, 3, 2, 8, i)).code

    got = run_in_threads(20, submit)
    expected = {f"{w.agency.code}-260302-{n:04d}" for n in range(1, 21)}
    assert set(got) == expected
    assert Dossier.objects.count() == 20


def test_retried_submission_with_same_key_makes_one_dossier():
    w = make_world()

    def submit(i):
        return w.submit(idempotency_key="lan-nop-1", when=at(2026, 3, 2, 9)).pk

    ids = run_in_threads(8, submit)
    assert len(set(ids)) == 1
    assert Dossier.objects.count() == 1
    assert Dossier.objects.get().code.endswith("-0001")


def test_sequence_upsert_is_atomic():
    import datetime as dt

    values = run_in_threads(16, lambda i: codes.next_sequence_value("TEST", dt.date(2026, 3, 2)))
    assert sorted(values) == list(range(1, 17))


def test_two_officers_receiving_the_same_dossier_at_once():
    from motcua.core.errors import InvalidTransition
    from motcua.dossiers import lifecycle
    from motcua.dossiers.models import DossierEvent
    from tests.factories import officer

    w = make_world()
    second = officer("counter_officer", w.agency)
    d = w.submit(when=at(2026, 3, 2, 8))
    people = [w.counter, second]

    def receive(i):
        try:
            return lifecycle.receive(Dossier.objects.get(pk=d.pk), officer=people[i], at=at(2026, 3, 2, 9)).status
        except InvalidTransition as exc:
            return exc.code

    assert sorted(run_in_threads(2, receive)) == ["invalid_transition", "received"]
    assert DossierEvent.objects.filter(dossier=d, action="receive").count() == 1
