#!/usr/bin/env python
"""Lifecycle throughput over HTTP against a running server, with pgbench as the baseline.

Starts no server. Drives N full dossier lifecycles (submit → receive → start-processing →
complete-step … → approve → sign-result → return) through the public API with C concurrent
clients, then, in the same run, runs pgbench's simple-update script (``pgbench -N``) on a scratch
database of the same PostgreSQL server, and prints both side by side.

    python manage.py bench_setup --citizens 16 > var/bench.json
    python bench/lifecycle.py --base-url http://127.0.0.1:8000 --setup var/bench.json \\
        --pg-url postgres://postgres@127.0.0.1:5432/postgres -n 300 -c 16

See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit, urlunsplit

import httpx


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency = defaultdict(list)  # action -> seconds
        self.errors = defaultdict(int)  # "action status code" -> count
        self.transitions = 0
        self.lifecycles = 0

    def ok(self, action: str, seconds: float):
        with self.lock:
            self.latency[action].append(seconds)
            self.transitions += 1

    def fail(self, action: str, status: int, code: str):
        with self.lock:
            self.errors[f"{action} → {status} {code}"] += 1


def run_lifecycle(client: httpx.Client, setup: dict, citizen_token: str, rec: Recorder) -> bool:
    auth = {role: {"Authorization": f"Bearer {setup[role]}"} for role in ("counter", "specialist", "leader")}

    def call(action: str, path: str, headers: dict, body: dict) -> dict | None:
        started = time.perf_counter()
        try:
            r = client.post(path, json=body, headers=headers)
        except httpx.HTTPError as exc:
            rec.fail(action, 0, type(exc).__name__)
            return None
        elapsed = time.perf_counter() - started
        if r.status_code not in (200, 201):
            try:
                code = r.json().get("code", "")
            except ValueError:
                code = r.text[:60]
            rec.fail(action, r.status_code, code)
            return None
        rec.ok(action, elapsed)
        return r.json()

    citizen = {"Authorization": f"Bearer {citizen_token}", "Idempotency-Key": uuid.uuid4().hex}
    d = call("submit", "/api/v1/dossiers", citizen, {
        "procedure_code": setup["procedure_code"], "agency_code": setup["agency_code"],
        "applicant": {"name": "Nguyễn Văn Đo"}, "form_data": {"noi_dung": "đo hiệu năng"}})
    if d is None:
        return False
    base = f"/api/v1/dossiers/{d['code']}"
    plan = [("receive", auth["counter"], {"digitized": True}),
            ("start-processing", auth["counter"], {})]
    plan += [("complete-step", auth["specialist"], {"note": "xong"})] * (int(setup.get("steps", 2)) - 1)
    plan += [("approve", auth["leader"], {"summary": "Đồng ý"}),
             ("sign-result", auth["leader"], {"electronic": True, "digitized": True}),
             ("return", auth["counter"], {})]
    for action, headers, body in plan:
        if call(action, f"{base}/{action}", headers, body) is None:
            return False
    with rec.lock:
        rec.lifecycles += 1
    return True


def drive(base_url: str, setup: dict, n: int, concurrency: int) -> tuple[Recorder, float]:
    rec = Recorder()
    citizens = setup["citizens"]
    counter = iter(range(n))
    counter_lock = threading.Lock()

    def worker(slot: int):
        # One citizen account per worker: online submissions of one account are serialised by design.
        token = citizens[slot % len(citizens)]
        with httpx.Client(base_url=base_url, timeout=60.0) as client:
            while True:
                with counter_lock:
                    if next(counter, None) is None:
                        return
                run_lifecycle(client, setup, token, rec)

    # Warm up every worker process/connection a little before timing.
    with httpx.Client(base_url=base_url, timeout=30.0) as client:
        for _ in range(concurrency):
            client.get("/api/v1/catalog/procedures", params={"q": setup["procedure_code"]})
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(worker, range(concurrency)))
    return rec, time.perf_counter() - started


def _with_db(pg_url: str, dbname: str) -> str:
    parts = urlsplit(pg_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, parts.fragment))


def run_pgbench(pg_url: str, clients: int, seconds: int, scale: int, keep: bool) -> dict:
    """pgbench -i then -N (simple update) on a scratch database of the same server."""
    import psycopg

    if not shutil.which("pgbench"):
        raise SystemExit("pgbench không có trên máy (gói postgresql-client).")
    scratch = "motcua_bench_pgbench"
    admin = _with_db(pg_url, urlsplit(pg_url).path.lstrip("/") or "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        conn.execute(f'CREATE DATABASE "{scratch}"')
    target = _with_db(pg_url, scratch)
    try:
        subprocess.run(["pgbench", "-i", "-q", "-s", str(scale), target], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        jobs = max(1, min(clients, os.cpu_count() or 1))
        proc = subprocess.run(["pgbench", "-N", "-c", str(clients), "-j", str(jobs), "-T", str(seconds),
                               "-r", target], check=True, capture_output=True, text=True)
    finally:
        if not keep:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
    out = proc.stdout
    tps = float(re.search(r"tps = ([\d.]+)", out).group(1))
    lat = re.search(r"latency average = ([\d.]+) ms", out)
    return {"tps": tps, "latency_avg_ms": float(lat.group(1)) if lat else float("nan"), "clients": clients,
            "seconds": seconds, "scale": scale}


def fmt(x: float, digits: int = 1) -> str:
    return f"{x:,.{digits}f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base-url", required=True, help="server already running, e.g. http://127.0.0.1:8000")
    p.add_argument("--setup", help="JSON file printed by `manage.py bench_setup` (tokens, codes)")
    p.add_argument("--tokens", help="the same JSON given inline")
    p.add_argument("-n", "--lifecycles", type=int, default=200)
    p.add_argument("-c", "--concurrency", type=int, default=16)
    p.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
                   help="the PostgreSQL server the app uses (any database on it; a scratch one is created)")
    p.add_argument("--pgbench-seconds", type=int, default=20)
    p.add_argument("--pgbench-scale", type=int, default=1)
    p.add_argument("--skip-pgbench", action="store_true")
    p.add_argument("--keep-scratch", action="store_true")
    p.add_argument("--json", help="also write the figures to this file")
    args = p.parse_args(argv)

    if args.setup:
        with open(args.setup, encoding="utf-8") as fh:
            setup = json.load(fh)
    elif args.tokens:
        setup = json.loads(args.tokens)
    else:
        p.error("cần --setup hoặc --tokens (xem `manage.py bench_setup`)")

    print(f"Lifecycle: {args.lifecycles} hồ sơ × {5 + int(setup.get('steps', 2))} lần chuyển trạng thái, "
          f"{args.concurrency} client song song → {args.base_url}", flush=True)
    rec, wall = drive(args.base_url, setup, args.lifecycles, args.concurrency)
    all_lat = [x for xs in rec.latency.values() for x in xs]
    ours = rec.transitions / wall if wall else 0.0
    print(f"\n{'thao tác':<18}{'số lần':>8}{'p50 ms':>10}{'p99 ms':>10}")
    for action, xs in rec.latency.items():
        print(f"{action:<18}{len(xs):>8}{fmt(percentile(xs, 50) * 1000):>10}{fmt(percentile(xs, 99) * 1000):>10}")
    print(f"{'(tất cả)':<18}{len(all_lat):>8}{fmt(percentile(all_lat, 50) * 1000):>10}"
          f"{fmt(percentile(all_lat, 99) * 1000):>10}")
    if rec.errors:
        print("\nLỗi:")
        for key, count in sorted(rec.errors.items()):
            print(f"  {count:>6} × {key}")
    print(f"\nHoàn tất {rec.lifecycles}/{args.lifecycles} vòng đời, {rec.transitions} lần chuyển trạng thái "
          f"trong {fmt(wall, 2)} s", flush=True)

    result = {"lifecycles": rec.lifecycles, "transitions": rec.transitions, "seconds": wall,
              "transitions_per_s": ours, "p50_ms": percentile(all_lat, 50) * 1000,
              "p99_ms": percentile(all_lat, 99) * 1000, "errors": dict(rec.errors),
              "mean_ms": statistics.fmean(all_lat) * 1000 if all_lat else None}
    if not args.skip_pgbench:
        print(f"\npgbench -N (simple-update), {args.concurrency} client, {args.pgbench_seconds} s …", flush=True)
        base = run_pgbench(args.pg_url, args.concurrency, args.pgbench_seconds, args.pgbench_scale,
                           args.keep_scratch)
        result["pgbench"] = base
        ratio = ours / base["tps"] if base["tps"] else float("nan")
        result["ratio"] = ratio
        print(f"\n{'':<34}{'giao dịch/s':>14}{'độ trễ TB ms':>14}")
        print(f"{'pgbench -N (cơ sở so sánh)':<34}{fmt(base['tps']):>14}{fmt(base['latency_avg_ms'], 2):>14}")
        print(f"{'Một Cửa Số: chuyển trạng thái':<34}{fmt(ours):>14}{fmt(result['mean_ms'] or 0, 2):>14}")
        print(f"Tỷ lệ Một Cửa Số / pgbench: {fmt(ratio, 3)}×")
    else:
        print(f"\nMột Cửa Số: {fmt(ours)} lần chuyển trạng thái/s")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(result, fh, ensure_ascii=False, indent=2)
    return 0 if not rec.errors else 1


if __name__ == "__main__":
    sys.exit(main())
