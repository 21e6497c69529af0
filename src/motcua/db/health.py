"""Is the replica there, and how far behind the leader is it?

``lag_seconds()`` asks the replica itself (one statement, bounded by a statement timeout):

- 0 when it is not in recovery (a promoted or plain server), or when it streams from the leader and
  has replayed everything it received;
- otherwise the age of the last transaction it replayed (``now() - pg_last_xact_replay_timestamp()``):
  a replica that stopped replaying or lost its leader ages, even when the leader is idle — erring
  towards the leader, never towards stale pages.

``usable()`` caches the verdict per process for ``MOTCUA_REPLICA_CHECK_S`` seconds, so a page costs no
probe most of the time and a dead replica costs one connection timeout per interval, not per request.
Telling whether the replica streams needs ``pg_read_all_stats`` on a real install (see
docs/operations.md); without it an idle replica counts as lagging and reads stay on the leader.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connections, transaction

REPLICA = "replica"
log = logging.getLogger(__name__)

LAG_SQL = """
SELECT CASE
  WHEN NOT pg_is_in_recovery() THEN 0
  WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
       AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming') THEN 0
  ELSE COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 1e9)
END
"""

_lock = threading.Lock()
_state = {"checked": -1e9, "ok": False, "lag": None, "wall": 0.0}


def configured() -> bool:
    return REPLICA in connections.settings


def max_lag() -> float:
    return settings.MOTCUA_REPLICA_MAX_LAG_S


def lag_seconds(alias: str = REPLICA) -> float:
    """The replica's lag in seconds; raises DatabaseError when it cannot be reached."""
    conn = connections[alias]
    if conn.vendor != "postgresql":
        conn.ensure_connection()
        return 0.0
    with transaction.atomic(using=alias), conn.cursor() as cur:
        # SET LOCAL lives and dies with this transaction: safe behind a transaction-pooling pgbouncer.
        cur.execute("SET LOCAL statement_timeout = 2000")
        cur.execute(LAG_SQL)
        return float(cur.fetchone()[0])


def probe(alias: str = REPLICA) -> tuple[bool, float | None]:
    """(usable, lag): reachable and no more than MOTCUA_REPLICA_MAX_LAG_S behind."""
    try:
        lag = lag_seconds(alias)
    except DatabaseError as exc:
        log.warning("replica %s unreachable, reads go to the leader: %s", alias, str(exc).strip()[:200])
        connections[alias].close()
        return False, None
    return lag <= max_lag(), lag


def usable(now: float | None = None) -> bool:
    """The cached verdict, refreshed every MOTCUA_REPLICA_CHECK_S seconds."""
    if not configured():
        return False
    now = time.monotonic() if now is None else now
    interval = settings.MOTCUA_REPLICA_CHECK_S
    with _lock:
        if now - _state["checked"] < interval:
            return _state["ok"]
        wall = time.time()
        ok, lag = probe()
        if ok != _state["ok"]:
            log.warning("replica reads %s (lag %s s)", "on" if ok else "off", lag)
        _state.update(checked=now, ok=ok, lag=lag, wall=wall)
        return ok


def horizon() -> float | None:
    """A wall-clock time (epoch seconds) before which every commit of the leader is on the replica.

    The last probe saw the replica ``lag`` seconds behind at ``wall``; it has only replayed more since.
    None when the replica is not usable.
    """
    with _lock:
        return _state["wall"] - _state["lag"] if _state["ok"] and _state["lag"] is not None else None


def mark_down() -> None:
    """A query on the replica just failed: keep reads on the leader until the next check."""
    with _lock:
        _state.update(checked=time.monotonic(), ok=False, lag=None)
    if configured():
        connections[REPLICA].close()


def forget() -> None:
    """Drop the cached verdict (tests, and after settings change)."""
    with _lock:
        _state.update(checked=-1e9, ok=False, lag=None)
