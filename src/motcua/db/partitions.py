"""Time partitions for the tables that only grow (PostgreSQL declarative partitioning; SQLite: nothing).

Tables and keys (``SPECS``): dossier events by ``at`` and audit entries by ``at``, one partition a month;
statistics counters by ``period_start``, one a year. Each table also has a DEFAULT partition for rows
outside every range (a back-dated import, a far-future test date), so no insert ever fails for want of
a partition.

Primary keys. PostgreSQL requires the partition key in every unique constraint of a partitioned table,
so the primary key is ``(id, <key>)`` and the audit trail's unique ``hash`` becomes unique ``(hash,
at)``. Django keeps treating ``id`` as the primary key: ids still come from one sequence owned by the
table (a partitioned table cannot have an identity column before PostgreSQL 17), so they stay unique
in practice, and no foreign key points at these tables (a foreign key needs a unique constraint on its
target's columns alone). A table that others reference (the outbox) needs those references without a
database constraint first. Future migrations that add a unique constraint here must include the key.

Maintenance (``manage.py partitions``): ``create`` makes the partitions of the coming months ahead of
time (run it daily; the migration makes the first ones) and moves rows already sitting in DEFAULT into
a new partition; ``detach`` takes an old partition out of its table — a short lock, no copy — and keeps
it as a plain table to dump and drop. For the audit trail only a prefix of the hash chain may be
detached (the partition's ids all below every remaining id), the segment is verified first, and its
last hash is recorded (``ArchivedPartition``) as the chain's new starting point, so ``verify_audit``
keeps passing on what stays.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from importlib import import_module
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction

MONTH, YEAR = "month", "year"
AHEAD = {MONTH: 3, YEAR: 1}  # partitions kept ready beyond the current period


@dataclass(frozen=True)
class Spec:
    table: str
    column: str
    interval: str
    # A hash chain in id order: the dotted path of the module keeping it (named, not imported: this module
    # sits below the apps and imports none of them), with ``verify(partition)`` (a report with ``ok`` and
    # ``message()``) called before a partition is detached and ``seal(fields)`` (a signature of the archive
    # record) after.
    chain: str = ""
    timestamp: bool = True  # timestamptz (bounds at local midnight) or date


SPECS = {s.table: s for s in (
    Spec("dossiers_dossierevent", "at", MONTH),
    Spec("audit_auditentry", "at", MONTH, chain="motcua.audit.segments"),
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

def _q(name: str) -> str:
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


def _default(spec: Spec) -> str:
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
        cur.execute(f"DROP TRIGGER IF EXISTS {_q(name)} ON {_q(partition)}")
        cur.execute(re.sub(r" ON \S+ ", f" ON {_q(partition)} ", definition, count=1))


def _create(cur, spec: Spec, start: dt.date) -> bool:
    """Create the partition of the period starting at `start`; rows already in DEFAULT for it move in."""
    name = partition_name(spec, start)
    if name in {p["name"] for p in partitions(cur, spec.table)}:
        return False
    lo, hi = _bound(spec, start), _bound(spec, following(spec.interval, start))
    t, d, col = _q(spec.table), _q(_default(spec)), _q(spec.column)
    cur.execute(f"SELECT EXISTS (SELECT 1 FROM {d} WHERE {col} >= {lo} AND {col} < {hi})")
    stray = cur.fetchone()[0]
    if stray:  # PostgreSQL would refuse the new range while DEFAULT holds rows of it: move them
        cur.execute(f"ALTER TABLE {t} DETACH PARTITION {d}")
    cur.execute(f"CREATE TABLE {_q(name)} PARTITION OF {t} FOR VALUES FROM ({lo}) TO ({hi})")
    copy_statement_triggers(cur, spec.table, name)
    if stray:
        # Same rows, same ids and hashes: the audit chain does not change. The detached DEFAULT has lost the
        # parent's append-only trigger until it is attached again, at the end of this transaction.
        cur.execute(f"INSERT INTO {_q(name)} SELECT * FROM {d} WHERE {col} >= {lo} AND {col} < {hi}")
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
            if _create(cur, spec, start):
                made.append(partition_name(spec, start))
    return made


# ------------------------------------------------------------------------------------------ converting

def convert(cur, spec: Spec) -> None:
    """Turn the plain table into a partitioned one with the same columns, indexes, constraints and triggers
    (migration; the rows are copied, so on a large existing table run it in a maintenance window)."""
    if is_partitioned(cur, spec.table):
        return
    t, col = spec.table, spec.column
    cur.execute("""SELECT indexdef FROM pg_indexes i WHERE tablename = %s AND NOT EXISTS (
                       SELECT 1 FROM pg_constraint c WHERE c.conindid = to_regclass(quote_ident(i.indexname)))""", [t])
    indexes = [r[0] for r in cur.fetchall()]
    cur.execute("""SELECT conname, (SELECT array_agg(a.attname ORDER BY k.n) FROM unnest(conkey) WITH ORDINALITY
                       k(attnum, n) JOIN pg_attribute a ON a.attrelid = conrelid AND a.attnum = k.attnum)
                   FROM pg_constraint WHERE conrelid = to_regclass(%s) AND contype = 'u'""", [t])
    uniques = cur.fetchall()
    cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = to_regclass(%s) AND contype = 'f'", [t])
    foreign = cur.fetchall()
    cur.execute("SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = to_regclass(%s) AND NOT tgisinternal",
                [t])
    triggers = [r[0] for r in cur.fetchall()]
    cur.execute(f"SELECT min({_q(col)}), COALESCE(max(id), 0), "
                f"(SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = to_regclass(%s) "
                f"AND attname = 'id') FROM {_q(t)}", [t])
    earliest, max_id, id_type = cur.fetchone()
    old = f"{t}__unpartitioned"
    cur.execute(f"ALTER TABLE {_q(t)} RENAME TO {_q(old)}")
    cur.execute(f"CREATE TABLE {_q(t)} (LIKE {_q(old)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE) "
                f"PARTITION BY RANGE ({_q(col)})")
    cur.execute(f"CREATE TABLE {_q(_default(spec))} PARTITION OF {_q(t)} DEFAULT")
    now = today()
    first = earliest.astimezone(ZoneInfo(settings.TIME_ZONE)).date() if isinstance(earliest, dt.datetime) \
        else (earliest or now)
    last = now
    for _ in range(AHEAD[spec.interval]):
        last = following(spec.interval, floor(spec.interval, last))
    for start in periods(spec.interval, min(first, now), last):
        _create(cur, spec, start)
    cur.execute(f"INSERT INTO {_q(t)} SELECT * FROM {_q(old)}")
    cur.execute(f"DROP TABLE {_q(old)}")  # fails, leaving everything rolled back, if anything references it
    seq = f"{t}_id_seq"
    cur.execute(f"CREATE SEQUENCE {_q(seq)} AS {id_type} OWNED BY {_q(t)}.id")
    cur.execute(f"ALTER TABLE {_q(t)} ALTER COLUMN id SET DEFAULT nextval('{seq}')")
    cur.execute("SELECT setval(%s, %s, %s)", [seq, max(max_id, 1), max_id > 0])
    cur.execute(f"ALTER TABLE {_q(t)} ADD CONSTRAINT {_q(t + '_pkey')} PRIMARY KEY (id, {_q(col)})")
    for name, cols in uniques:
        cols = list(cols) + ([] if col in cols else [col])
        cur.execute(f"ALTER TABLE {_q(t)} ADD CONSTRAINT {_q(name)} UNIQUE ({', '.join(_q(c) for c in cols)})")
    for sql in indexes:
        cur.execute(sql)
    for name, definition in foreign:
        cur.execute(f"ALTER TABLE {_q(t)} ADD CONSTRAINT {_q(name)} {definition}")
    for sql in triggers:
        cur.execute(sql)
    for part in partitions(cur, t):
        copy_statement_triggers(cur, t, part["name"])


# ------------------------------------------------------------------------------------------ detaching

def _segment(cur, name: str) -> tuple[int, int | None, int | None]:
    cur.execute(f"SELECT count(*), min(id), max(id) FROM {_q(name)}")
    return cur.fetchone()


def check_prefix(cur, spec: Spec, name: str) -> tuple[int, int | None, int | None]:
    """For a chain: the partition's ids must all come before every id left in the table."""
    rows, first, last = _segment(cur, name)
    if spec.chain and rows:
        cur.execute(f"SELECT min(id) FROM {_q(spec.table)} WHERE tableoid <> to_regclass(%s)", [name])
        rest = cur.fetchone()[0]
        if rest is not None and rest < last:
            raise PartitionError(
                f"Không tách được {name}: nhật ký là một chuỗi băm theo thứ tự ghi, mà phân vùng này chứa bản ghi "
                f"#{last} ghi sau bản ghi #{rest} còn ở lại (bản ghi ghi lùi ngày). Hãy tách cùng các phân vùng "
                f"trước đó, hoặc chờ đến khi mọi phân vùng cũ hơn đã được tách.")
    return rows, first, last


def detach(spec: Spec, name: str):
    """Take partition `name` out of its table and record it; returns the ArchivedPartition row."""
    from .models import ArchivedPartition

    with connection.cursor() as cur:
        found = {p["name"]: p for p in partitions(cur, spec.table)}
        if name not in found or found[name]["from"] is None:
            raise PartitionError(f"“{name}” không phải là một phân vùng theo thời gian của bảng {spec.table}.")
        check_prefix(cur, spec, name)
    keeper = import_module(spec.chain) if spec.chain else None
    if keeper is not None:  # verified before the lock, which only waits for the few statements below
        report = keeper.verify(name)
        if not report.ok:
            raise PartitionError(f"Không tách {name}: {report.message()}")
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL lock_timeout = '5s'")
        cur.execute(f"LOCK TABLE {_q(spec.table)} IN ACCESS EXCLUSIVE MODE")
        rows, first, last = check_prefix(cur, spec, name)  # again, under the lock: nothing slipped in
        last_hash = ""
        if keeper is not None and rows:
            cur.execute(f"SELECT hash FROM {_q(name)} WHERE id = %s", [last])
            last_hash = cur.fetchone()[0]
        cur.execute(f"ALTER TABLE {_q(spec.table)} DETACH PARTITION {_q(name)}")
        fields = {"table": spec.table, "partition": name, "range_from": found[name]["from"],
                  "range_to": found[name]["to"], "rows": rows, "first_id": first, "last_id": last,
                  "last_hash": last_hash}
        return ArchivedPartition.objects.create(**fields, seal=keeper.seal(fields) if keeper is not None else "")
