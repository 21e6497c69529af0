"""Failover drill: the leader's host dies (kill -9 of Patroni and PostgreSQL) while citizens submit and
officers receive dossiers over the HTTP API; Patroni promotes the synchronous standby, the application
reconnects by itself, and afterwards nothing acknowledged is lost or doubled, the audit chain verifies
and each outbox event reached the national portal exactly once. The unavailability window is printed."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from scripts.ha import cluster as ha

from .load import Ledger, start_clients

pytestmark = pytest.mark.drill

CLIENTS = 4
WINDOW_GOAL_S = 30


def _rows(url: str, sql: str, params=None) -> list[tuple]:
    with psycopg.connect(url, connect_timeout=5, autocommit=True, prepare_threshold=None) as conn:
        return conn.execute(sql, params).fetchall()


def test_leader_killed_nothing_acknowledged_is_lost_or_doubled(whole_cluster, drill_app, portal_sim):
    app, layout = drill_app, whole_cluster
    url = app.web(port=layout.base + 40, workers=3)
    app.worker("dispatch_outbox", "--interval", "0.2")
    app.worker("consume_events", "--loop", "--interval", "0.5", "--lag", "1")
    db_url = layout.urls()["DATABASE_URL"]

    ledger, stop = Ledger(), threading.Event()
    deadline = time.monotonic() + 150  # no client outlives this, whatever happens
    threads = start_clients(url, app.setup, CLIENTS, ledger, stop, deadline)
    try:
        ha.wait_for("writes before the crash", lambda: len(ledger.acks_sent_after(0)) >= 30, 60)
        app.manage("anchor_audit", "--no-outbox")  # a signed checkpoint of the chain's head, kept outside the database
        old_leader = ha.leader(layout)
        assert old_leader is not None
        ha.kill_node(layout, old_leader)  # returns once every process of the node is gone
        # Measured from the node's death, not from the call: kill_node first lists the node's processes, and a
        # write sent meanwhile is still answered by the old leader (one run printed a 0,1 s "window" so).
        killed_at = time.monotonic()

        # from the crash to the first write sent after it that the server acknowledged
        first_ack = min(ha.wait_for("a write acknowledged after the crash", lambda: ledger.acks_sent_after(killed_at),
                                   90))
        window = first_ack - killed_at
        new_leader = ha.wait_leader(layout, 30)
        ha.wait_for("writes after the failover", lambda: len(ledger.acks_sent_after(first_ack)) >= 30, 60)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=15)
    assert not any(t.is_alive() for t in threads)
    print(f"\nfailover drill: node{old_leader} killed, node{new_leader} promoted; unavailability window "
          f"{window:.1f} s (goal < {WINDOW_GOAL_S} s); {len(ledger.submitted)} submissions and "
          f"{len(ledger.received)} receipts acknowledged, {ledger.retries} retries, "
          f"{ledger.resolved_by_reading} receipts confirmed by reading after a lost answer")
    assert new_leader != old_leader
    assert window < WINDOW_GOAL_S

    # every acknowledged submission is there exactly once; no key made two dossiers
    keys = sorted(ledger.keys)
    per_key = dict(_rows(db_url, "SELECT idempotency_key, count(*) FROM dossiers_dossier "
                                 "WHERE idempotency_key = ANY(%s) GROUP BY 1", [keys]))
    assert all(per_key.get(k) == 1 for k in ledger.submitted), "an acknowledged submission is missing"
    assert max(per_key.values()) == 1, "a retried submission created a second dossier"
    codes = dict(_rows(db_url, "SELECT idempotency_key, code FROM dossiers_dossier WHERE idempotency_key = ANY(%s)",
                       [keys]))
    assert all(codes[k] == c for k, c in ledger.submitted.items())
    # every acknowledged receipt happened exactly once
    receipts = dict(_rows(db_url, "SELECT d.code, count(*) FROM dossiers_dossierevent e JOIN dossiers_dossier d "
                                  "ON d.id = e.dossier_id WHERE e.action = 'receive' AND d.code = ANY(%s) GROUP BY 1",
                          [sorted(ledger.submitted.values())]))
    assert all(receipts.get(c) == 1 for c in ledger.received), "an acknowledged receipt is missing"
    assert max(receipts.values()) == 1

    # the audit chain holds across the failover, and the head anchored before the crash is still in it
    app.manage("anchor_audit", "--no-outbox")
    out = app.manage("verify_audit", check=False)
    assert out.returncode == 0, out.stderr
    assert "toàn vẹn" in out.stdout and "khớp 2 mốc neo" in out.stdout

    # the outbox: every dossier event reaches the national portal, each exactly once, in order
    def drained():
        return _rows(db_url, "SELECT (SELECT count(*) FROM integrations_outboxevent e WHERE NOT EXISTS "
                             "(SELECT 1 FROM integrations_fanout f WHERE f.event_id = e.id)) + "
                             "(SELECT count(*) FROM integrations_delivery WHERE status <> 'delivered')")[0][0] == 0
    try:
        ha.wait_for("the dispatcher to deliver every event", drained, 60, 0.5)
    except TimeoutError:  # say what was left and where it stood, for the next reader of a red run
        left = _rows(db_url, "SELECT status, attempts, lease_owner <> '', next_attempt_at < now(), left(last_error, 200), "
                             "count(*) FROM integrations_delivery WHERE status <> 'delivered' GROUP BY 1, 2, 3, 4, 5")
        unfanned = _rows(db_url, "SELECT min(id), max(id), count(*) FROM integrations_outboxevent e WHERE NOT EXISTS "
                                 "(SELECT 1 FROM integrations_fanout f WHERE f.event_id = e.id)")
        log = (app.data_dir / "log" / "dispatch_outbox.log").read_text(errors="replace")[-3000:]
        raise AssertionError(f"not delivered after 60 s: (status, attempts, leased, due, error, n) {left}; events not "
                             f"fanned out (min id, max id, n) {unfanned}; the dispatcher's log ends:\n{log}") from None
    events = [r[0] for r in _rows(db_url, "SELECT id FROM integrations_outboxevent WHERE topic LIKE 'dossier.%' "
                                          "ORDER BY id")]
    assert len(events) >= 2 * len(ledger.received)
    with portal_sim.lock:
        applied = dict(portal_sim.applied)
    assert set(applied) == {f"{e}:dvcqg" for e in events}
    assert set(applied.values()) == {1}

    # the statistics consumer went through the failover too and counted every dossier once
    ha.wait_for("statistics to catch up", lambda: _rows(
        db_url, "SELECT (SELECT count(*) FROM dossiers_dossier WHERE code IS NOT NULL) = "
                "(SELECT count(*) FROM reporting_dossierfact)")[0][0], 60, 0.5)

    # recovery: the old leader's host comes back and rejoins as a replica of the new leader
    started = time.monotonic()
    ha.revive_node(layout, old_leader)
    print(f"node{old_leader} rejoined as a replica in {time.monotonic() - started:.1f} s")
    app.stop()
