"""The statistics consumer's side of detaching an old month of the outbox (PostgreSQL time partitions).

The read model is built from outbox events (consumer.py): a month of events may leave the table only once
every consumer's cursor is past its last event. Afterwards ``consume_events --rebuild`` could no longer
replay those months, so ``consumer.rebuild`` refuses while archived outbox months exist (``archived_events``).
"""

from __future__ import annotations

from django.db import connection

from motcua.db.models import ArchivedPartition
from motcua.db.partitions import qn
from motcua.outbox.models import OutboxEvent

from .models import ConsumerCursor


def check(partition: str) -> str:
    with connection.cursor() as cur:
        cur.execute(f"SELECT max(id) FROM {qn(partition)}")
        last = cur.fetchone()[0]
    if last is None:
        return ""
    cursors = dict(ConsumerCursor.objects.values_list("name", "last_event_id"))
    behind = sorted(name for name, seen in cursors.items() if seen < last)
    if not cursors or behind:
        return (f"bộ số liệu thống kê (consume_events) chưa đọc hết các sự kiện đến #{last}"
                f"{' (' + ', '.join(behind) + ')' if behind else ''}")
    return ""


def archived_events() -> list[ArchivedPartition]:
    return list(ArchivedPartition.objects.filter(table=OutboxEvent._meta.db_table).order_by("last_id"))
