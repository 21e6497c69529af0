"""The outbox partitioned by month on PostgreSQL: fan-out and delivery rows point at their event without a
database foreign key; an old month leaves only once the dispatcher and the statistics consumer are done with
it, taking its fan-out and delivery rows along, while both keep working on what stays."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from motcua.db import partitions as p
from motcua.db.models import ArchivedPartition
from motcua.demo.simulators import WebhookReceiver
from motcua.dossiers import lifecycle
from motcua.integrations import dispatcher
from motcua.integrations.models import Delivery, FanOut, WebhookSubscription
from motcua.outbox.models import OutboxEvent
from motcua.reporting import consumer
from tests.db.test_partitions import _drop, _names, _where, months_back
from tests.dossiers.factories import at, make_world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
OUTBOX = "integrations_outboxevent"


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("time partitions exist on PostgreSQL only; SQLite keeps plain tables")


def drain(now=None):
    for _ in range(20):
        dispatcher.run_batch(now=now)
        if not dispatcher.pending_count():
            return
    raise AssertionError(f"still pending: {dispatcher.pending_count()}")


def test_fan_out_and_deliveries_reference_events_without_a_database_foreign_key():
    with connection.cursor() as cur:
        assert p.is_partitioned(cur, OUTBOX)
        cur.execute("SELECT conrelid::regclass::text FROM pg_constraint WHERE contype = 'f' "
                    "AND confrelid = to_regclass(%s)", [OUTBOX])
        assert cur.fetchall() == []


def test_an_old_outbox_month_detaches_once_delivered_and_counted(settings):
    settings.MOTCUA_DISPATCH = {"base_delay_s": 0.0, "max_delay_s": 0.0, "max_attempts": 50, "timeout_s": 2.0}
    old = months_back(3)
    call_command("partitions", "create", "--table", OUTBOX, "--from", old.strftime("%d/%m/%Y"))
    w = make_world()
    receiver = WebhookReceiver("partner", secret="s").start()
    sub = WebhookSubscription.objects.create(name="Đối tác", url="http://127.0.0.1:9/", secret="s", topics="dossier.*")
    name = p.partition_name(p.SPECS[OUTBOX], old)
    try:
        before = OutboxEvent.objects.count()
        lifecycle.receive(w.submit(when=timezone.now()), officer=w.counter)
        old_ids = list(OutboxEvent.objects.order_by("id").values_list("id", flat=True)[before:])
        # written in that month (moved there: the partition key changes and the rows follow it)
        OutboxEvent.objects.filter(id__in=old_ids).update(created_at=at(old.year, old.month, 10))
        assert set(_where(OUTBOX, old_ids)) == {name}
        recent = lifecycle.receive(w.submit(when=timezone.now()), officer=w.counter)

        def refused(reason):
            with pytest.raises(CommandError, match=reason):
                call_command("partitions", "detach", name)
            assert name in _names(OUTBOX)

        refused("2 sự kiện chưa được bộ gửi")
        dispatcher.run_batch()  # the partner is down: its deliveries wait
        refused("2 lượt gửi đang chờ")
        WebhookSubscription.objects.filter(pk=sub.pk).update(url=receiver.url + "/hooks")
        drain(now=timezone.now() + dt.timedelta(hours=1))
        assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.DELIVERED}
        refused("consume_events")
        consumer.consume()

        call_command("partitions", "detach", name)
        seg = ArchivedPartition.objects.get(partition=name)
        assert (seg.rows, seg.first_id, seg.last_id) == (2, old_ids[0], old_ids[-1])
        assert not FanOut.objects.filter(event_id__in=old_ids).exists()
        assert not Delivery.objects.filter(event_id__in=old_ids).exists()
        assert Delivery.objects.filter(event__aggregate_id=str(recent.pk)).count() == 2
        assert not OutboxEvent.objects.filter(id__in=old_ids).exists()

        # both workers go on with what comes
        lifecycle.receive(w.submit(when=timezone.now()), officer=w.counter)
        drain()
        sent = [(m["topic"], m["data"]["code"]) for m in receiver.messages]
        assert len(sent) == len(set(sent)) == 6  # three dossiers' submission and receipt, each once
        assert consumer.consume() == 2
        with pytest.raises(CommandError, match=f"{name}.*đã được tách"):
            call_command("consume_events", "--rebuild")
    finally:
        receiver.stop()
        _drop(name)
