"""Dossier codes: ``{agency code}-YYMMDD-XXXX``.

Decree 61/2018 art. 26 and Circular 01/2018/TT-VPCP art. 19: the system assigns the code itself;
it is the identity code of the receiving agency, the receipt date (YYMMDD) and the 4-digit
sequence number of that day. The sequence lives in DossierCodeSequence (prefix, day).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction

from motcua.core.calendar import TZ

from .models import DossierCodeSequence

SEQUENCE_DIGITS = 4  # Circular 01/2018 art. 19: XXXX


def next_sequence_value(prefix: str, day: dt.date) -> int:
    """Atomically take the next number of (prefix, day); safe under concurrent transactions.

    One statement (INSERT .. ON CONFLICT DO UPDATE .. RETURNING), understood by PostgreSQL and
    SQLite ≥ 3.35: on PostgreSQL the row lock it takes is held until the caller's transaction ends,
    on SQLite the IMMEDIATE transaction mode (settings) serialises writers.
    """
    table = connection.ops.quote_name(DossierCodeSequence._meta.db_table)
    sql = (
        f"INSERT INTO {table} (prefix, day, last_value) VALUES (%s, %s, 1) "
        f"ON CONFLICT (prefix, day) DO UPDATE SET last_value = {table}.last_value + 1 "
        "RETURNING last_value"
    )
    # One statement, nothing to undo on its own: no savepoint needed (saves two round trips).
    with transaction.atomic(savepoint=False), connection.cursor() as cur:
        cur.execute(sql, [prefix, day])
        return int(cur.fetchone()[0])


def format_code(prefix: str, day: dt.date, number: int) -> str:
    return f"{prefix}-{day:%y%m%d}-{number:0{SEQUENCE_DIGITS}d}"


def assign_code(agency, moment: dt.datetime) -> str:
    """A new, unique dossier code for a dossier received by `agency` at `moment`."""
    day = moment.astimezone(TZ).date()
    prefix = agency.code
    return format_code(prefix, day, next_sequence_value(prefix, day))
