#!/usr/bin/env python3
"""A highly available PostgreSQL cluster on one machine, from Debian's packages (stdlib only).

    scripts/ha/cluster.py start  [--nodes 3] [--base-port 25430] [--db motcua] [--dir DIR]
    scripts/ha/cluster.py status [--base-port …]
    scripts/ha/cluster.py env    [--base-port …]     # DATABASE_URL / MOTCUA_REPLICA_URL lines for the app
    scripts/ha/cluster.py kill   NODE | leader        # kill -9 a node (Patroni + PostgreSQL): a host crash
    scripts/ha/cluster.py revive NODE                 # start a killed node again; it rejoins as a replica
    scripts/ha/cluster.py stop   [--keep]             # stop everything, remove the directory unless --keep

Topology (ports from --base-port B; each node its own data directory and ports):

    application ──► pgbouncer B+2 (transaction pooling)
                      ├─ <db>          ──► haproxy B+0 ──► the node whose Patroni REST answers /primary
                      └─ <db>_replica  ──► haproxy B+1 ──► nodes answering /replica (round robin)
    Patroni node i: PostgreSQL B+10+i, REST API B+20+i, data <dir>/node<i>/data
    etcd (one member; three on real hosts, see docs/operations.md): client B+30, peer B+31

Synchronous replication (Patroni ``synchronous_mode``): a commit is acknowledged once the synchronous
standby has it, and Patroni only promotes that standby, so an acknowledged write survives the loss of
the leader. Everything is idempotent: ``start`` on a running cluster only waits for it to be healthy,
``stop`` on a stopped one does nothing. Every wait is bounded. Processes run as the ``postgres`` user
when started by root (PostgreSQL refuses root). Needs: etcd-server, patroni, pgbouncer, haproxy and
PostgreSQL's server binaries (scripts/system-packages.sh installs them).
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

try:
    from .configs import DEFAULT_BASE, Layout, haproxy_cfg, patroni_yaml, pgbouncer_ini
except ImportError:  # run as a script: scripts/ha/cluster.py …
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from configs import DEFAULT_BASE, Layout, haproxy_cfg, patroni_yaml, pgbouncer_ini

BINARIES = ("etcd", "patroni", "patronictl", "pgbouncer", "haproxy")
PACKAGES = "etcd-server patroni pgbouncer haproxy postgresql"


# ------------------------------------------------------------------------------------------ helpers

def pg_bin_dir() -> Path:
    root = Path("/usr/lib/postgresql")
    versions = sorted((p for p in root.glob("*/bin/postgres")), key=lambda p: [int(x) for x in
                                                                             p.parent.parent.name.split(".")])
    if not versions:
        raise SystemExit(f"PostgreSQL server binaries not found under {root}: install {PACKAGES}")
    return versions[-1].parent


def missing_binaries() -> list[str]:
    missing = [b for b in BINARIES if shutil.which(b) is None and not Path(f"/usr/sbin/{b}").exists()]
    if not list(Path("/usr/lib/postgresql").glob("*/bin/postgres")):
        missing.append("postgres")
    return missing


def _owner() -> pwd.struct_passwd | None:
    """The account the cluster runs as: postgres when we are root, else ourselves."""
    return pwd.getpwnam("postgres") if os.geteuid() == 0 else None


def _prepare_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    owner = _owner()
    if owner:
        os.chown(path, owner.pw_uid, owner.pw_gid)


def _write(path: Path, text: str, mode: int = 0o600) -> None:
    path.write_text(text)
    path.chmod(mode)
    owner = _owner()
    if owner:
        os.chown(path, owner.pw_uid, owner.pw_gid)


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is not alive
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def _pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _spawn(layout: Layout, name: str, argv: list[str], env: dict | None = None) -> int:
    """Start a daemon in its own session, logging to <dir>/log/<name>.log; returns its pid."""
    pidfile = layout.dir / f"{name}.pid"
    pid = _pid(pidfile)
    if _alive(pid):
        return pid
    logdir = layout.dir / "log"
    _prepare_dir(logdir)
    owner = _owner()
    full_env = {"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
                "HOME": str(layout.dir), **(env or {})}
    with open(logdir / f"{name}.log", "ab") as log:
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                cwd=layout.dir, env=full_env, start_new_session=True,
                                user=owner.pw_uid if owner else None, group=owner.pw_gid if owner else None,
                                extra_groups=[] if owner else None)
    pidfile.write_text(str(proc.pid))
    return proc.pid


def _http(url: str, timeout: float = 1.0, method: str = "GET", body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            body = r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        body, status = e.read(), e.code
    except (OSError, ValueError):
        return 0, {}
    try:
        return status, json.loads(body or b"{}")
    except ValueError:
        return status, {}


def wait_for(what: str, check, timeout: float, interval: float = 0.2):
    """Poll `check()` until it returns a truthy value (returned); TimeoutError naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def psql(layout: Layout, sql: str, port: int | None = None, db: str = "postgres", timeout: float = 10) -> str:
    cmd = [str(pg_bin_dir() / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
           "-p", str(port or layout.bouncer_port), "-U", "postgres", "-d", db, "-c", sql]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                         env={**os.environ, "PGCONNECT_TIMEOUT": "3"})
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip())
    return out.stdout.strip()


# ------------------------------------------------------------------------------------------ state

def node_state(layout: Layout, i: int) -> dict:
    status, body = _http(f"http://127.0.0.1:{layout.rest_port(i)}/patroni")
    return body if status else {}


def leader(layout: Layout) -> int | None:
    for i in range(layout.nodes):
        if _http(f"http://127.0.0.1:{layout.rest_port(i)}/primary")[0] == 200:
            return i
    return None


def wait_leader(layout: Layout, timeout: float) -> int:
    """The index of the leader, once there is one."""
    return wait_for("a leader", lambda: [i for i in [leader(layout)] if i is not None], timeout)[0]


def cluster_view(layout: Layout) -> list[dict]:
    for i in range(layout.nodes):
        status, body = _http(f"http://127.0.0.1:{layout.rest_port(i)}/cluster")
        if status == 200 and body.get("members"):
            return body["members"]
    return []


def healthy(layout: Layout, want_replicas: int | None = None) -> bool:
    """A leader, `want_replicas` streaming replicas (default: all others), one of them synchronous."""
    members = cluster_view(layout)
    want = layout.nodes - 1 if want_replicas is None else want_replicas
    leaders = [m for m in members if m.get("role") == "leader" and m.get("state") == "running"]
    replicas = [m for m in members if m.get("role") in ("replica", "sync_standby")
                and m.get("state") in ("running", "streaming")]
    sync = [m for m in members if m.get("role") == "sync_standby"]
    return len(leaders) == 1 and len(replicas) >= want and (want == 0 or bool(sync))


def bouncer_ready(layout: Layout) -> bool:
    try:
        return psql(layout, "SELECT pg_is_in_recovery()", timeout=5) == "f"
    except (RuntimeError, subprocess.TimeoutExpired):
        return False


# ------------------------------------------------------------------------------------------ commands

def start(layout: Layout, timeout: float = 120) -> dict:
    missing = missing_binaries()
    if missing:
        raise SystemExit(f"missing {', '.join(missing)}: run scripts/system-packages.sh (as root)")
    _prepare_dir(layout.dir)
    _write(layout.dir / "cluster.json", json.dumps({"nodes": layout.nodes, "db": layout.db, "base": layout.base}),
           0o644)
    etcd_dir = layout.dir / "etcd"
    _prepare_dir(etcd_dir)
    etcd_dir.chmod(0o700)
    peer = f"http://127.0.0.1:{layout.etcd_peer_port}"
    client = f"http://127.0.0.1:{layout.etcd_port}"
    _spawn(layout, "etcd", ["etcd", "--name", "etcd0", "--data-dir", str(etcd_dir),
                            "--listen-client-urls", client, "--advertise-client-urls", client,
                            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                            "--initial-cluster", f"etcd0={peer}", "--initial-cluster-state", "new",
                            "--initial-cluster-token", layout.scope])
    wait_for("etcd", lambda: _http(f"{client}/health")[1].get("health") == "true", 30)

    pgbin = pg_bin_dir()
    for i in range(layout.nodes):
        nd = layout.node_dir(i)
        _prepare_dir(nd)
        _write(nd / "patroni.yml", patroni_yaml(layout, i, pgbin))
        _spawn(layout, f"node{i}", ["patroni", str(nd / "patroni.yml")])
        if i == 0:  # the first node bootstraps; the others clone it once it leads
            wait_for("the first leader", lambda: leader(layout) is not None, timeout)

    _write(layout.dir / "userlist.txt", '"postgres" ""\n')
    _write(layout.dir / "pgbouncer.ini", pgbouncer_ini(layout))
    _write(layout.dir / "haproxy.cfg", haproxy_cfg(layout))
    _spawn(layout, "haproxy", ["haproxy", "-db", "-f", str(layout.dir / "haproxy.cfg")])
    _spawn(layout, "pgbouncer", ["pgbouncer", str(layout.dir / "pgbouncer.ini")])
    wait_for("replicas streaming and a synchronous standby", lambda: healthy(layout), timeout)
    wait_for("the leader through pgbouncer", lambda: bouncer_ready(layout), 30)
    if psql(layout, f"SELECT 1 FROM pg_database WHERE datname = '{layout.db}'") != "1":
        psql(layout, f'CREATE DATABASE "{layout.db}"')
    return layout.urls()


def _children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids


def maintenance(layout: Layout, on: bool, timeout: float = 20) -> None:
    """Patroni's maintenance mode (``patronictl pause``): Patroni stops acting on PostgreSQL — no failover, and
    a WAL replay paused by hand (pg_wal_replay_pause(), to make a replica lag) stays paused."""
    i = wait_leader(layout, timeout)
    status, _ = _http(f"http://127.0.0.1:{layout.rest_port(i)}/config", 5, "PATCH", {"pause": on})
    if status != 200:
        raise RuntimeError(f"Patroni refused maintenance mode {on}: HTTP {status}")
    wait_for(f"every node to see maintenance mode {'on' if on else 'off'}", lambda: all(
        bool(node_state(layout, n).get("pause")) == on for n in range(layout.nodes) if node_state(layout, n)),
        timeout)


def kill_node(layout: Layout, i: int) -> list[int]:
    """kill -9 node i's Patroni, its postmaster and every backend: what a host crash looks like."""
    victims = [_pid(layout.dir / f"node{i}.pid"), _pid(layout.node_dir(i) / "data" / "postmaster.pid")]
    victims = [p for p in victims if _alive(p)]
    for p in list(victims):
        victims += _children(p)
    for p in victims:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass
    wait_for(f"node{i} to die", lambda: not any(_alive(p) for p in victims), 10, 0.05)
    return victims


def revive_node(layout: Layout, i: int, timeout: float = 90) -> None:
    (layout.dir / f"node{i}.pid").unlink(missing_ok=True)
    _spawn(layout, f"node{i}", ["patroni", str(layout.node_dir(i) / "patroni.yml")])
    wait_for(f"node{i} back as a streaming replica", lambda: node_state(layout, i).get("role") == "replica"
             and node_state(layout, i).get("state") == "running" and healthy(layout), timeout)


def revive_dead(layout: Layout, timeout: float = 90) -> list[int]:
    """Bring back every node whose Patroni is gone (a drill that failed before its own recovery), then wait
    until the cluster is whole again. Returns the nodes revived."""
    dead = [i for i in range(layout.nodes) if not _alive(_pid(layout.dir / f"node{i}.pid"))]
    for i in dead:
        revive_node(layout, i, timeout)
    wait_for("the cluster whole again", lambda: healthy(layout), timeout)
    return dead


def _stop_pid(pid: int | None, timeout: float) -> None:
    if not _alive(pid):
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def stop(layout: Layout, keep: bool = False) -> None:
    if not layout.dir.exists():
        return
    for i in range(layout.nodes):  # Patroni stops its PostgreSQL (fast shutdown) before it exits
        _stop_pid(_pid(layout.dir / f"node{i}.pid"), 30)
        _stop_pid(_pid(layout.node_dir(i) / "data" / "postmaster.pid"), 10)
    for name in ("pgbouncer", "haproxy", "etcd"):
        _stop_pid(_pid(layout.dir / f"{name}.pid"), 10)
    for pidfile in layout.dir.glob("*.pid"):
        pidfile.unlink(missing_ok=True)
    if not keep:
        shutil.rmtree(layout.dir, ignore_errors=True)


def status(layout: Layout) -> dict:
    return {"dir": str(layout.dir), "leader": (f"node{leader(layout)}" if leader(layout) is not None else None),
            "members": [{k: m.get(k) for k in ("name", "role", "state", "timeline", "lag")}
                        for m in cluster_view(layout)],
            "processes": {p.stem: _alive(_pid(p)) for p in sorted(layout.dir.glob("*.pid"))},
            "urls": layout.urls()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("command", choices=["start", "stop", "status", "env", "kill", "revive"])
    ap.add_argument("node", nargs="?", help="kill/revive: node0, node1, … or 'leader'")
    ap.add_argument("--base-port", type=int, default=int(os.environ.get("MOTCUA_HA_BASE_PORT", DEFAULT_BASE)))
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--db", default="motcua")
    ap.add_argument("--dir", default=None)
    ap.add_argument("--keep", action="store_true", help="stop: keep the data directories")
    args = ap.parse_args(argv)
    layout = Layout(args.base_port, max(2, args.nodes), args.db, args.dir)
    if args.command == "start":
        urls = start(layout)
        print("\n".join(f"export {k}={v}" for k, v in urls.items()))
    elif args.command == "stop":
        stop(layout, keep=args.keep)
    elif args.command == "env":
        print("\n".join(f"export {k}={v}" for k, v in layout.urls().items()))
    elif args.command == "status":
        print(json.dumps(status(layout), indent=2))
    else:
        if not args.node:
            ap.error(f"{args.command}: name a node")
        i = leader(layout) if args.node == "leader" else int(args.node.removeprefix("node"))
        if i is None:
            raise SystemExit("no leader to kill")
        if args.command == "kill":
            print(f"killed node{i}: pids {kill_node(layout, i)}")
        else:
            revive_node(layout, i)
            print(f"node{i} is a replica again")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except TimeoutError as exc:
        sys.exit(f"{exc} (logs: {Layout(int(os.environ.get('MOTCUA_HA_BASE_PORT', DEFAULT_BASE))).dir}/log)")
