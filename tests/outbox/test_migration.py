"""The outbox model moved from the integrations app to its own app without moving data: a database
migrated before the move, with events, a fan-out and a delivery, migrates forward with every row intact.
On PostgreSQL the way back also turns the partitioned outbox into a plain table with its foreign keys again
(motcua_db 0003, integrations 0004), and the way forward partitions it anew."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("integrations", "0002_fanout_postalshipment_webhooksubscription_delivery"), ("outbox", None)]


@pytest.mark.django_db(transaction=True)
def test_events_survive_the_move_of_the_outbox_model():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    assert _shape() in ("sqlite", ("plain", 2))
    old = executor.loader.project_state(BEFORE[:1]).apps
    OldEvent = old.get_model("integrations", "OutboxEvent")
    events = [OldEvent.objects.create(topic="dossier.receive", aggregate_type="dossier", aggregate_id=str(i),
                                      payload={"n": i, "note": "Tiếp nhận"}) for i in range(3)]
    old.get_model("integrations", "FanOut").objects.create(event_id=events[-1].pk)
    old.get_model("integrations", "Delivery").objects.create(
        event_id=events[-1].pk, target="dvcqg", aggregate_key="dossier:2", next_attempt_at=timezone.now())

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from motcua.integrations.models import Delivery, FanOut
    from motcua.outbox.models import OutboxEvent
    from motcua.outbox.services import emit

    assert list(OutboxEvent.objects.values_list("pk", "aggregate_id", "payload")) == [
        (e.pk, str(i), {"n": i, "note": "Tiếp nhận"}) for i, e in enumerate(events)]
    assert FanOut.objects.get().event_id == events[-1].pk
    assert Delivery.objects.get().event.payload["n"] == 2
    assert emit("dossier.refuse", "dossier", 9, {}).pk > events[-1].pk
    assert _shape() in ("sqlite", ("partitioned", 0))


def _shape():
    """PostgreSQL: whether the outbox table is partitioned, and how many foreign keys point at it."""
    if connection.vendor != "postgresql":
        return "sqlite"
    with connection.cursor() as cur:
        cur.execute("SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass), "
                    "(SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND confrelid = %s::regclass)",
                    ["integrations_outboxevent"] * 2)
        partitioned, keys = cur.fetchone()
    return ("partitioned" if partitioned else "plain", keys)
