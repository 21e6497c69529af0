"""Statistics and a citizen's own pages on a real streaming replica of the Patroni cluster.

The replica is made to lag for real (its WAL replay paused), so what a page shows tells where it read:
an old figure comes from the replica, the new one from the leader. Two web servers share the cluster:
one tolerates an hour of replica lag, the other one second.
"""

from __future__ import annotations

import uuid

import httpx
import psycopg
import pytest
from django.utils import timezone

from scripts.ha import cluster as ha

from .load import RECEIVE

pytestmark = pytest.mark.drill
PASSWORD = "matkhau-dien-tap-1"


def _on_node(layout, node: int, sql: str):
    url = f"postgres://postgres@127.0.0.1:{layout.pg_port(node)}/{layout.db}"
    with psycopg.connect(url, connect_timeout=5, autocommit=True) as conn:
        return conn.execute(sql).fetchone()[0]


def _received(client: httpx.Client, agency: str) -> int:
    r = client.get("/api/v1/reporting/indicators", params={"period": str(timezone.localdate().year),
                                                             "scope": agency})
    assert r.status_code == 200, r.text
    return sum(row["values"]["received"] for row in r.json()["rows"])


def _login(client: httpx.Client, username: str) -> None:
    client.get("/tai-khoan/dang-nhap/")
    r = client.post("/tai-khoan/dang-nhap/", data={"username": username, "password": PASSWORD,
                                                   "csrfmiddlewaretoken": client.cookies["csrftoken"]})
    assert r.status_code == 302, r.text[:500]


def test_statistics_and_own_pages_on_a_lagging_then_stopped_replica(whole_cluster, drill_app):
    app, layout, setup = drill_app, whole_cluster, drill_app.setup
    leader = ha.wait_leader(layout, 30)
    replica = next(i for i in range(layout.nodes) if i != leader)
    citizen_name = "bench_citizen_5"
    app.manage("shell", "-c", "from motcua.accounts.models import User; u = User.objects.get(username="
               f"'{citizen_name}'); u.set_password('{PASSWORD}'); u.save()")
    tolerant = app.web(port=layout.base + 41, workers=1, name="web-tolerant", env={"MOTCUA_REPLICA_MAX_LAG_S": "3600"})
    strict = app.web(port=layout.base + 42, workers=1, name="web-strict", env={"MOTCUA_REPLICA_MAX_LAG_S": "1"})
    counter = {"Authorization": f"Bearer {setup['counter']}"}
    officer_api = httpx.Client(base_url=tolerant, timeout=10, headers=counter)
    citizen_api = httpx.Client(base_url=tolerant, timeout=10,
                               headers={"Authorization": f"Bearer {setup['citizens'][4]}"})
    public_tolerant = httpx.Client(base_url=tolerant, timeout=10)
    public_strict = httpx.Client(base_url=strict, timeout=10)
    browser = httpx.Client(base_url=tolerant, timeout=10)
    leader_only = {"MOTCUA_REPLICA_URL": None}  # the consumer below must see the leader's newest events

    def received_dossier() -> str:
        r = citizen_api.post("/api/v1/dossiers", headers={"Idempotency-Key": uuid.uuid4().hex},
                             json={"procedure_code": setup["procedure_code"], "agency_code": setup["agency_code"]})
        assert r.status_code == 201, r.text
        code = r.json()["code"]
        assert officer_api.post(f"/api/v1/dossiers/{code}/receive", json=RECEIVE).status_code == 200
        app.manage("consume_events", "--lag", "0", env=leader_only)
        return code

    try:
        received_dossier()
        _login(browser, citizen_name)
        ha.wait_for("the replica to catch up", lambda: _received(public_strict, setup["agency_code"]) ==
                    _received(public_tolerant, setup["agency_code"]) > 0, 30, 0.3)
        before = _received(public_tolerant, setup["agency_code"])

        ha.maintenance(layout, True)  # or Patroni resumes the replay we pause
        _on_node(layout, replica, "SELECT pg_wal_replay_pause()")
        received_dossier()  # one more receipt, counted on the leader only
        # statistics: the tolerant server still reads the replica (old figure) …
        assert _received(public_tolerant, setup["agency_code"]) == before
        # … the strict one falls back to the leader as soon as the lag passes its bound
        ha.wait_for("the strict server to read the leader", lambda: _received(public_strict, setup["agency_code"])
                    == before + 1, 15, 0.3)

        # read your own writes: the citizen submits from the portal's session and sees the dossier at once
        r = browser.post("/api/v1/dossiers", headers={"Idempotency-Key": uuid.uuid4().hex,
                                                      "X-CSRFToken": browser.cookies["csrftoken"]},
                         json={"procedure_code": setup["procedure_code"], "agency_code": setup["agency_code"]})
        assert r.status_code == 201, r.text
        mine = r.json()["code"]
        assert mine in browser.get("/ho-so-cua-toi/").text
        # the same page without the "just wrote" cookie is the replica's, which has not replayed it yet
        browser.cookies.delete("motcua_leader")
        assert mine not in browser.get("/ho-so-cua-toi/").text

        _on_node(layout, replica, "SELECT pg_wal_replay_resume()")
        ha.maintenance(layout, False)
        ha.wait_for("the replica to replay", lambda: mine in browser.get("/ho-so-cua-toi/").text, 30, 0.3)
        assert _received(public_tolerant, setup["agency_code"]) == before + 1

        # a stopped replica: the tolerant server's pages come from the leader, nothing fails
        ha.kill_node(layout, replica)
        received_dossier()
        assert _received(public_tolerant, setup["agency_code"]) == before + 2
        page = browser.get("/ho-so-cua-toi/")
        assert page.status_code == 200 and mine in page.text
        assert browser.get(f"/thong-ke/don-vi/{setup['agency_code']}/").status_code == 200
    finally:
        for c in (officer_api, citizen_api, public_tolerant, public_strict, browser):
            c.close()
        if ha.node_state(layout, replica).get("state") == "running":
            _on_node(layout, replica, "SELECT pg_wal_replay_resume()")
        ha.maintenance(layout, False)
        if ha.node_state(layout, replica).get("state") != "running":
            ha.revive_node(layout, replica)
        app.stop()
