"""Turning a plain table into a partitioned one and back (the migrations of motcua_db; PostgreSQL only).

Both copy the rows into a new table under the same name, so on a large existing table run them in a
maintenance window. Columns, defaults, indexes, foreign keys and triggers come along; the primary key
becomes ``(id, <key>)`` (and back), ids keep coming from the table's sequence (motcua.db.partitions).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

from .partitions import (
    AHEAD,
    PartitionError,
    Spec,
    copy_statement_triggers,
    create_partition,
    default_name,
    floor,
    following,
    is_partitioned,
    partitions,
    periods,
    qn,
    today,
)

_INDEXES = """SELECT indexdef FROM pg_indexes i WHERE tablename = %s AND NOT EXISTS (
                  SELECT 1 FROM pg_constraint c WHERE c.conindid = to_regclass(quote_ident(i.indexname)))"""
_UNIQUES = """SELECT conname, (SELECT array_agg(a.attname ORDER BY k.n) FROM unnest(conkey) WITH ORDINALITY
                  k(attnum, n) JOIN pg_attribute a ON a.attrelid = conrelid AND a.attnum = k.attnum)
              FROM pg_constraint WHERE conrelid = to_regclass(%s) AND contype = 'u'"""
_FOREIGN = "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = to_regclass(%s) AND contype = 'f'"
_TRIGGERS = "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = to_regclass(%s) AND NOT tgisinternal"


def _rows(cur, sql: str, table: str) -> list:
    cur.execute(sql, [table])
    return cur.fetchall()


def _restore(cur, table: str, indexes: list[str], foreign: list, triggers: list[str]) -> None:
    """Indexes, foreign keys and triggers read from the table before it was replaced, on the new one."""
    for sql in indexes:
        cur.execute(sql)
    for name, definition in foreign:
        cur.execute(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")
    for sql in triggers:
        cur.execute(sql)


def convert(cur, spec: Spec) -> None:
    """Turn the plain table into a partitioned one with the same columns, indexes, constraints and triggers
    (migration; the rows are copied, so on a large existing table run it in a maintenance window)."""
    if is_partitioned(cur, spec.table):
        return
    t, col = spec.table, spec.column
    indexes = [r[0] for r in _rows(cur, _INDEXES, t)]
    uniques = _rows(cur, _UNIQUES, t)
    foreign = _rows(cur, _FOREIGN, t)
    triggers = [r[0] for r in _rows(cur, _TRIGGERS, t)]
    cur.execute(f"SELECT min({qn(col)}), COALESCE(max(id), 0), "
                f"(SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = to_regclass(%s) "
                f"AND attname = 'id') FROM {qn(t)}", [t])
    earliest, max_id, id_type = cur.fetchone()
    old = f"{t}__unpartitioned"
    cur.execute(f"ALTER TABLE {qn(t)} RENAME TO {qn(old)}")
    cur.execute(f"CREATE TABLE {qn(t)} (LIKE {qn(old)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE) "
                f"PARTITION BY RANGE ({qn(col)})")
    cur.execute(f"CREATE TABLE {qn(default_name(spec))} PARTITION OF {qn(t)} DEFAULT")
    now = today()
    first = earliest.astimezone(ZoneInfo(settings.TIME_ZONE)).date() if isinstance(earliest, dt.datetime) \
        else (earliest or now)
    last = now
    for _ in range(AHEAD[spec.interval]):
        last = following(spec.interval, floor(spec.interval, last))
    for start in periods(spec.interval, min(first, now), last):
        create_partition(cur, spec, start)
    cur.execute(f"INSERT INTO {qn(t)} SELECT * FROM {qn(old)}")
    cur.execute("SELECT attidentity <> '', pg_get_serial_sequence(%s, 'id') FROM pg_attribute "
                "WHERE attrelid = to_regclass(%s) AND attname = 'id'", [old, old])
    identity, serial = cur.fetchone()
    if not identity and serial:  # a sequence default (the table was converted back once): it comes along
        cur.execute(f"ALTER SEQUENCE {serial} OWNED BY {qn(t)}.id")
    cur.execute(f"DROP TABLE {qn(old)}")  # fails, leaving everything rolled back, if anything references it
    if identity or not serial:  # Django's identity column went with the old table: a sequence of our own
        seq = f"{t}_id_seq"
        cur.execute(f"CREATE SEQUENCE {qn(seq)} AS {id_type} OWNED BY {qn(t)}.id")
        cur.execute(f"ALTER TABLE {qn(t)} ALTER COLUMN id SET DEFAULT nextval('{seq}')")
        cur.execute("SELECT setval(%s, %s, %s)", [seq, max(max_id, 1), max_id > 0])
    cur.execute(f"ALTER TABLE {qn(t)} ADD CONSTRAINT {qn(t + '_pkey')} PRIMARY KEY (id, {qn(col)})")
    for name, cols in uniques:
        cols = list(cols) + ([] if col in cols else [col])
        cur.execute(f"ALTER TABLE {qn(t)} ADD CONSTRAINT {qn(name)} UNIQUE ({', '.join(qn(c) for c in cols)})")
    _restore(cur, t, indexes, foreign, triggers)
    for part in partitions(cur, t):
        copy_statement_triggers(cur, t, part["name"])


def revert(cur, spec: Spec) -> None:
    """Turn the partitioned table back into a plain one with the primary key ``(id)`` (a migration going
    backwards). Only for a table whose one unique constraint is its primary key (the outbox): elsewhere we
    could not tell which unique constraints had the key added by ``convert``. Detached partitions stay."""
    t = spec.table
    if not is_partitioned(cur, t):
        return
    if _rows(cur, _UNIQUES, t):
        raise PartitionError(f"Bảng {t} có ràng buộc duy nhất ngoài khóa chính: không tự chuyển về bảng thường được.")
    indexes = [r[0].replace(" ON ONLY ", " ON ", 1) for r in _rows(cur, _INDEXES, t)]
    foreign = _rows(cur, _FOREIGN, t)
    triggers = [r[0] for r in _rows(cur, _TRIGGERS, t)]
    cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [t])
    seq = cur.fetchone()[0]
    old = f"{t}__partitioned"
    cur.execute(f"ALTER TABLE {qn(t)} RENAME TO {qn(old)}")
    cur.execute(f"CREATE TABLE {qn(t)} (LIKE {qn(old)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)")
    cur.execute(f"INSERT INTO {qn(t)} SELECT * FROM {qn(old)}")
    if seq:
        cur.execute(f"ALTER SEQUENCE {seq} OWNED BY {qn(t)}.id")
    cur.execute(f"DROP TABLE {qn(old)}")  # and its partitions
    cur.execute(f"ALTER TABLE {qn(t)} ADD CONSTRAINT {qn(t + '_pkey')} PRIMARY KEY (id)")
    _restore(cur, t, indexes, foreign, triggers)
