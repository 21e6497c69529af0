#!/usr/bin/env python
"""Load-independent cost of one lifecycle transition: SQL statements and CPU per API call, in-process.

Runs the same calls as bench/lifecycle.py (submit → receive → start-processing → complete-step … →
approve → sign-result → return) through Django's test client inside this process, against the
database in DATABASE_URL (use a scratch PostgreSQL database; it runs ``bench_setup`` itself), and
prints per action the number of SQL statements and the CPU milliseconds (``time.process_time``) of
this process: Python's (request cycle, ninja, ORM, lifecycle). When PostgreSQL runs on this machine
(its server process readable in /proc), it also prints the CPU milliseconds the connection's server
process spent on each call (``/proc/<pid>/schedstat``), from which round trips and planning show. On PostgreSQL it
then runs the audit chainer's batches over the timed run's entries and prints their cost per entry (``--no-chain``:
not).
With ``--profile FILE`` it also writes a cProfile of the timed lifecycles.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench PYTHONPATH=src \\
        .venv/bin/python bench/lifecycle_cost.py -n 30
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import statistics
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
os.environ.setdefault("MOTCUA_DEMO", "1")  # a scratch install driven over plain HTTP by the test client
# One connection for the whole run, as a busy worker keeps it: its server process is the one measured.
os.environ.setdefault("MOTCUA_CONN_MAX_AGE", "86400")

from lifecycle import RECEIVE  # noqa: E402  (bench/lifecycle.py: the reception's body, a reason for days off)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-n", type=int, default=30, help="timed lifecycles (after 3 warm-up ones)")
    p.add_argument("--steps", type=int, default=2)
    p.add_argument("--profile", help="write a cProfile (pstats) of the timed lifecycles to this file")
    p.add_argument("--json", help="write the figures as JSON to this file")
    p.add_argument("--no-chain", action="store_true",
                   help="PostgreSQL: leave the audit entries unchained (by default the chainer's batches run after the "
                        "timed lifecycles and their CPU per entry is printed)")
    args = p.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    out = io.StringIO()
    call_command("bench_setup", citizens=1, steps=args.steps, stdout=out)
    setup = json.loads(out.getvalue())
    client = Client()
    auth = {r: {"HTTP_AUTHORIZATION": f"Bearer {setup[r]}"} for r in ("counter", "specialist", "leader")}
    citizen = {"HTTP_AUTHORIZATION": f"Bearer {setup['citizens'][0]}"}
    queries: dict[str, list[int]] = defaultdict(list)
    cpu: dict[str, list[float]] = defaultdict(list)
    server_cpu: dict[str, list[float]] = defaultdict(list)
    server = _server_clock(connection)

    def call(action, path, headers, body, measure):
        with CaptureQueriesContext(connection) as ctx:
            s0 = server()
            t0 = time.process_time()
            r = client.post(path, data=json.dumps(body), content_type="application/json", **headers)
            spent = time.process_time() - t0
            server_spent = server() - s0
        if r.status_code not in (200, 201):
            raise SystemExit(f"{action}: HTTP {r.status_code} {r.content[:300]!r}")
        if measure:
            queries[action].append(len(ctx.captured_queries))
            cpu[action].append(spent * 1000)
            server_cpu[action].append(server_spent * 1000)
        return r.json()

    def lifecycle(measure):
        h = dict(citizen, HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
        d = call("submit", "/api/v1/dossiers", h, {
            "procedure_code": setup["procedure_code"], "agency_code": setup["agency_code"],
            "applicant": {"name": "Nguyễn Văn Đo"}, "form_data": {"noi_dung": "đo hiệu năng"}}, measure)
        base = f"/api/v1/dossiers/{d['code']}"
        plan = [("receive", auth["counter"], RECEIVE), ("start-processing", auth["counter"], {})]
        plan += [("complete-step", auth["specialist"], {"note": "xong"})] * (args.steps - 1)
        plan += [("approve", auth["leader"], {"summary": "Đồng ý"}),
                 ("sign-result", auth["leader"], {"electronic": True}),
                 ("return", auth["counter"], {"method": "counter"})]
        for action, headers, body in plan:
            call(action, f"{base}/{action}", headers, body, measure)

    chaining = connection.vendor == "postgresql" and not args.no_chain
    if chaining:
        from motcua.audit import chainer

        chainer.chain_pending()  # what earlier runs left: the timed run's entries are chained alone below
    for _ in range(3):
        lifecycle(False)
    if chaining:
        chainer.chain_pending()  # the warm-up's
    prof = cProfile.Profile(time.process_time) if args.profile else None  # CPU, not waiting for the database
    if prof:
        prof.enable()
    for _ in range(args.n):
        lifecycle(True)
    if prof:
        prof.disable()
        prof.dump_stats(args.profile)

    chain = None
    if chaining:  # production's chainer (manage.py chain_audit) does this for every entry, in its own process
        s0, t0 = server(), time.process_time()
        with CaptureQueriesContext(connection) as ctx:
            entries = chainer.chain_pending()
        chain = {"entries": entries, "sql": len(ctx.captured_queries), "cpu_ms": (time.process_time() - t0) * 1000,
                 "server_cpu_ms": (server() - s0) * 1000}
    total_q = sum(sum(v) for v in queries.values())
    total_cpu = sum(sum(v) for v in cpu.values())
    total_server = sum(sum(v) for v in server_cpu.values())
    calls = sum(len(v) for v in queries.values())
    print(f"{connection.vendor}, {args.n} lifecycles, {calls} transitions")
    print(f"{'action':<18}{'SQL/call':>10}{'CPU ms/call (median)':>24}{'server CPU ms/call (median)':>30}")
    for action in queries:
        print(f"{action:<18}{statistics.mean(queries[action]):>10.1f}{statistics.median(cpu[action]):>24.2f}"
              f"{statistics.median(server_cpu[action]):>30.2f}")
    print(f"{'per transition':<18}{total_q / calls:>10.2f}{total_cpu / calls:>24.2f}{total_server / calls:>30.2f}"
          "  (mean)")
    if chain and chain["entries"]:
        n = chain["entries"]
        print(f"{'chaining, per entry':<18}{chain['sql'] / n:>10.2f}{chain['cpu_ms'] / n:>24.3f}"
              f"{chain['server_cpu_ms'] / n:>30.3f}  (the chainer's batches of the timed run's {n} audit entries)")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "vendor": connection.vendor, "transitions": calls, "sql_per_transition": total_q / calls,
            "cpu_ms_per_transition": total_cpu / calls, "server_cpu_ms_per_transition": total_server / calls,
            "per_action": {a: {"sql": statistics.mean(queries[a]), "cpu_ms": statistics.median(cpu[a]),
                               "server_cpu_ms": statistics.median(server_cpu[a])} for a in queries},
            "chaining": chain}, indent=2))
    return 0


def _server_clock(connection):
    """Seconds of CPU the connection's PostgreSQL server process has used (0.0 when it cannot be read: another
    database, another machine)."""
    if connection.vendor != "postgresql":
        return lambda: 0.0
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        stat = Path(f"/proc/{cur.fetchone()[0]}/schedstat")

    def read():
        try:
            return int(stat.read_text().split()[0]) / 1e9  # nanoseconds on a CPU
        except (OSError, ValueError, IndexError):
            return 0.0

    return read


if __name__ == "__main__":
    sys.exit(main())
