#!/usr/bin/env python3
"""What a client may do through the cluster's pgbouncer in transaction pooling, tried rather than assumed.

    .venv/bin/python scripts/ha/pooling_check.py postgres://postgres@127.0.0.1:25432/motcua

Several clients run short transactions at once, so that pgbouncer hands each transaction whichever server
connection is free (as under load). Each line says what was tried and how many of the attempts failed:

- protocol-level prepared statements (psycopg ``prepare_threshold=0``: named statements, prepared once
  per connection and then reused) — pgbouncer 1.18 does not follow them from server to server;
- the same queries unprepared (psycopg's default with Django: ``prepare_threshold=None``);
- pipeline mode (psycopg ``conn.pipeline()``) with unnamed statements, inside one transaction and across
  several autocommit statements;
- a session ``SET`` seen by a later statement of the same client (it may land on another server), and
  ``SET LOCAL`` inside a transaction.
"""

from __future__ import annotations

import sys
import threading

import psycopg

CLIENTS, ROUNDS = 6, 40


def _hold(url: str, stop: threading.Event) -> None:
    """Keep a few server connections busy in turns, so consecutive transactions of a client move around."""
    with psycopg.connect(url, autocommit=True, prepare_threshold=None) as conn:
        while not stop.is_set():
            with conn.transaction():
                conn.execute("SELECT pg_sleep(0.002)")


def _run(url: str, work, **connect) -> tuple[int, int, str]:
    stop, failures, total, last = threading.Event(), [0], [0], [""]
    lock = threading.Lock()
    holders = [threading.Thread(target=_hold, args=(url, stop)) for _ in range(3)]
    for t in holders:
        t.start()

    def client(n: int) -> None:
        with psycopg.connect(url, autocommit=True, **connect) as conn:
            for i in range(ROUNDS):
                try:
                    ok = work(conn, n, i)
                except psycopg.Error as exc:
                    ok, last[0] = False, str(exc).strip().splitlines()[0]
                    if conn.broken:
                        return
                with lock:
                    total[0] += 1
                    failures[0] += not ok

    clients = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in clients:
        t.start()
    for t in clients:
        t.join(timeout=120)
    stop.set()
    for t in holders:
        t.join(timeout=10)
    return failures[0], total[0], last[0]


def _query(conn, n, i) -> bool:
    with conn.transaction():
        return conn.execute("SELECT %s::int + 1", [i]).fetchone()[0] == i + 1


def _pipeline_in_transaction(conn, n, i) -> bool:
    with conn.pipeline(), conn.transaction():
        curs = [conn.execute("SELECT %s::int * 2", [k]) for k in range(5)]
    return [c.fetchone()[0] for c in curs] == [k * 2 for k in range(5)]


def _pipeline_autocommit(conn, n, i) -> bool:
    with conn.pipeline():
        curs = [conn.execute("SELECT %s::int * 3", [k]) for k in range(5)]
    return [c.fetchone()[0] for c in curs] == [k * 3 for k in range(5)]


def _session_set(conn, n, i) -> bool:
    # work_mem: a setting pgbouncer does not track (it re-sends a few reported ones, e.g. application_name,
    # TimeZone, to whichever server it assigns)
    conn.execute(f"SET work_mem = '{n + 1}MB'")
    return conn.execute("SHOW work_mem").fetchone()[0] == f"{n + 1}MB"


def _set_local(conn, n, i) -> bool:
    with conn.transaction():
        conn.execute(f"SET LOCAL work_mem = '{n + 1}MB'")
        return conn.execute("SHOW work_mem").fetchone()[0] == f"{n + 1}MB"


def main(url: str) -> int:
    checks = [  # named statements last: they stay behind on the server connections (no reset between clients)
        ("unprepared statements (prepare_threshold=None, Django's default)", _query, {"prepare_threshold": None}),
        ("pipeline, five statements in one transaction", _pipeline_in_transaction, {"prepare_threshold": None}),
        ("pipeline, five autocommit statements", _pipeline_autocommit, {"prepare_threshold": None}),
        ("session SET, read back by the next statement", _session_set, {"prepare_threshold": None}),
        ("SET LOCAL inside a transaction", _set_local, {"prepare_threshold": None}),
        ("named prepared statements (prepare_threshold=0)", _query, {"prepare_threshold": 0}),
    ]
    for label, work, connect in checks:
        failed, total, last = _run(url, work, **connect)
        print(f"{label}: {failed} of {total} failed" + (f" — e.g. {last}" if last else ""), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "postgres://postgres@127.0.0.1:25432/motcua"))
