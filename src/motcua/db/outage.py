"""Long-running workers outlive a database outage (a failover takes seconds).

    guard = OutageGuard("dispatch_outbox", stderr)
    while True:
        with guard:          # a lost connection: connections closed, a pause, the loop goes on
            do_one_batch()

The pause doubles from 0,25 s up to 5 s while the database stays away; the next statement opens a new
connection, which the leader address routes to the new leader. Only connection failures are swallowed
(``connection_lost``: OperationalError, InterfaceError, or any database error that left the connection broken),
and a write refused by a server still in recovery (SQLSTATE 25006, a standby not yet promoted, which Django
raises as InternalError); any other error still stops the worker.
"""

from __future__ import annotations

import time

from django.db import DatabaseError, InterfaceError, OperationalError, connections

MAX_PAUSE_S = 5.0


class OutageGuard:
    def __init__(self, name: str, stream=None, sleep=time.sleep):
        self.name, self.stream, self.sleep = name, stream, sleep
        self.failures = 0
        self.outage_started: float | None = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is None:
            if self.outage_started is not None and self.stream is not None:
                self.stream.write(f"{self.name}: cơ sở dữ liệu trở lại sau "
                                  f"{time.monotonic() - self.outage_started:.1f} giây")
            self.failures, self.outage_started = 0, None
            return False
        if not _transient(exc):
            return False
        self.failures += 1
        if self.outage_started is None:
            self.outage_started = time.monotonic()
            if self.stream is not None:
                self.stream.write(f"{self.name}: mất kết nối cơ sở dữ liệu ({str(exc).strip()[:160]}); thử lại")
        close_all()
        self.sleep(min(0.25 * 2 ** (self.failures - 1), MAX_PAUSE_S))
        return True


def _transient(exc) -> bool:
    """A failure a failover causes and a new connection cures."""
    if connection_lost(exc):
        return True
    return getattr(exc.__cause__, "sqlstate", None) == "25006"  # read_only_sql_transaction: a standby


def connection_lost(exc) -> bool:
    """The database connection failed under this error, so a new connection is the cure.

    Besides the connection errors proper, any database error after which a connection of this thread is
    broken: a pooler whose server died mid-COMMIT answers with an error and a closed socket, which psycopg may
    report as "received 2 results from command 'COMMIT'", an InternalError (seen in a failover drill).
    """
    if isinstance(exc, (OperationalError, InterfaceError)):
        return True
    return isinstance(exc, DatabaseError) and any(_broken(conn) for conn in connections.all(initialized_only=True))


def _broken(conn) -> bool:
    return bool(getattr(conn.connection, "broken", False))  # psycopg: closed by the server, not by us


def close_all() -> None:
    """Close every open connection of this thread, ignoring errors from already-broken ones."""
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except (OperationalError, InterfaceError):
            conn.connection = None
