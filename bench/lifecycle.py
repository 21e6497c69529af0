#!/usr/bin/env python
"""Lifecycle throughput over HTTP against a running server, with pgbench as the baseline.

Starts no server (bench/lifecycle.sh starts one and runs this in one command; bench/lifecycle.md).
Drives full dossier lifecycles (submit → receive → start-processing → complete-step … → approve →
sign-result → return) through the public API with C concurrent clients — by default with wrk and
bench/lifecycle.lua (a native load generator: far less CPU per call than a Python client), else with
Python threads — then, in the same run, runs pgbench's simple-update script (``pgbench -N``) on a
scratch database of the same PostgreSQL server, and prints both side by side, with the load average,
the client's CPU share, (``--server-pid``) the server workers' CPU per transition and (``--chainer-pid``) the audit
chainer's, with how many entries it had still to link when the load stopped.

    python manage.py bench_setup --citizens 16 > var/bench.json
    python bench/lifecycle.py --base-url http://127.0.0.1:8000 --setup var/bench.json \\
        --pg-url postgres://postgres@127.0.0.1:5432/postgres -c 8 --duration 20

See bench/README.md and bench/lifecycle.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

# The body of every reception: on a day off of the unit the API asks why (422 off_day_reason_required), on a working
# day it ignores the reason, so a run gives the same lifecycles whatever the day (bench/lifecycle.lua sends the same).
# "digitized" is no longer sent: the API derives the flags from the confirmed scans (documents.digitization_flags).
RECEIVE = {"off_day_reason": "Đo hiệu năng, chạy cả ngày nghỉ"}


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
    plan = [("receive", auth["counter"], RECEIVE),
            ("start-processing", auth["counter"], {})]
    plan += [("complete-step", auth["specialist"], {"note": "xong"})] * (int(setup.get("steps", 2)) - 1)
    plan += [("approve", auth["leader"], {"summary": "Đồng ý"}),
             ("sign-result", auth["leader"], {"electronic": True}),
             ("return", auth["counter"], {"method": "counter"})]
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


LUA = Path(__file__).with_name("lifecycle.lua")
WRK_MISSING = ("wrk is not installed: `apt-get install wrk` (Debian; scripts/system-packages.sh lists it), "
               "or run with --client python (a Python client costs 1,5–3 ms of CPU per call on the same cores).")


def drive_wrk(base_url: str, setup: dict, concurrency: int, seconds: int) -> dict:
    """wrk, one connection per thread, bench/lifecycle.lua; figures and wrk's own CPU (getrusage)."""
    env = {**os.environ, "BENCH_CITIZENS": ",".join(setup["citizens"]), "BENCH_COUNTER": setup["counter"],
           "BENCH_SPECIALIST": setup["specialist"], "BENCH_LEADER": setup["leader"],
           "BENCH_PROCEDURE": setup["procedure_code"], "BENCH_AGENCY": setup["agency_code"],
           "BENCH_STEPS": str(int(setup.get("steps", 2))), "BENCH_RUN": uuid.uuid4().hex[:12]}
    with httpx.Client(base_url=base_url, timeout=30.0) as client:  # warm every worker a little
        for _ in range(concurrency):
            client.get("/api/v1/catalog/procedures", params={"q": setup["procedure_code"]})
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(["wrk", "-t", str(concurrency), "-c", str(concurrency), "-d", f"{seconds}s",
                           "--timeout", "30s", "-s", str(LUA), base_url], env=env, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("MOTCUA_RESULT ")), None)
    if proc.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout[-500:]}")
    out = json.loads(line.removeprefix("MOTCUA_RESULT "))
    out["wall"] = out["duration_us"] / 1e6
    out["client_cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return out


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return float("nan"), float("nan")
    hz = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / hz, sum(fields[:8]) / hz


def _proc_stat(stat: Path) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of a process, from its /proc/<pid>/stat (fields 4, 14 and 15); None when gone."""
    try:
        rest = stat.read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(rest[1]), (int(rest[11]) + int(rest[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu(master_pid: int | None) -> float:
    """CPU seconds of the server master's children (gunicorn workers)."""
    if not master_pid:
        return float("nan")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        read = _proc_stat(stat)
        if read is not None and read[0] == master_pid:
            total += read[1]
    return total


def process_cpu(pid: int | None) -> float:
    """CPU seconds of one process (the audit chainer)."""
    read = _proc_stat(Path(f"/proc/{pid}/stat")) if pid else None
    return read[1] if read is not None else float("nan")


def unchained(timeout_s: float = 60.0) -> tuple[int, float]:
    """(audit entries not yet in the chain when the load stopped, seconds until the chainer had linked them all):
    read from the application's database (DATABASE_URL), every 0,1 s."""
    import psycopg

    url = os.environ["DATABASE_URL"]
    started = time.monotonic()
    with psycopg.connect(url, autocommit=True) as conn:
        count = left = conn.execute("SELECT count(*) FROM audit_auditentry WHERE seq IS NULL").fetchone()[0]
        while left and time.monotonic() - started < timeout_s:
            time.sleep(0.1)
            left = conn.execute("SELECT count(*) FROM audit_auditentry WHERE seq IS NULL").fetchone()[0]
    return count, (time.monotonic() - started if not left else float("nan"))


def fmt(x: float, digits: int = 1) -> str:
    return f"{x:,.{digits}f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base-url", required=True, help="server already running, e.g. http://127.0.0.1:8000")
    p.add_argument("--setup", help="JSON file printed by `manage.py bench_setup` (tokens, codes)")
    p.add_argument("--tokens", help="the same JSON given inline")
    p.add_argument("--client", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python",
                   help="load generator: wrk + lifecycle.lua (default when installed) or Python threads")
    p.add_argument("--duration", type=int, default=20, help="seconds of load (wrk)")
    p.add_argument("-n", "--lifecycles", type=int, default=200, help="lifecycles to drive (Python client)")
    p.add_argument("-c", "--concurrency", type=int, default=16)
    p.add_argument("--server-pid", type=int, help="gunicorn master: its workers' CPU per transition is printed")
    p.add_argument("--chainer-pid", type=int,
                   help="the audit chainer (manage.py chain_audit): its CPU per transition and how far behind it "
                        "was are printed (reads DATABASE_URL)")
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
    if args.client == "wrk" and not shutil.which("wrk"):
        raise SystemExit(WRK_MISSING)

    per = 5 + int(setup.get("steps", 2))
    size = f"{args.duration} s" if args.client == "wrk" else f"{args.lifecycles} hồ sơ"
    print(f"Lifecycle ({args.client}): {size}, {per} lần chuyển trạng thái mỗi hồ sơ, "
          f"{args.concurrency} client song song → {args.base_url}", flush=True)
    load_before = os.getloadavg()
    busy0, total0 = machine_cpu()
    server0, chainer0 = server_cpu(args.server_pid), process_cpu(args.chainer_pid)
    if args.client == "wrk":
        w = drive_wrk(args.base_url, setup, args.concurrency, args.duration)
        wall, transitions, lifecycles, client_cpu = w["wall"], w["ok"], w["lifecycles"], w["client_cpu_s"]
        p50, p99, mean = w["p50_us"] / 1000, w["p99_us"] / 1000, w["mean_us"] / 1000
        errors = {"HTTP status (per wrk thread)": w["failed_by_thread"]} if w["failed"] else {}
        if w["socket_errors"]:
            errors["socket errors"] = w["socket_errors"]
        print(f"\nwrk: {w['requests']} yêu cầu, {transitions} thành công, {w['failed']} bị từ chối "
              f"(tính cả yêu cầu dở dang khi hết giờ)")
    else:
        cpu0 = time.process_time()
        rec, wall = drive(args.base_url, setup, args.lifecycles, args.concurrency)
        client_cpu = time.process_time() - cpu0
        transitions, lifecycles, errors = rec.transitions, rec.lifecycles, dict(rec.errors)
        all_lat = [x for xs in rec.latency.values() for x in xs]
        p50, p99 = percentile(all_lat, 50) * 1000, percentile(all_lat, 99) * 1000
        mean = statistics.fmean(all_lat) * 1000 if all_lat else float("nan")
        print(f"\n{'thao tác':<18}{'số lần':>8}{'p50 ms':>10}{'p99 ms':>10}")
        for action, xs in rec.latency.items():
            print(f"{action:<18}{len(xs):>8}{fmt(percentile(xs, 50) * 1000):>10}{fmt(percentile(xs, 99) * 1000):>10}")
    busy1, total1 = machine_cpu()
    server, chainer = server_cpu(args.server_pid) - server0, process_cpu(args.chainer_pid) - chainer0
    load_after = os.getloadavg()
    busy = busy1 - busy0
    ours = transitions / wall if wall else 0.0
    if errors:
        print("\nLỗi:")
        for key, count in sorted(errors.items()):
            print(f"  {count} × {key}")
    print(f"\nHoàn tất {lifecycles} vòng đời, {transitions} lần chuyển trạng thái trong {fmt(wall, 2)} s: "
          f"{fmt(ours)}/s; p50 {fmt(p50)} ms, p99 {fmt(p99)} ms", flush=True)
    print(f"Tải trung bình (1 phút) trước / sau: {fmt(load_before[0], 2)} / {fmt(load_after[0], 2)}; "
          f"{os.cpu_count()} lõi, máy bận {fmt(100 * busy / (total1 - total0))} %")
    print(f"CPU của client ({args.client}): {fmt(client_cpu, 2)} s = {fmt(100 * client_cpu / busy)} % CPU "
          f"đã dùng trên máy, {fmt(1000 * client_cpu / max(transitions, 1), 2)} ms mỗi lần chuyển")
    if args.server_pid:
        print(f"CPU của các worker máy chủ: {fmt(server, 2)} s, {fmt(1000 * server / max(transitions, 1), 2)} ms "
              f"mỗi lần chuyển")

    result = {"client": args.client, "lifecycles": lifecycles, "transitions": transitions, "seconds": wall,
              "transitions_per_s": ours, "p50_ms": p50, "p99_ms": p99, "mean_ms": mean, "errors": errors,
              "load_before": load_before[0], "load_after": load_after[0], "machine_busy_cpu_s": busy,
              "client_cpu_s": client_cpu, "client_cpu_share": client_cpu / busy if busy else None,
              "server_cpu_ms_per_transition": 1000 * server / transitions if args.server_pid and transitions
              else None}
    if args.chainer_pid:
        behind, drained = unchained()
        print(f"CPU của tiến trình nối chuỗi nhật ký: {fmt(chainer, 2)} s, "
              f"{fmt(1000 * chainer / max(transitions, 1), 2)} ms mỗi lần chuyển; khi hết tải còn {behind} bản ghi "
              f"chưa nối, nối xong sau {fmt(drained, 2)} s")
        result.update({"chainer_cpu_ms_per_transition": 1000 * chainer / transitions if transitions else None,
                       "unchained_at_end": behind, "unchained_drained_s": drained})
    if not args.skip_pgbench:
        print(f"\npgbench -N (simple-update), {args.concurrency} client, {args.pgbench_seconds} s …", flush=True)
        base = run_pgbench(args.pg_url, args.concurrency, args.pgbench_seconds, args.pgbench_scale,
                           args.keep_scratch)
        result["pgbench"] = base
        ratio = ours / base["tps"] if base["tps"] else float("nan")
        result["ratio"] = ratio
        print(f"\n{'':<34}{'giao dịch/s':>14}{'độ trễ TB ms':>14}")
        print(f"{'pgbench -N (cơ sở so sánh)':<34}{fmt(base['tps']):>14}{fmt(base['latency_avg_ms'], 2):>14}")
        print(f"{'Một Cửa Số: chuyển trạng thái':<34}{fmt(ours):>14}{fmt(mean, 2):>14}")
        print(f"Tỷ lệ Một Cửa Số / pgbench: {fmt(ratio, 3)}×; tải trung bình sau pgbench {fmt(os.getloadavg()[0], 2)}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(result, fh, ensure_ascii=False, indent=2)
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
