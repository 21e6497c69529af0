"""The cluster's layout (ports, directories) and its configuration files: Patroni, haproxy, pgbouncer.

See cluster.py for the topology. Kept apart so the files a real installation adapts are easy to read.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

# Below Linux's ephemeral port range (32768–60999 by default): a port there can be held for a moment by any
# outgoing connection on the machine, and the cluster would fail to start (seen with pgbouncer on 55432).
DEFAULT_BASE = 25430


# ------------------------------------------------------------------------------------------ layout

class Layout:
    def __init__(self, base: int = DEFAULT_BASE, nodes: int = 3, db: str = "motcua", root: str | None = None):
        self.base, self.db = base, db
        self.dir = Path(root or os.environ.get("MOTCUA_HA_DIR") or f"/tmp/motcua-ha-{base}")
        saved = self._saved()
        self.nodes = int(saved.get("nodes", nodes))
        self.db = saved.get("db", db)

    def _saved(self) -> dict:
        try:
            return json.loads((self.dir / "cluster.json").read_text())
        except (OSError, ValueError):
            return {}

    leader_port = property(lambda self: self.base)
    replica_port = property(lambda self: self.base + 1)
    bouncer_port = property(lambda self: self.base + 2)
    etcd_port = property(lambda self: self.base + 30)
    etcd_peer_port = property(lambda self: self.base + 31)
    scope = property(lambda self: f"motcua-{self.base}")

    def pg_port(self, i: int) -> int:
        return self.base + 10 + i

    def rest_port(self, i: int) -> int:
        return self.base + 20 + i

    def node_dir(self, i: int) -> Path:
        return self.dir / f"node{i}"

    def names(self) -> list[str]:
        return [f"node{i}" for i in range(self.nodes)]

    def urls(self) -> dict[str, str]:
        b = self.bouncer_port
        return {"DATABASE_URL": f"postgres://postgres@127.0.0.1:{b}/{self.db}",
                "MOTCUA_REPLICA_URL": f"postgres://postgres@127.0.0.1:{b}/{self.db}_replica",
                "MOTCUA_DB_TRANSACTION_POOLING": "1"}


# ------------------------------------------------------------------------------------------ config files

def patroni_yaml(layout: Layout, i: int, pgbin: Path) -> str:
    nd = layout.node_dir(i)
    # ttl / loop_wait / retry_timeout: the leader key expires 10 s after the leader's last heartbeat,
    # replicas look every 2 s (Patroni requires loop_wait + 2 × retry_timeout ≤ ttl).
    return f"""\
scope: {layout.scope}
namespace: /motcua/
name: node{i}
restapi:
  listen: 127.0.0.1:{layout.rest_port(i)}
  connect_address: 127.0.0.1:{layout.rest_port(i)}
etcd3:
  hosts: 127.0.0.1:{layout.etcd_port}
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 2
    retry_timeout: 4
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        max_connections: 100
        shared_buffers: 32MB
        wal_level: replica
        hot_standby: "on"
        hot_standby_feedback: "on"
        wal_keep_size: 256MB
        max_wal_senders: 10
        max_replication_slots: 10
        wal_log_hints: "on"
        synchronous_commit: "on"
        timezone: UTC
  initdb:
  - encoding: UTF8
  - locale: C.UTF-8
  - data-checksums
  pg_hba:
  - local all all trust
  - host all all 127.0.0.1/32 trust
  - host replication all 127.0.0.1/32 trust
postgresql:
  listen: 127.0.0.1:{layout.pg_port(i)}
  connect_address: 127.0.0.1:{layout.pg_port(i)}
  data_dir: {nd}/data
  bin_dir: {pgbin}
  pgpass: {nd}/pgpass
  authentication:
    superuser:
      username: postgres
    replication:
      username: postgres
    rewind:
      username: postgres
  parameters:
    unix_socket_directories: '{nd}'
tags:
  nofailover: false
  noloadbalance: false
  clonefrom: false
  nosync: false
"""


def haproxy_cfg(layout: Layout) -> str:
    def servers(check: str) -> str:
        return "\n".join(f"  server node{i} 127.0.0.1:{layout.pg_port(i)} check port {layout.rest_port(i)}"
                         for i in range(layout.nodes)) + "\n" + f"  option httpchk GET {check}\n"

    # inter 1s fall 2: a dead leader is out within ~2 s; shutdown-sessions cuts the connections pgbouncer
    # holds to it, so pgbouncer reconnects through here to the new leader.
    return f"""\
global
  maxconn 2000
defaults
  mode tcp
  timeout connect 2s
  timeout client 30m
  timeout server 30m
  timeout check 1s
  default-server inter 1s fall 2 rise 1 on-marked-down shutdown-sessions
listen leader
  bind 127.0.0.1:{layout.leader_port}
  http-check expect status 200
{servers("/primary")}
listen replica
  bind 127.0.0.1:{layout.replica_port}
  balance roundrobin
  http-check expect status 200
{servers("/replica")}
"""


def pgbouncer_ini(layout: Layout) -> str:
    d = layout.dir
    return f"""\
[databases]
{layout.db} = host=127.0.0.1 port={layout.leader_port} dbname={layout.db}
{layout.db}_replica = host=127.0.0.1 port={layout.replica_port} dbname={layout.db}
* = host=127.0.0.1 port={layout.leader_port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {layout.bouncer_port}
unix_socket_dir =
auth_type = trust
auth_file = {d}/userlist.txt
admin_users = postgres
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 20
reserve_pool_size = 5
; after the leader is lost, try the (new) leader again every second instead of every 15
server_login_retry = 1
server_connect_timeout = 3
; a query waits at most 5 s for a server: while a node is lost callers get an error (503 from the
; application, which the caller retries; the replica router falls back to the leader) instead of hanging
query_wait_timeout = 5
ignore_startup_parameters = extra_float_digits,options
pidfile =
"""
