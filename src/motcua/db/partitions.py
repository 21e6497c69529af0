"""Time partitions for the tables that only grow (PostgreSQL declarative partitioning; SQLite: nothing).

Tables and keys (``SPECS``): dossier events by ``at``, audit entries by ``at`` and outbox events by
``created_at``, one partition a month; statistics counters by ``period_start``, one a year. Each table also
has a DEFAULT partition for rows outside every range (a back-dated import, a far-future test date), so no
insert ever fails for want of a partition.

Primary keys. PostgreSQL requires the partition key in every unique constraint of a partitioned table,
so the primary key is ``(id, <key>)`` and the audit trail's unique ``hash`` becomes unique ``(hash,
at)``. Django keeps treating ``id`` as the primary key: ids still come from one sequence owned by the
table (a partitioned table cannot have an identity column before PostgreSQL 17), so they stay unique
in practice. A foreign key needs a unique constraint on its target's columns alone, so none points at
these tables in the database: the outbox's fan-out and delivery rows (integrations) reference their event
with ``db_constraint=False`` (integrations migration 0004), and the detach below removes them with the
events. Future migrations that add a unique constraint here must include the key.

Maintenance (``manage.py partitions``): ``create`` makes the partitions of the coming months ahead of
time (run it daily; the migration makes the first ones) and moves rows already sitting in DEFAULT into
a new partition; ``detach`` takes an old partition out of its table — a short lock, no copy — and keeps
it as a plain table to dump and drop.

Keepers. The apps whose rows depend on a table's old rows say whether a partition may go, and take their
own rows away with it. This module sits below every app and imports none: a spec names its keepers'
modules, imported when a partition is detached. A keeper module may define

- ``check(partition) -> str``: before the lock, "" or the reason (Vietnamese) the partition must stay;
- ``release(cursor, partition) -> None``: under the table's lock, in the detach's transaction: check again
  what may have changed and delete the app's rows that point at the partition's rows (raise
  ``PartitionError`` to refuse);
- ``seal(fields) -> str``: a signature of the archive record (``ArchivedPartition.seal``).

The audit trail (``audit.segments``): only a prefix of the hash chain may be detached (the partition's ids
all below every remaining id), the segment is verified against the signed anchors first, and its last
hash is recorded, sealed, as the chain's new starting point, so ``verify_audit`` keeps passing on what
stays. The outbox (``integrations.retention``, ``reporting.retention``): every event fanned out, none of
its deliveries pending or failed, every statistics consumer past its last event.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass
from importlib import import_module
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import OperationalError, connection, transaction

MONTH, YEAR = "month", "year"
AHEAD = {MONTH: 3, YEAR: 1}  # partitions kept ready beyond the current period


@dataclass(frozen=True)
class Spec:
    table: str
    column: str
    interval: str
    keepers: tuple[str, ...] = ()  # dotted paths of the keeper modules (see above)
    chain: bool = False  # the rows form a hash chain in id order: only a prefix may be detached
    timestamp: bool = True  # timestamptz (bounds at local midnight) or date


SPECS = {s.table: s for s in (
    Spec("dossiers_dossierevent", "at", MONTH),
    Spec("audit_auditentry", "at", MONTH, keepers=("motcua.audit.segments",), chain=True),
    Spec("integrations_outboxevent", "created_at", MONTH,
         keepers=("motcua.integrations.retention", "motcua.reporting.retention")),
    Spec("reporting_statcounter", "period_start", YEAR, timestamp=False),
)}


class PartitionError(Exception):
    """A maintenance step refused; the message says why, in Vietnamese."""


# ------------------------------------------------------------------------------------------ periods

def floor(interval: str, day: dt.date) -> dt.date:
    return day.replace(day=1) if interval == MONTH else day.replace(month=1, day=1)


def following(interval: str, start: dt.date) -> dt.date:
    if interval == YEAR:
        return start.replace(year=start.year + 1)
    return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)


def periods(interval: str, first: dt.date, last: dt.date) -> list[dt.date]:
    """Starts of every period from the one holding `first` to the one holding `last`."""
    out, cur = [], floor(interval, first)
    while cur <= last:
        out.append(cur)
        cur = following(interval, cur)
    return out


def partition_name(spec: Spec, start: dt.date) -> str:
    return f"{spec.table}_p{start:%Y%m}" if spec.interval == MONTH else f"{spec.table}_p{start:%Y}"


def _bound(spec: Spec, day: dt.date) -> str:
    if not spec.timestamp:
        return f"'{day.isoformat()}'"
    local = dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(settings.TIME_ZONE))
    return f"'{local.isoformat()}'"  # months begin at midnight, Vietnam time


def today() -> dt.date:
    return dt.datetime.now(ZoneInfo(settings.TIME_ZONE)).date()


# ------------------------------------------------------------------------------------------ catalog

def qn(name: str) -> str:
    return connection.ops.quote_name(name)


def is_partitioned(cur, table: str) -> bool:
    cur.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s)", [table])
    return cur.fetchone() is not None


def partitions(cur, table: str) -> list[dict]:
    """The table's partitions: name, bounds as PostgreSQL prints them (None for DEFAULT), row estimate."""
    cur.execute("""
        SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), c.reltuples::bigint
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = to_regclass(%s) ORDER BY c.relname""", [table])
    out = []
    for name, bound, rows in cur.fetchall():
        m = re.match(r"FOR VALUES FROM \('([^']+)'\) TO \('([^']+)'\)", bound or "")
        out.append({"name": name, "from": m and m.group(1), "to": m and m.group(2), "rows": max(rows, 0)})
    return out


def default_name(spec: Spec) -> str:
    return f"{spec.table}_default"


# ------------------------------------------------------------------------------------------ creating

def copy_statement_triggers(cur, table: str, partition: str) -> None:
    """Give a partition the parent's statement-level triggers (the audit trail's refusal of TRUNCATE).

    PostgreSQL clones a partitioned table's row triggers onto its partitions, not its statement triggers: a
    TRUNCATE of the parent fires the parent's and each partition's own, but a TRUNCATE naming one partition
    fires only that partition's. Idempotent (a trigger of the same name is replaced)."""
    cur.execute("SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = to_regclass(%s) "
                "AND NOT tgisinternal AND tgtype & 1 = 0", [table])
    for name, definition in cur.fetchall():
        cur.execute(f"DROP TRIGGER IF EXISTS {qn(name)} ON {qn(partition)}")
        cur.execute(re.sub(r" ON \S+ ", f" ON {qn(partition)} ", definition, count=1))


def create_partition(cur, spec: Spec, start: dt.date) -> bool:
    """Create the partition of the period starting at `start`; rows already in DEFAULT for it move in."""
    name = partition_name(spec, start)
    if name in {p["name"] for p in partitions(cur, spec.table)}:
        return False
    lo, hi = _bound(spec, start), _bound(spec, following(spec.interval, start))
    t, d, col = qn(spec.table), qn(default_name(spec)), qn(spec.column)
    cur.execute(f"SELECT EXISTS (SELECT 1 FROM {d} WHERE {col} >= {lo} AND {col} < {hi})")
    stray = cur.fetchone()[0]
    if stray:  # PostgreSQL would refuse the new range while DEFAULT holds rows of it: move them
        cur.execute(f"ALTER TABLE {t} DETACH PARTITION {d}")
    cur.execute(f"CREATE TABLE {qn(name)} PARTITION OF {t} FOR VALUES FROM ({lo}) TO ({hi})")
    copy_statement_triggers(cur, spec.table, name)
    if stray:
        # Same rows, same ids and hashes: the audit chain does not change. The detached DEFAULT has lost the
        # parent's append-only trigger until it is attached again, at the end of this transaction.
        cur.execute(f"INSERT INTO {qn(name)} SELECT * FROM {d} WHERE {col} >= {lo} AND {col} < {hi}")
        cur.execute(f"DELETE FROM {d} WHERE {col} >= {lo} AND {col} < {hi}")
        cur.execute(f"ALTER TABLE {t} ATTACH PARTITION {d} DEFAULT")
    return True


def create_ahead(spec: Spec, first: dt.date | None = None, ahead: int | None = None) -> list[str]:
    """Partitions from the period of `first` (default: now) to `ahead` periods after now; returns new names."""
    now = today()
    last = now
    for _ in range(AHEAD[spec.interval] if ahead is None else ahead):
        last = following(spec.interval, floor(spec.interval, last))
    made = []
    with transaction.atomic(), connection.cursor() as cur:
        if not is_partitioned(cur, spec.table):
            raise PartitionError(f"Bảng {spec.table} chưa được phân vùng (chỉ PostgreSQL, sau migrate).")
        cur.execute("SET LOCAL lock_timeout = '10s'")
        for start in periods(spec.interval, first or now, last):
            if create_partition(cur, spec, start):
                made.append(partition_name(spec, start))
    return made


# ------------------------------------------------------------------------------------------ detaching

def _segment(cur, name: str) -> tuple[int, int | None, int | None]:
    cur.execute(f"SELECT count(*), min(id), max(id) FROM {qn(name)}")
    return cur.fetchone()


def check_prefix(cur, spec: Spec, name: str) -> tuple[int, int | None, int | None]:
    """For a chain: the partition's ids must all come before every id left in the table."""
    rows, first, last = _segment(cur, name)
    if spec.chain and rows:
        cur.execute(f"SELECT min(id) FROM {qn(spec.table)} WHERE tableoid <> to_regclass(%s)", [name])
        rest = cur.fetchone()[0]
        if rest is not None and rest < last:
            raise PartitionError(
                f"Không tách được {name}: nhật ký là một chuỗi băm theo thứ tự ghi, mà phân vùng này chứa bản ghi "
                f"#{last} ghi sau bản ghi #{rest} còn ở lại (bản ghi ghi lùi ngày). Hãy tách cùng các phân vùng "
                f"trước đó, hoặc chờ đến khi mọi phân vùng cũ hơn đã được tách.")
    return rows, first, last


def _lock_for_detach(cur, spec: Spec, name: str, tries: int = 200) -> None:
    """Take every lock the detach needs at once, never waiting, or give up after a while.

    DETACH locks the table (ACCESS EXCLUSIVE, with each partition) and the tables the partition's foreign
    keys point at (SHARE ROW EXCLUSIVE: its inherited keys become its own). Writers take those in either
    order (a transition reads a dossier's events and then updates the dossier, or updates the dossier and
    then inserts its event), so a detach that waited for one while holding the other could close a cycle
    and PostgreSQL would abort one side, maybe a citizen's request. With NOWAIT the detach never waits:
    when a writer holds one of the locks, it lets go of what it took and tries again a moment later."""
    cur.execute("SELECT DISTINCT confrelid::regclass::text FROM pg_constraint WHERE conrelid = to_regclass(%s) "
                "AND contype = 'f' ORDER BY 1", [name])
    statements = [f"LOCK TABLE {referenced} IN SHARE ROW EXCLUSIVE MODE NOWAIT" for (referenced,) in cur.fetchall()]
    statements.append(f"LOCK TABLE {qn(spec.table)} IN ACCESS EXCLUSIVE MODE NOWAIT")
    for attempt in range(tries):
        try:
            with transaction.atomic():  # a savepoint: a refused lock releases those taken in this try
                for sql in statements:
                    cur.execute(sql)
            return
        except OperationalError:
            time.sleep(min(0.01 * (attempt + 1), 0.1))
    raise PartitionError(f"Không tách {name}: bảng {spec.table} bận liên tục, hãy thử lại sau ít phút.")


def detach(spec: Spec, name: str):
    """Take partition `name` out of its table and record it; returns the ArchivedPartition row."""
    from .models import ArchivedPartition

    with connection.cursor() as cur:
        found = {p["name"]: p for p in partitions(cur, spec.table)}
        if name not in found or found[name]["from"] is None:
            raise PartitionError(f"“{name}” không phải là một phân vùng theo thời gian của bảng {spec.table}.")
        check_prefix(cur, spec, name)
    keepers = [import_module(k) for k in spec.keepers]
    for keeper in keepers:  # before the lock (the audit's walk may take a while); the lock waits only for the rest
        reason = keeper.check(name) if hasattr(keeper, "check") else ""
        if reason:
            raise PartitionError(f"Không tách {name}: {reason}")
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL lock_timeout = '5s'")
        _lock_for_detach(cur, spec, name)
        rows, first, last = check_prefix(cur, spec, name)  # again, under the lock: nothing slipped in
        for keeper in keepers:
            if hasattr(keeper, "release"):
                keeper.release(cur, name)
        last_hash = ""
        if spec.chain and rows:
            cur.execute(f"SELECT hash FROM {qn(name)} WHERE id = %s", [last])
            last_hash = cur.fetchone()[0]
        cur.execute(f"ALTER TABLE {qn(spec.table)} DETACH PARTITION {qn(name)}")
        fields = {"table": spec.table, "partition": name, "range_from": found[name]["from"],
                  "range_to": found[name]["to"], "rows": rows, "first_id": first, "last_id": last,
                  "last_hash": last_hash}
        seal = next((k.seal(fields) for k in keepers if hasattr(k, "seal")), "")
        return ArchivedPartition.objects.create(**fields, seal=seal)
