#!/usr/bin/env python
"""Load-independent cost of one lifecycle transition: SQL statements and CPU per API call, in-process.

Runs the same calls as bench/lifecycle.py (submit → receive → start-processing → complete-step … →
approve → sign-result → return) through Django's test client inside this process, against the
database in DATABASE_URL (use a scratch PostgreSQL database; it runs ``bench_setup`` itself), and
prints per action the number of SQL statements and the CPU milliseconds (``time.process_time``) of
this process. CPU here is Python's (request cycle, ninja, ORM, lifecycle); PostgreSQL's own CPU is
not in it. With ``--profile FILE`` it also writes a cProfile of the timed lifecycles.

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
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
os.environ.setdefault("MOTCUA_DEMO", "1")  # a scratch install driven over plain HTTP by the test client


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-n", type=int, default=30, help="timed lifecycles (after 3 warm-up ones)")
    p.add_argument("--steps", type=int, default=2)
    p.add_argument("--profile", help="write a cProfile (pstats) of the timed lifecycles to this file")
    p.add_argument("--json", help="write the figures as JSON to this file")
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

    def call(action, path, headers, body, measure):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.process_time()
            r = client.post(path, data=json.dumps(body), content_type="application/json", **headers)
            spent = time.process_time() - t0
        if r.status_code not in (200, 201):
            raise SystemExit(f"{action}: HTTP {r.status_code} {r.content[:300]!r}")
        if measure:
            queries[action].append(len(ctx.captured_queries))
            cpu[action].append(spent * 1000)
        return r.json()

    def lifecycle(measure):
        h = dict(citizen, HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
        d = call("submit", "/api/v1/dossiers", h, {
            "procedure_code": setup["procedure_code"], "agency_code": setup["agency_code"],
            "applicant": {"name": "Nguyễn Văn Đo"}, "form_data": {"noi_dung": "đo hiệu năng"}}, measure)
        base = f"/api/v1/dossiers/{d['code']}"
        plan = [("receive", auth["counter"], {"digitized": True}), ("start-processing", auth["counter"], {})]
        plan += [("complete-step", auth["specialist"], {"note": "xong"})] * (args.steps - 1)
        plan += [("approve", auth["leader"], {"summary": "Đồng ý"}),
                 ("sign-result", auth["leader"], {"electronic": True, "digitized": True}),
                 ("return", auth["counter"], {})]
        for action, headers, body in plan:
            call(action, f"{base}/{action}", headers, body, measure)

    for _ in range(3):
        lifecycle(False)
    prof = cProfile.Profile(time.process_time) if args.profile else None  # CPU, not waiting for the database
    if prof:
        prof.enable()
    for _ in range(args.n):
        lifecycle(True)
    if prof:
        prof.disable()
        prof.dump_stats(args.profile)

    total_q = sum(sum(v) for v in queries.values())
    total_cpu = sum(sum(v) for v in cpu.values())
    calls = sum(len(v) for v in queries.values())
    print(f"{connection.vendor}, {args.n} lifecycles, {calls} transitions")
    print(f"{'action':<18}{'SQL/call':>10}{'CPU ms/call (median)':>24}")
    for action in queries:
        print(f"{action:<18}{statistics.mean(queries[action]):>10.1f}{statistics.median(cpu[action]):>24.2f}")
    print(f"{'per transition':<18}{total_q / calls:>10.2f}{total_cpu / calls:>24.2f}  (mean)")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "vendor": connection.vendor, "transitions": calls, "sql_per_transition": total_q / calls,
            "cpu_ms_per_transition": total_cpu / calls,
            "per_action": {a: {"sql": statistics.mean(queries[a]), "cpu_ms": statistics.median(cpu[a])}
                           for a in queries}}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
