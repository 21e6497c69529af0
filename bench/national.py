#!/usr/bin/env python
"""A province-year at national scale: the dossier load of the 34 provinces (2025), on the HA cluster and
on a single server, side by side in one run.

The load. The seed report of Quảng Ngãi city (seeds/000, 2023) counts 103.331 dossiers received at its
one-stop counters from 01/01 to 27/11/2023, i.e. ≈ 113.900 a year; the city had 252.050 inhabitants in
2016 (the newest figure we could check), i.e. ≈ 0,45 dossiers per inhabitant and year. The country gets
that rate times its population (NATIONAL_POPULATION, with its source); the provinces share it in
proportion to approximate weights (POPULATION_WEIGHTS: typed, not checked against the official text; a
province's share may be off by several per cent, the national total is not). A year has 250 working days
of 8 hours and the busiest hour carries PEAK_FACTOR × the average hour (an assumption).
Each dossier is a whole lifecycle over the public API (submit with an Idempotency-Key → receive →
start-processing → complete-step × (steps − 1) → approve → sign-result → return) plus one read of its
province's public statistics. The national peak is printed; ``--scale`` takes a share of it that the
machine can carry (the full national peak needs more than two cores: see bench/national.md).

Arrivals are open-loop (Poisson, seeded, the same for both targets): a slow server makes dossiers wait
(queue time is reported) instead of slowing the arrivals down. Per target it prints offered and achieved
transitions per second, p50/p99 latency of the writes and of the statistics reads, errors, and — on the
cluster — the replica's replay lag sampled every 0,5 s on the leader (pg_stat_replication).

    python bench/national.py --single-url http://127.0.0.1:8811 --single-setup var/national-single.json \\
        --cluster-url http://127.0.0.1:8812 --cluster-setup var/national-cluster.json \\
        --cluster-leader-dsn postgres://postgres@127.0.0.1:25432/motcua_s1_national \\
        --scale 0.2 --seconds 60

Starting the two targets (migrated databases, bench_setup --agencies 34, gunicorn): bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.lifecycle import RECEIVE, fmt, percentile  # noqa: E402

# APPROXIMATE WEIGHTS, NOT FACTS. The 34 provinces and centrally-run cities after the 2025 reorganisation
# (Resolution 202/2025/QH15), with population figures as listed by the Government's news portal
# (baochinhphu.vn, June 2025: the resolution's figures for the 23 merged units, 2024 figures for the 11
# unchanged ones). They were typed from memory of that list and NOT checked against the official text;
# they add up to 113,4 M, well above the country's ≈ 101 M, so only their ratios are used: each
# province's share of the national load (which dossier goes to which province's agency).
POPULATION_WEIGHTS = {
    "Hà Nội": 8_718_000, "Huế": 1_432_986, "Lai Châu": 512_601, "Điện Biên": 673_091, "Sơn La": 1_300_130,
    "Lạng Sơn": 881_384, "Quảng Ninh": 1_497_447, "Thanh Hóa": 4_324_783, "Nghệ An": 3_831_694,
    "Hà Tĩnh": 1_622_901, "Cao Bằng": 573_119, "Tuyên Quang": 1_865_270, "Lào Cai": 1_778_785,
    "Thái Nguyên": 1_799_489, "Phú Thọ": 4_022_638, "Bắc Ninh": 3_619_433, "Hưng Yên": 3_567_943,
    "Hải Phòng": 4_664_124, "Ninh Bình": 4_412_264, "Quảng Trị": 1_870_845, "Đà Nẵng": 3_065_628,
    "Quảng Ngãi": 2_161_755, "Gia Lai": 3_583_693, "Khánh Hòa": 2_243_554, "Lâm Đồng": 3_872_999,
    "Đắk Lắk": 3_346_853, "TP. Hồ Chí Minh": 14_002_598, "Đồng Nai": 4_491_408, "Tây Ninh": 3_254_170,
    "Cần Thơ": 4_199_824, "Vĩnh Long": 4_257_581, "Đồng Tháp": 4_370_046, "Cà Mau": 2_606_672,
    "An Giang": 4_952_238,
}
# The national total the load is scaled to: Vietnam's population on 01/04/2024, mid-term population and
# housing survey 2024 of the General Statistics Office, announced 06/01/2025 (as reported by Tạp chí Kinh tế
# và Dự báo, kinhtevadubao.vn; checked against that report, not against the Office's own publication).
NATIONAL_POPULATION = 101_112_656
CITY_DOSSIERS = 103_331  # seeds/000: received 01/01–27/11/2023, Quảng Ngãi city (checked: the seed's text)
CITY_DAYS = 331
# Quảng Ngãi city, average population 2016 (preliminary), Quảng Ngãi Statistical Yearbook 2016, table 13
# (Cục Thống kê Quảng Ngãi; checked against the yearbook's published page). Seven years older than the
# dossier count: the city has grown since, so the rate per inhabitant is somewhat overstated.
CITY_POPULATION = 252_050
WORKING_SECONDS_PER_YEAR = 250 * 8 * 3600
PEAK_FACTOR = 2.0  # busiest hour / average working hour (assumption, stated in bench/national.md)


def per_capita() -> float:
    return CITY_DOSSIERS * 365 / CITY_DAYS / CITY_POPULATION


def national_peak_dossiers_per_s() -> float:
    return NATIONAL_POPULATION * per_capita() * PEAK_FACTOR / WORKING_SECONDS_PER_YEAR


def arrivals(rate: float, seconds: float, seed: int) -> list[tuple[float, int]]:
    """(offset s, province index) of each dossier: Poisson arrivals, provinces in proportion to their weights."""
    rng = random.Random(seed)
    weights = list(POPULATION_WEIGHTS.values())
    out, t = [], 0.0
    while True:
        t += rng.expovariate(rate)
        if t >= seconds:
            return out
        out.append((t, rng.choices(range(len(weights)), weights)[0]))


@dataclass
class Result:
    lock: threading.Lock = field(default_factory=threading.Lock)
    writes: list[float] = field(default_factory=list)
    reads: list[float] = field(default_factory=list)
    queued: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    lifecycles: int = 0
    lag_s: list[float] = field(default_factory=list)
    lag_bytes: list[int] = field(default_factory=list)
    wall: float = 0.0


def lifecycle(client: httpx.Client, setup: dict, agency: str, citizen: str, res: Result) -> None:
    year = time.strftime("%Y")

    def call(method: str, path: str, headers: dict, body: dict | None, is_read: bool = False) -> dict | None:
        started = time.perf_counter()
        try:
            r = client.request(method, path, json=body, headers=headers) if body is not None else \
                client.request(method, path, headers=headers)
        except httpx.HTTPError as exc:
            with res.lock:
                res.errors[f"{path.rsplit('/', 1)[-1]} {type(exc).__name__}"] += 1
            return None
        elapsed = time.perf_counter() - started
        with res.lock:
            if r.status_code >= 300:
                res.errors[f"{path.rsplit('/', 1)[-1].split('?')[0]} {r.status_code}"] += 1
                return None
            (res.reads if is_read else res.writes).append(elapsed)
        return r.json()

    auth = {role: {"Authorization": f"Bearer {setup[role]}"} for role in ("counter", "specialist", "leader")}
    d = call("POST", "/api/v1/dossiers", {"Authorization": f"Bearer {citizen}", "Idempotency-Key": uuid.uuid4().hex},
             {"procedure_code": setup["procedure_code"], "agency_code": agency,
              "applicant": {"name": "Nguyễn Văn Quốc"}, "form_data": {"noi_dung": "mô phỏng toàn quốc"}})
    if d is None:
        return
    call("GET", f"/api/v1/reporting/indicators?period={year}&scope={agency}", {}, None, is_read=True)
    base = f"/api/v1/dossiers/{d['code']}"
    plan = [("receive", "counter", RECEIVE), ("start-processing", "counter", {})]
    plan += [("complete-step", "specialist", {"note": "xong"})] * (int(setup.get("steps", 1)) - 1)
    plan += [("approve", "leader", {"summary": "Đồng ý"}), ("sign-result", "leader", {"electronic": True}),
             ("return", "counter", {"method": "counter"})]
    for action, role, body in plan:
        if call("POST", f"{base}/{action}", auth[role], body) is None:
            return
    with res.lock:
        res.lifecycles += 1


def sample_lag(dsn: str, res: Result, stop: threading.Event) -> None:
    import psycopg

    sql = ("SELECT COALESCE(max(EXTRACT(EPOCH FROM replay_lag)), 0), "
           "COALESCE(max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)), 0) FROM pg_stat_replication")
    try:
        with psycopg.connect(dsn, autocommit=True, connect_timeout=5, prepare_threshold=None) as conn:
            while not stop.wait(0.5):
                seconds, nbytes = conn.execute(sql).fetchone()
                res.lag_s.append(float(seconds))
                res.lag_bytes.append(int(nbytes))
    except psycopg.Error as exc:
        res.errors[f"lag sampling {type(exc).__name__}"] += 1


def drive(base_url: str, setup: dict, plan: list[tuple[float, int]], concurrency: int,
          lag_dsn: str | None = None) -> Result:
    res, stop = Result(), threading.Event()
    agencies = setup["agency_codes"]
    citizens = setup["citizens"]
    sampler = threading.Thread(target=sample_lag, args=(lag_dsn, res, stop), daemon=True) if lag_dsn else None
    local = threading.local()

    def job(due: float, province: int, n: int):
        with res.lock:
            res.queued.append(max(0.0, time.perf_counter() - due))
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=base_url, timeout=60.0)
        lifecycle(local.client, setup, agencies[province % len(agencies)], citizens[n % len(citizens)], res)

    with httpx.Client(base_url=base_url, timeout=30.0) as warm:  # every worker process answers once
        for _ in range(4):
            warm.get("/healthz")
    if sampler:
        sampler.start()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for n, (offset, province) in enumerate(plan):
            due = started + offset
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            pool.submit(job, due, province, n)
    res.wall = time.perf_counter() - started
    stop.set()
    if sampler:
        sampler.join(timeout=5)
    return res


def report(rows: list[tuple[str, Result]], dossiers: int, steps: int, seconds: float) -> dict:
    per_dossier = 5 + steps
    offered = dossiers / seconds
    head = (f"{'':<22}{'chuyển TT/s':>12}{'hồ sơ xong':>11}{'ghi p50 ms':>11}{'ghi p99 ms':>11}"
            f"{'đọc p99 ms':>11}{'chờ p99 s':>10}{'lỗi':>6}{'trễ bản sao max s':>19}{'p99 KiB':>9}")
    print("\n" + head)
    out = {}
    for name, r in rows:
        lag = (f"{fmt(max(r.lag_s), 2):>19}{fmt(percentile(r.lag_bytes, 99) / 1024, 0):>9}" if r.lag_s
               else f"{'—':>19}{'—':>9}")
        achieved = len(r.writes) / r.wall if r.wall else 0.0
        print(f"{name:<22}{fmt(achieved):>12}{r.lifecycles:>11}{fmt(percentile(r.writes, 50) * 1000, 0):>11}"
              f"{fmt(percentile(r.writes, 99) * 1000, 0):>11}{fmt(percentile(r.reads, 99) * 1000, 0):>11}"
              f"{fmt(percentile(r.queued, 99), 2):>10}{sum(r.errors.values()):>6}{lag}")
        for key, count in sorted(r.errors.items()):
            print(f"{'':<22}  {count} × {key}")
        out[name] = {"transitions_per_s": achieved, "lifecycles": r.lifecycles, "wall_s": r.wall,
                     "write_p50_ms": percentile(r.writes, 50) * 1000, "write_p99_ms": percentile(r.writes, 99) * 1000,
                     "read_p99_ms": percentile(r.reads, 99) * 1000, "queue_p99_s": percentile(r.queued, 99),
                     "errors": dict(r.errors), "lag_max_s": max(r.lag_s) if r.lag_s else None,
                     "lag_p99_bytes": percentile(r.lag_bytes, 99) if r.lag_bytes else None}
    print(f"\noffered: {fmt(offered * per_dossier)} transitions/s ({fmt(offered, 2)} dossiers/s × {per_dossier}) "
          f"for {fmt(seconds, 0)} s; a target keeping up achieves about that, a saturated one less and queues")
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--single-url", required=True, help="the application on one PostgreSQL server")
    p.add_argument("--single-setup", required=True, help="bench_setup --agencies 34 output for that database")
    p.add_argument("--cluster-url", required=True, help="the application on the cluster's leader address")
    p.add_argument("--cluster-setup", required=True, help="bench_setup --agencies 34 output for the cluster")
    p.add_argument("--cluster-leader-dsn", required=True, help="the leader (for pg_stat_replication)")
    p.add_argument("--scale", type=float, default=0.2, help="share of the national peak to offer")
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("-c", "--concurrency", type=int, default=16, help="dossiers in flight at most")
    p.add_argument("--seed", type=int, default=2025)
    p.add_argument("--json", help="also write the figures to this file")
    args = p.parse_args(argv)
    setups = {}
    for key in ("single", "cluster"):
        with open(getattr(args, f"{key}_setup"), encoding="utf-8") as fh:
            setups[key] = json.load(fh)
        if len(setups[key].get("agency_codes", [])) < len(POPULATION_WEIGHTS):
            p.error(f"{key}: run bench_setup --agencies {len(POPULATION_WEIGHTS)}")
    steps = int(setups["single"].get("steps", 1))
    peak = national_peak_dossiers_per_s()
    total = NATIONAL_POPULATION
    print(f"{fmt(total / 1e6, 2)} M inhabitants (01/04/2024) × {fmt(per_capita(), 3)} dossiers/inhabitant/year "
          f"= {fmt(total * per_capita() / 1e6, 1)} M dossiers/year, shared by 34 provinces in proportion to "
          f"approximate weights; national peak hour {fmt(peak, 1)} dossiers/s = {fmt(peak * (5 + steps), 0)} "
          "transitions/s")
    offered = peak * args.scale
    plan = arrivals(offered, args.seconds, args.seed)
    print(f"scale {fmt(args.scale, 3)}: {len(plan)} dossiers in {fmt(args.seconds, 0)} s, "
          f"at most {args.concurrency} in flight; the same arrivals for both targets", flush=True)
    rows = []
    for name, url, dsn in (("một máy chủ", args.single_url, None),
                           ("cụm HA (leader+bản sao)", args.cluster_url, args.cluster_leader_dsn)):
        print(f"… {name}: {url}", flush=True)
        rows.append((name, drive(url, setups["single" if dsn is None else "cluster"], plan, args.concurrency, dsn)))
    figures = report(rows, len(plan), steps, args.seconds)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"scale": args.scale, "offered_dossiers_per_s": offered, "national_peak_dossiers_per_s": peak,
                       "targets": figures}, fh, ensure_ascii=False, indent=2)
    return 0 if all(not r.errors for _, r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
