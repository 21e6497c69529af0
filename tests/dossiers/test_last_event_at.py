"""The time of a dossier's latest event lives on its row (Dossier.last_event_at): the lifecycle's commit writes it
with each event, the time-order check reads it with the row lock, and migration 0005 filled it for the dossiers
that existed before."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from motcua.core.errors import ValidationFailed
from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier

from .factories import at, make_world

BEFORE = [("dossiers", "0004_vietnamese_labels")]


def _latest(d):
    return d.events.order_by("-at").values_list("at", flat=True).first()


@pytest.mark.django_db
def test_each_transition_moves_the_time_of_the_latest_event_and_an_earlier_one_is_refused():
    w = make_world()
    d = w.submit(when=at(2026, 3, 2, 10))
    assert Dossier.objects.get(pk=d.pk).last_event_at == at(2026, 3, 2, 10) == _latest(d)
    lifecycle.receive(d, officer=w.counter, at=at(2026, 3, 3, 9))
    assert Dossier.objects.get(pk=d.pk).last_event_at == at(2026, 3, 3, 9) == _latest(d)
    before = (d.version, d.events.count())
    with pytest.raises(ValidationFailed) as e:  # between the submission and the receipt: before the latest
        lifecycle.start_processing(d, officer=w.counter, at=at(2026, 3, 2, 15))
    assert e.value.code == "time_before_last_event"
    d.refresh_from_db()
    assert (d.version, d.events.count(), d.last_event_at) == (*before, at(2026, 3, 3, 9))
    lifecycle.start_processing(d, officer=w.counter, at=at(2026, 3, 3, 9))  # the same moment is not earlier
    assert Dossier.objects.get(pk=d.pk).last_event_at == at(2026, 3, 3, 9)


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_time_from_the_events_of_existing_dossiers():
    w = make_world()
    with_events = w.submit(when=at(2026, 3, 2, 10))
    lifecycle.receive(with_events, officer=w.counter, at=at(2026, 3, 4, 8))
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    OldDossier = executor.loader.project_state(BEFORE).apps.get_model("dossiers", "Dossier")
    old = OldDossier.objects.get(pk=with_events.pk)
    assert not hasattr(old, "last_event_at")
    without_events = OldDossier.objects.create(code="CU-0001", procedure_id=old.procedure_id, agency_id=old.agency_id,
                                               current_agency_id=old.agency_id, status="draft", channel="online")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert Dossier.objects.get(pk=with_events.pk).last_event_at == at(2026, 3, 4, 8)
    assert Dossier.objects.get(pk=without_events.pk).last_event_at is None
