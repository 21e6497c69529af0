#!/usr/bin/env python
"""The database's own share of a lifecycle transition: the statements real transitions send, replayed alone.

Drives K dossier lifecycles through the API in this process (Django's test client, as lifecycle_cost.py does:
submit → receive → start-processing → complete-step … → approve → sign-result → return) on a scratch
database it creates on the server of ``--pg-url`` (``motcua_bench_sql``: migrated, ``bench_setup``, dropped at
the end; a fresh one for each replay), and records every statement each transition sends, with its parameters
and how it was bound (Django's client-side binding, or the lifecycle store's server-side binding, which psycopg
prepares). Then C processes replay the recorded lifecycles with plain psycopg, the same statements, parameters
and binding, one transaction per transition, for ``--seconds``: no Django, no HTTP, no lifecycle code. In the same
run it runs ``pgbench -N`` with the same number of clients on a scratch database of the same server.

It prints for both: transactions per second, PostgreSQL's CPU per transaction (its server processes for the
connections of the run, read from /proc while they run, so only on the machine of the server), the client's CPU
share, and the ratio. The replay's client is Python (about 0,1 ms per statement): its figure is a floor for what
the database allows; the PostgreSQL CPU per transition is the part no application change removes except by
sending less work. ``--all-prepared`` replays once more with every statement prepared, to show what preparing
the ORM's statements too would save.

Replaying runs each recorded lifecycle again on its own rows (updates set the same values, inserts add events,
outbox events, audit entries, slips and step runs); the new dossier of a submission gets a fresh code and
idempotency key each time, as a new submission would. Each dossier thus gains a few lifecycles of events, not
thousands: K is large enough (default 600) for the length of the run.

    PYTHONPATH=src .venv/bin/python bench/lifecycle_sql.py -c 8 --seconds 10
"""

from __future__ import annotations

import argparse
import enum
import io
import json
import multiprocessing
import os
import queue
import re
import resource
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
os.environ.setdefault("MOTCUA_DEMO", "1")
os.environ.setdefault("MOTCUA_CONN_MAX_AGE", "86400")

from lifecycle import RECEIVE, _with_db, fmt, machine_cpu  # noqa: E402  (bench/lifecycle.py)

SCRATCH = "motcua_bench_sql"
PGBENCH_SCRATCH = "motcua_bench_sql_pgbench"
# A connection's server process: "postgres: [cluster: ]user database host(port) state".
BACKEND = re.compile(r"^postgres: (?:\S+: )?\S+ (\S+) (?:\S+\(\d+\)|\[local\])")


@dataclass
class Statement:
    sql: str
    params: list
    prepared: bool  # sent with server-side binding (psycopg prepares it), as the lifecycle store does
    fresh: dict[int, str] = field(default_factory=dict)  # parameter index → what a new submission changes


# ---------------------------------------------------------------------------------------------- recording

@dataclass(frozen=True)
class JsonText:
    """A JSON parameter as its text: what the replay's fresh interpreters receive instead of Django's wrapper."""

    text: str


def _plain(value):
    """A parameter a fresh interpreter can unpickle without Django: JSON as text, a choice (enum) as its value."""
    from psycopg.types.json import Jsonb

    if isinstance(value, Jsonb):
        return JsonText(value.dumps(value.obj))
    return value.value if isinstance(value, enum.Enum) else value


def _json(value):
    if isinstance(value, JsonText):
        from psycopg.types.json import Jsonb

        return Jsonb(json.loads(value.text))
    return value


def record_lifecycles(k: int, steps: int, clients: int = 1) -> list[list[tuple[str, list[Statement]]]]:
    """K lifecycles through the API on the (empty) database of DATABASE_URL; per lifecycle its transitions.
    Lifecycle i is submitted by citizen i mod ``clients``, and ``replay`` gives client w the lifecycles w, w + C, …:
    each client replays one citizen's submissions, as in bench/lifecycle.py (one account's idempotent
    submissions wait for each other on its row lock, on purpose)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.backends.postgresql.base import ServerBindingCursor
    from django.test import Client

    call_command("migrate", verbosity=0)
    out = io.StringIO()
    call_command("bench_setup", citizens=clients, steps=steps, stdout=out)
    setup = json.loads(out.getvalue())
    client = Client()
    auth = {r: {"HTTP_AUTHORIZATION": f"Bearer {setup[r]}"} for r in ("counter", "specialist", "leader")}

    def call(path, headers, body):
        seen: list[Statement] = []

        def wrapper(execute, sql, params, many, context):
            prepared = isinstance(getattr(context["cursor"], "cursor", None), ServerBindingCursor)
            for one in (params if many else [params]):
                seen.append(Statement(sql, [_plain(v) for v in (one or ())], prepared))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(wrapper):
            r = client.post(path, data=json.dumps(body), content_type="application/json", **headers)
        if r.status_code not in (200, 201):
            raise SystemExit(f"{path}: HTTP {r.status_code} {r.content[:300]!r}")
        return r.json(), seen

    lifecycles = []
    for n in range(k + 3):
        key = uuid.uuid4().hex
        citizen = {"HTTP_AUTHORIZATION": f"Bearer {setup['citizens'][max(0, n - 3) % clients]}"}
        d, seen = call("/api/v1/dossiers", dict(citizen, HTTP_IDEMPOTENCY_KEY=key), {
            "procedure_code": setup["procedure_code"], "agency_code": setup["agency_code"],
            "applicant": {"name": "Nguyễn Văn Đo"}, "form_data": {"noi_dung": "đo hiệu năng"}})
        for st in seen:  # a replayed submission is a new one: a fresh code and idempotency key for its dossier
            if st.sql.lstrip().startswith('INSERT INTO "dossiers_dossier" '):
                st.fresh = {i: ("code" if v == d["code"] else "key") for i, v in enumerate(st.params)
                            if v in (d["code"], key)}
        recorded = [("submit", seen)]
        base = f"/api/v1/dossiers/{d['code']}"
        plan = [("receive", auth["counter"], RECEIVE), ("start-processing", auth["counter"], {})]
        plan += [("complete-step", auth["specialist"], {"note": "xong"})] * (steps - 1)
        plan += [("approve", auth["leader"], {"summary": "Đồng ý"}),
                 ("sign-result", auth["leader"], {"electronic": True}),
                 ("return", auth["counter"], {"method": "counter"})]
        for action, headers, body in plan:
            recorded.append((action, call(f"{base}/{action}", headers, body)[1]))
        if n >= 3:  # the first three warm the caches, as in a worker that has served a while
            lifecycles.append(recorded)
    return lifecycles


# ---------------------------------------------------------------------------------------------- replaying

def _replay_worker(url: str, lifecycles, all_prepared: bool, threshold, start: float, seconds: float, out) -> None:
    import psycopg

    conn = psycopg.connect(url, prepare_threshold=threshold)
    done = 0
    while time.monotonic() < start:
        time.sleep(0.001)
    cpu0 = time.process_time()  # not the interpreter's start-up and imports
    deadline = start + seconds
    while time.monotonic() < deadline:
        for transitions in lifecycles:
            for _action, statements in transitions:
                for st in statements:
                    params = [_json(v) for v in st.params]
                    for i, what in st.fresh.items():
                        params[i] = f"R{uuid.uuid4().hex}" if what == "code" else uuid.uuid4().hex
                    cur = conn.cursor() if (st.prepared or all_prepared) else psycopg.ClientCursor(conn)
                    cur.execute(st.sql, params)
                    cur.close()
                conn.commit()
                done += 1
            if time.monotonic() >= deadline:
                break
    conn.close()
    out.put((done, time.process_time() - cpu0))


def _backend_cpu(dbname: str) -> dict[int, float]:
    """CPU seconds used so far by each PostgreSQL server process serving a connection to ``dbname``."""
    found = {}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            title = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            m = BACKEND.match(title)
            if not m or m.group(1) != dbname:
                continue
            rest = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        found[int(proc.name)] = (int(rest[11]) + int(rest[12])) / os.sysconf("SC_CLK_TCK")
    return found


class Sampler:
    """The CPU of the server processes of the connections a run opens (each is new: what it has used is what
    the run cost), sampled while they live; the last quarter of a second of each may be missed."""

    def __init__(self, dbname: str):
        self.dbname, self.before, self.used = dbname, set(_backend_cpu(dbname)), {}

    def sample(self):
        self.used.update({p: c for p, c in _backend_cpu(self.dbname).items() if p not in self.before})

    @property
    def seconds(self) -> float:
        return sum(self.used.values())


def replay(url: str, lifecycles, clients: int, seconds: float, all_prepared: bool) -> dict:
    from django.conf import settings
    from django.db import connections

    threshold = settings.DATABASES["default"].get("OPTIONS", {}).get("prepare_threshold")
    connections.close_all()
    # Fresh interpreters (not fork: the calling process may run threads, a test runner's for one); each gets its
    # share of the recorded statements pickled.
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    start = time.monotonic() + 3.0  # every worker started and connected before the clock starts
    workers = [ctx.Process(target=_replay_worker, args=(url, lifecycles[w::clients], all_prepared, threshold,
                                                           start, seconds, out)) for w in range(clients)]
    sampler = Sampler(urlsplit(url).path.lstrip("/"))
    for w in workers:
        w.start()
    while time.monotonic() < start:
        time.sleep(0.05)
    busy0, total0 = machine_cpu()
    results = []
    while len(results) < clients:
        sampler.sample()
        try:
            results.append(out.get(timeout=0.25))
        except queue.Empty:
            if not any(w.is_alive() for w in workers) and out.empty():
                break
    wall = time.monotonic() - start
    busy1, total1 = machine_cpu()
    for w in workers:
        w.join()
    if len(results) < clients or any(w.exitcode for w in workers):
        raise SystemExit("phát lại thất bại: một tiến trình client đã dừng vì lỗi (xem thông báo ở trên).")
    done = sum(r[0] for r in results)
    return {"transitions": done, "per_s": done / wall, "wall_s": wall,
            "postgres_cpu_ms": 1000 * sampler.seconds / max(1, done),
            "client_cpu_share": sum(r[1] for r in results) / max(1e-9, busy1 - busy0),
            "machine_busy": (busy1 - busy0) / max(1e-9, total1 - total0)}


def pgbench_n(pg_url: str, clients: int, seconds: int) -> dict:
    """pgbench -i then -N (simple update) on a scratch database, with the same figures as ``replay``."""
    target = _with_db(pg_url, PGBENCH_SCRATCH)
    _fresh_database(pg_url, PGBENCH_SCRATCH)
    try:
        subprocess.run(["pgbench", "-i", "-q", target], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        jobs = max(1, min(clients, os.cpu_count() or 1))
        sampler = Sampler(PGBENCH_SCRATCH)
        children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        busy0, total0 = machine_cpu()
        proc = subprocess.Popen(["pgbench", "-N", "-c", str(clients), "-j", str(jobs), "-T", str(seconds), target],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        while proc.poll() is None:
            sampler.sample()
            time.sleep(0.25)
        stdout, stderr = proc.communicate()
        busy1, total1 = machine_cpu()
        children1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        _admin(pg_url, f'DROP DATABASE IF EXISTS "{PGBENCH_SCRATCH}" WITH (FORCE)')
    if proc.returncode != 0:
        raise SystemExit(f"pgbench failed:\n{stderr[-2000:]}")
    tps = float(re.search(r"tps = ([\d.]+)", stdout).group(1))
    done = int(re.search(r"number of transactions actually processed: (\d+)", stdout).group(1))
    client = (children1.ru_utime + children1.ru_stime) - (children0.ru_utime + children0.ru_stime)
    return {"transitions": done, "per_s": tps, "postgres_cpu_ms": 1000 * sampler.seconds / max(1, done),
            "client_cpu_share": client / max(1e-9, busy1 - busy0),
            "machine_busy": (busy1 - busy0) / max(1e-9, total1 - total0)}


# ---------------------------------------------------------------------------------------------- databases

def _admin(pg_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(sql)


def _fresh_database(pg_url: str, name: str) -> None:
    _admin(pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(pg_url, f'CREATE DATABASE "{name}"')


# ---------------------------------------------------------------------------------------------- main

def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("-k", type=int, default=600, help="recorded lifecycles, replayed in turn by the clients")
    p.add_argument("--steps", type=int, default=2)
    p.add_argument("-c", "--clients", type=int, default=8)
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--all-prepared", action="store_true", help="replay once more with every statement prepared")
    p.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
                   help="the PostgreSQL server (any database on it; scratch databases are created and dropped)")
    p.add_argument("--json", help="write the figures as JSON to this file")
    args = p.parse_args(argv)

    url = _with_db(args.pg_url, SCRATCH)
    os.environ["DATABASE_URL"] = url
    load0 = os.getloadavg()[0]
    runs = {"as sent": False} | ({"all prepared": True} if args.all_prepared else {})
    results, statements = {}, 0.0
    try:
        for label, all_prepared in runs.items():
            # A fresh database for each replay: its dossiers start with one lifecycle of events, as real ones do.
            from django.db import connections

            connections.close_all()
            _fresh_database(args.pg_url, SCRATCH)
            lifecycles = record_lifecycles(args.k, args.steps, args.clients)
            per = len(lifecycles[0])
            statements = sum(len(s) for _, s in lifecycles[0]) / per
            prepared = sum(st.prepared for _, s in lifecycles[0] for st in s) / per
            print(f"{len(lifecycles)} vòng đời đã ghi ({per} lần chuyển mỗi vòng, {fmt(statements, 2)} câu lệnh SQL "
                  f"mỗi lần chuyển ngoài BEGIN/COMMIT, {fmt(prepared, 2)} câu được chuẩn bị sẵn); phát lại "
                  f"{'tất cả chuẩn bị sẵn' if all_prepared else 'như ứng dụng gửi'}, {args.clients} client, "
                  f"{args.seconds} s …", flush=True)
            results[label] = replay(url, lifecycles, args.clients, args.seconds, all_prepared)
    finally:
        from django.db import connections

        connections.close_all()
        _admin(args.pg_url, f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')
    print(f"pgbench -N, {args.clients} client, {args.seconds} s …", flush=True)
    base = pgbench_n(args.pg_url, args.clients, args.seconds)

    cores = os.cpu_count() or 1
    print(f"\nTải trung bình (1 phút) trước / sau: {fmt(load0, 2)} / {fmt(os.getloadavg()[0], 2)}; {cores} lõi\n")
    print(f"{'':<40}{'giao dịch/s':>13}{'CPU PostgreSQL ms':>19}{'CPU client':>12}{'máy bận':>9}{'tỷ lệ':>9}")
    rows = [("pgbench -N (cơ sở so sánh)", base)] + [
        (f"câu lệnh vòng đời, {'tất cả chuẩn bị' if k == 'all prepared' else 'như ứng dụng gửi'}", r)
        for k, r in results.items()]
    for label, r in rows:
        r["ratio"] = r["per_s"] / base["per_s"]
        print(f"{label:<40}{fmt(r['per_s']):>13}{fmt(r['postgres_cpu_ms'], 3):>19}"
              f"{fmt(100 * r['client_cpu_share']) + ' %':>12}{fmt(100 * r['machine_busy']) + ' %':>9}"
              f"{fmt(r['ratio'], 3) + '×':>9}")
    sent = results["as sent"]
    ceiling = cores * 1000 / sent["postgres_cpu_ms"]
    print(f"\nCPU PostgreSQL mỗi lần chuyển trạng thái / mỗi giao dịch pgbench -N: "
          f"{fmt(sent['postgres_cpu_ms'] / base['postgres_cpu_ms'], 1)} lần.")
    print(f"Nếu ứng dụng không tốn CPU nào, {cores} lõi chỉ cho PostgreSQL: tối đa {fmt(ceiling, 0)} lần chuyển/s = "
          f"{fmt(ceiling / base['per_s'], 3)}× pgbench -N (chưa kể tiến trình ghi WAL và client).")
    if args.json:
        Path(args.json).write_text(json.dumps({"pgbench_n": base, "replay": results, "statements": statements,
                                               "ceiling_per_s": ceiling}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
