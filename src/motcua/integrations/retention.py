"""The dispatcher's rows when an old month of the outbox is detached (PostgreSQL time partitions).

``motcua.db.partitions`` calls this keeper before and while it detaches a partition of the outbox table:
a month may leave only once the dispatcher is done with it — every event fanned out, none of its
deliveries waiting or failed (a failed delivery still holds back the dossier's later events until an
officer resends it) — and then its fan-out and delivery rows leave with it, in the same transaction. They
reference their event without a database foreign key (models.py), so nothing else would remove them.
"""

from __future__ import annotations

from django.db import connection

from motcua.db.partitions import PartitionError, qn

from .models import Delivery, FanOut


def _reason(cur, partition: str) -> str:
    events = qn(partition)
    cur.execute(f"SELECT count(*) FROM {events} e WHERE NOT EXISTS "
                f"(SELECT 1 FROM {qn(FanOut._meta.db_table)} f WHERE f.event_id = e.id)", [])
    unfanned = cur.fetchone()[0]
    cur.execute(f"SELECT status, count(*) FROM {qn(Delivery._meta.db_table)} WHERE status IN (%s, %s) "
                f"AND event_id IN (SELECT id FROM {events}) GROUP BY status", [Delivery.PENDING, Delivery.DEAD])
    open_ = dict(cur.fetchall())
    parts = []
    if unfanned:
        parts.append(f"{unfanned} sự kiện chưa được bộ gửi (dispatch_outbox) xử lý")
    if open_.get(Delivery.PENDING):
        parts.append(f"{open_[Delivery.PENDING]} lượt gửi đang chờ")
    if open_.get(Delivery.DEAD):
        parts.append(f"{open_[Delivery.DEAD]} lượt gửi thất bại (gửi lại hoặc xóa trong trang quản trị)")
    return "; ".join(parts)


def check(partition: str) -> str:
    with connection.cursor() as cur:
        return _reason(cur, partition)


def release(cur, partition: str) -> None:
    """Under the outbox's lock: check again, then delete the fan-out and delivery rows of its events."""
    reason = _reason(cur, partition)
    if reason:
        raise PartitionError(f"Không tách {partition}: {reason}.")
    for model in (Delivery, FanOut):
        cur.execute(f"DELETE FROM {qn(model._meta.db_table)} WHERE event_id IN (SELECT id FROM {qn(partition)})")
