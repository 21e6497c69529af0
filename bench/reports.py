"""Province-year statistics three ways, same data, same run.

    .venv/bin/python bench/reports.py --database-url postgres://postgres@127.0.0.1:5432/motcua_bench \
        --sizes 1e6,1e7

For each size N it
  1. generates N synthetic dossiers (two years, 100 agencies, 600 procedures) in PostgreSQL with one
     INSERT … SELECT over generate_series (table ``bench_raw``, the dossier columns reports need);
  2. loads the read model (StatCounter day / month / year rows) with one SQL aggregation that
     applies the same attribution rules as motcua.reporting.metrics — a stand-in for replaying
     ~6 N outbox events through the consumer, which would take hours here;
  3. times the 2025 province statistics (totals + per agency) computed
       - ours:   motcua.reporting.indicators.compute() over StatCounter (the real code path),
       - naive:  one GROUP BY with FILTER clauses over the raw dossiers (no joins: best case),
       - DuckDB: the same SQL over a Parquet export of the same rows;
     and checks that the three give the same numbers.
The database named in --database-url is migrated and its reporting tables are REPLACED.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

TZ_OFFSET = "7 hours"  # Asia/Ho_Chi_Minh, no DST
YEAR = 2025
CHECK = ["received", "received_online_partial", "received_partial", "received_online_full", "received_full",
         "resolved", "resolved_early", "resolved_on_time", "resolved_late", "results_digitized",
         "received_digitized", "returned", "withdrawn", "carried_over", "in_progress", "in_progress_overdue"]


def generate_sql(n: int) -> str:
    return f"""
DROP TABLE IF EXISTS bench_raw;
SELECT setseed(0.42);
CREATE UNLOGGED TABLE bench_raw AS
WITH base AS (
  SELECT g AS id, 1 + floor(random() * 100)::int AS ag, floor(random() * 60)::int AS k,
         random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5, random() AS r6,
         timestamptz '2024-01-01 00:00:00+07' + random() * interval '731 days' AS received_at
  FROM generate_series(1, {n}) g
), p AS (
  SELECT *, (ag * 7 + k) % 600 AS pn FROM base
), q AS (
  SELECT *,
    CASE WHEN pn % 20 < 8 THEN 'full' WHEN pn % 20 < 17 THEN 'partial' ELSE 'none' END AS lvl,
    received_at + (3 + pn % 10) * interval '1 day' AS due_at,
    received_at + r3 * (4 + (pn % 10) * 1.3) * interval '1 day' AS fin
  FROM p
), c AS (
  SELECT *,
    CASE WHEN lvl = 'full' AND r1 < 0.75 THEN 'online' WHEN lvl = 'partial' AND r1 < 0.33 THEN 'online'
         WHEN r1 > 0.95 THEN 'post' ELSE 'counter' END AS channel,
    CASE WHEN r2 < 0.01 THEN 'withdrawn' WHEN fin >= timestamptz '2025-12-24 00:00:00+07' THEN 'processing'
         WHEN r2 < 0.02 THEN 'rejected' WHEN r4 < 0.97 THEN 'returned' ELSE 'ready_for_return' END AS status
  FROM q
)
SELECT id, 'A' || lpad(ag::text, 3, '0') AS agency_code, 'P' || lpad(pn::text, 4, '0') AS procedure_code,
  'F' || lpad((pn % 40)::text, 2, '0') AS field_code, lvl AS online_level, channel, status,
  received_at, due_at,
  CASE WHEN status IN ('rejected', 'returned', 'ready_for_return') THEN fin END AS decided_at,
  CASE WHEN status = 'returned' THEN fin + r5 * interval '2 days' END AS returned_at,
  CASE WHEN status = 'returned' THEN fin + r5 * interval '2 days'
       WHEN status IN ('rejected', 'withdrawn') THEN fin END AS closed_at,
  (r6 < 0.5) AS digitized_at_receipt,
  (status IN ('rejected', 'returned', 'ready_for_return') AND r4 < 0.4) AS result_digitized,
  (status IN ('rejected', 'returned', 'ready_for_return') AND r4 < 0.3) AS result_electronic,
  CASE WHEN r5 < 0.02 THEN 2 WHEN r5 < 0.1 THEN 1 ELSE 0 END AS supplement_count,
  0 AS apology_count,
  CASE WHEN pn % 3 = 0 THEN 50000 ELSE 0 END AS fee_vnd,
  (pn % 3 = 0 AND channel = 'online' AND r1 < 0.2) AS fee_paid_online
FROM c;
ANALYZE bench_raw;
"""


FINISHED = ("COALESCE(decided_at, CASE WHEN status IN ('withdrawn','stopped','rejected') THEN closed_at END)")
TIMELINESS_LATE = "(supplement_count > 1 OR apology_count > 0 OR decided_at > due_at)"
EARLY = f"(NOT {TIMELINESS_LATE} AND (decided_at + interval '{TZ_OFFSET}')::date < (due_at + interval '{TZ_OFFSET}')::date)"
ON_TIME = f"(NOT {TIMELINESS_LATE} AND NOT {EARLY})"


def load_counters_sql(metrics: list[str]) -> list[str]:
    """Contributions (metrics.py rules) → StatCounter day rows → month and year rows."""
    day = lambda col: f"({col} + interval '{TZ_OFFSET}')::date"  # noqa: E731
    parts = [
        (day("received_at"), "TRUE", {
            "received": "1", "received_digitized": "digitized_at_receipt::int", "fee_dossiers": "(fee_vnd > 0)::int",
            "paid_online": "fee_paid_online::int", "paid_online_vnd": "CASE WHEN fee_paid_online THEN fee_vnd ELSE 0 END",
            "supplement_dossiers": "(supplement_count > 0)::int", "supplement_requests": "supplement_count",
            "multi_supplement": "(supplement_count > 1)::int", "apology_dossiers": "(apology_count > 0)::int",
            "apology_slips": "apology_count"}),
        (day("decided_at"), "decided_at IS NOT NULL", {
            "resolved": "1", "resolved_early": f"{EARLY}::int", "resolved_on_time": f"{ON_TIME}::int",
            "resolved_late": f"{TIMELINESS_LATE}::int", "results_digitized": "result_digitized::int",
            "results_electronic": "result_electronic::int",
            "fully_digitized": "(result_digitized AND digitized_at_receipt)::int",
            "rejected": "(status = 'rejected')::int"}),
        (day("returned_at"), "returned_at IS NOT NULL", {"returned": "1"}),
        (day("closed_at"), "status IN ('withdrawn', 'refused', 'stopped')", {
            "withdrawn": "(status = 'withdrawn')::int", "refused": "(status = 'refused')::int",
            "stopped": "(status = 'stopped')::int"}),
        (day(FINISHED), f"{FINISHED} IS NOT NULL", {"finished": "1"}),
        (day("due_at"), f"due_at IS NOT NULL AND ({FINISHED} IS NULL OR {FINISHED} > due_at)", {"overdue_start": "1"}),
        (day(FINISHED), f"due_at IS NOT NULL AND {FINISHED} > due_at", {"overdue_end": "1"}),
    ]
    dims = "agency_code, procedure_code, field_code, online_level, channel"
    selects = []
    for day_expr, where, cols in parts:
        values = ", ".join(f"{cols.get(m, '0')} AS {m}" for m in metrics)
        selects.append(f"SELECT {day_expr} AS day, {dims}, {values} FROM bench_raw WHERE {where}")
    sums = ", ".join(f"SUM({m})" for m in metrics)
    cols = ", ".join(metrics)
    key = "grain, period_start, agency_code, procedure_code, field_code, online_level, channel"
    return [
        "SET work_mem = '512MB'",
        "TRUNCATE reporting_statcounter",
        # bulk load without index maintenance; the same indexes are rebuilt afterwards
        "ALTER TABLE reporting_statcounter DROP CONSTRAINT IF EXISTS statcounter_key",
        "DROP INDEX IF EXISTS reporting_s_grain_971058_idx",
        f"INSERT INTO reporting_statcounter (grain, period_start, {dims}, {cols}) "
        f"SELECT 'd', day, {dims}, {sums} FROM ({' UNION ALL '.join(selects)}) s GROUP BY day, {dims}",
        f"INSERT INTO reporting_statcounter (grain, period_start, {dims}, {cols}) "
        f"SELECT 'm', date_trunc('month', period_start)::date, {dims}, {sums} FROM reporting_statcounter "
        f"WHERE grain = 'd' GROUP BY 2, {dims}",
        f"INSERT INTO reporting_statcounter (grain, period_start, {dims}, {cols}) "
        f"SELECT 'y', date_trunc('year', period_start)::date, {dims}, {sums} FROM reporting_statcounter "
        f"WHERE grain = 'm' GROUP BY 2, {dims}",
        f"INSERT INTO reporting_statcounter (grain, period_start, {dims}, {cols}) "
        f"SELECT grain, period_start, agency_code, '*', '*', online_level, channel, {sums} "
        f"FROM reporting_statcounter GROUP BY grain, period_start, agency_code, online_level, channel",
        f"ALTER TABLE reporting_statcounter ADD CONSTRAINT statcounter_key UNIQUE ({key})",
        "CREATE INDEX reporting_s_grain_971058_idx ON reporting_statcounter (grain, period_start)",
        "ANALYZE reporting_statcounter",
    ]


def naive_sql(table: str, ts) -> str:
    """The province-year indicators per agency straight from raw dossiers (UTC timestamps)."""
    lo, hi = ts(f"{YEAR - 1}-12-31 17:00:00"), ts(f"{YEAR}-12-31 17:00:00")  # local midnights in UTC
    recv = f"received_at >= {lo} AND received_at < {hi}"
    dec = f"decided_at >= {lo} AND decided_at < {hi}"
    fin = FINISHED
    return f"""
SELECT agency_code,
  count(*) FILTER (WHERE {recv}) AS received,
  count(*) FILTER (WHERE {recv} AND online_level = 'partial' AND channel = 'online') AS received_online_partial,
  count(*) FILTER (WHERE {recv} AND online_level = 'partial') AS received_partial,
  count(*) FILTER (WHERE {recv} AND online_level = 'full' AND channel = 'online') AS received_online_full,
  count(*) FILTER (WHERE {recv} AND online_level = 'full') AS received_full,
  count(*) FILTER (WHERE {recv} AND digitized_at_receipt) AS received_digitized,
  count(*) FILTER (WHERE {dec}) AS resolved,
  count(*) FILTER (WHERE {dec} AND {EARLY}) AS resolved_early,
  count(*) FILTER (WHERE {dec} AND {ON_TIME}) AS resolved_on_time,
  count(*) FILTER (WHERE {dec} AND {TIMELINESS_LATE}) AS resolved_late,
  count(*) FILTER (WHERE {dec} AND result_digitized) AS results_digitized,
  count(*) FILTER (WHERE returned_at >= {lo} AND returned_at < {hi}) AS returned,
  count(*) FILTER (WHERE status = 'withdrawn' AND closed_at >= {lo} AND closed_at < {hi}) AS withdrawn,
  count(*) FILTER (WHERE received_at < {lo} AND ({fin} IS NULL OR {fin} >= {lo})) AS carried_over,
  count(*) FILTER (WHERE received_at < {hi} AND ({fin} IS NULL OR {fin} >= {hi})) AS in_progress,
  count(*) FILTER (WHERE received_at < {hi} AND ({fin} IS NULL OR {fin} >= {hi}) AND due_at < {hi})
    AS in_progress_overdue
FROM {table} GROUP BY agency_code ORDER BY agency_code
"""


def bench_consumer(n_dossiers: int) -> None:
    """Throughput of the live path: outbox events → consumer → facts and counters."""
    import random

    from django.db import transaction

    from motcua.outbox.models import OutboxEvent
    from motcua.reporting import consumer
    from motcua.reporting.models import ConsumerCursor, DossierFact, StatCounter

    rnd = random.Random(7)
    base = dt.datetime(2025, 3, 3, 1, 0, tzinfo=dt.UTC)
    events = []
    start_id = 10_000_000_000
    for i in range(n_dossiers):
        received = base + dt.timedelta(minutes=rnd.randrange(0, 300 * 24 * 60))
        due = received + dt.timedelta(days=rnd.randrange(1, 10))
        decided = received + dt.timedelta(days=rnd.randrange(0, 12))
        common = {"dossier_id": start_id + i, "code": f"B-{i}", "procedure_code": f"P{rnd.randrange(600):04d}",
                  "procedure_online_level": rnd.choice(["full", "partial", "none"]), "field_code": "F01",
                  "agency_code": f"A{rnd.randrange(1, 101):03d}", "channel": rnd.choice(["online", "counter"]),
                  "received_at": received.isoformat(), "due_at": due.isoformat(), "fee_vnd": 0,
                  "fee_paid_online": False, "digitized_at_receipt": rnd.random() < 0.5, "result_digitized": False,
                  "result_electronic": False, "supplement_count": 0, "apology_count": 0,
                  "rule_version": "decree118_2025"}
        steps = [("receive_at_counter", "received", received, None, None),
                 ("start_processing", "processing", received + dt.timedelta(hours=1), None, None),
                 ("approve", "approved", decided, decided, None),
                 ("return_result", "returned", decided + dt.timedelta(hours=4), decided,
                  decided + dt.timedelta(hours=4))]
        for action, status, when, dec, ret in steps:
            events.append(OutboxEvent(topic=f"dossier.{action}", aggregate_type="dossier",
                                      aggregate_id=str(start_id + i), payload={
                                          **common, "action": action, "to_status": status, "at": when.isoformat(),
                                          "decided_at": dec and dec.isoformat(), "returned_at": ret and ret.isoformat(),
                                          "result_digitized": status == "returned"}))
    with transaction.atomic():
        DossierFact.objects.all().delete()
        StatCounter.objects.all().delete()
        ConsumerCursor.objects.all().delete()
        OutboxEvent.objects.bulk_create(events, batch_size=5000)
    t0 = time.perf_counter()
    applied = consumer.consume(batch_size=1000)
    elapsed = time.perf_counter() - t0
    print(f"consumer: {applied:,} events ({n_dossiers:,} dossiers) in {elapsed:.1f} s = "
          f"{applied / elapsed:,.0f} events/s; facts {DossierFact.objects.count():,}, "
          f"counter rows {StatCounter.objects.count():,}", flush=True)


def timed(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return result, times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/motcua_bench"))
    ap.add_argument("--sizes", default="1e5,1e6", help="comma-separated dossier counts, e.g. 1e6,1e7")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--consumer-dossiers", type=int, default=0,
                    help="only measure the event consumer on this many synthetic dossiers (4 events each)")
    ap.add_argument("--workdir", default=None, help="where the Parquet export goes (default: a temp dir)")
    args = ap.parse_args()
    if not args.database_url.startswith("postgres"):
        sys.exit("bench/reports.py needs PostgreSQL (--database-url postgres://…)")

    import psycopg

    base, _, dbname = args.database_url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone():
            admin.execute(f'CREATE DATABASE "{dbname}"')

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    import django

    django.setup()
    import duckdb
    from django.core.management import call_command
    from django.db import connection

    from motcua.reporting import indicators
    from motcua.reporting.metrics import METRICS

    call_command("migrate", verbosity=0)
    if args.consumer_dossiers:
        bench_consumer(args.consumer_dossiers)
        return
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="motcua-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    start, end = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
    rows_out = []
    for n in (int(float(s)) for s in args.sizes.split(",")):
        print(f"\n== {n:,} dossiers ==", flush=True)
        with connection.cursor() as cur:
            t0 = time.perf_counter()
            cur.execute(generate_sql(n))
            print(f"generate raw dossiers: {time.perf_counter() - t0:.1f} s", flush=True)
            t0 = time.perf_counter()
            for stmt in load_counters_sql(list(METRICS)):
                t1 = time.perf_counter()
                cur.execute(stmt)
                if args.verbose:
                    print(f"  {time.perf_counter() - t1:6.1f} s  {stmt[:70]}", flush=True)
            cur.execute("SELECT grain, count(*) FROM reporting_statcounter GROUP BY grain ORDER BY grain")
            grains = dict(cur.fetchall())
            print(f"load read model: {time.perf_counter() - t0:.1f} s; counter rows {grains}", flush=True)
            cur.execute("SET TIME ZONE 'UTC'")
            raw_sql = naive_sql("bench_raw", lambda s: f"TIMESTAMPTZ '{s}+00'")

        def ours():
            per_agency = indicators.compute(start, end, group_by="agency")
            return {k[0]: {m: v[m] for m in CHECK} for k, v in per_agency.items()}

        def naive(raw_sql=raw_sql):
            with connection.cursor() as cur:
                cur.execute(raw_sql)
                names = [c[0] for c in cur.description]
                return {r[0]: dict(zip(names[1:], r[1:], strict=True)) for r in cur.fetchall()}

        parquet = workdir / f"bench_raw_{n}.parquet"
        t0 = time.perf_counter()
        csv_path = workdir / f"bench_raw_{n}.csv"
        with connection.cursor() as cur, open(csv_path, "wb") as fh:
            raw = cur.cursor if hasattr(cur, "cursor") else cur
            with raw.copy("COPY (SELECT id, agency_code, procedure_code, field_code, online_level, channel, status, "
                          "received_at AT TIME ZONE 'UTC' AS received_at, due_at AT TIME ZONE 'UTC' AS due_at, "
                          "decided_at AT TIME ZONE 'UTC' AS decided_at, returned_at AT TIME ZONE 'UTC' AS "
                          "returned_at, closed_at AT TIME ZONE 'UTC' AS closed_at, digitized_at_receipt, "
                          "result_digitized, result_electronic, supplement_count, apology_count, fee_vnd, "
                          "fee_paid_online FROM bench_raw) TO STDOUT (FORMAT csv, HEADER)") as copy:
                for chunk in copy:
                    fh.write(chunk)
        duck = duckdb.connect()
        duck.execute(f"COPY (SELECT * FROM read_csv_auto('{csv_path}')) TO '{parquet}' (FORMAT parquet)")
        csv_path.unlink()
        print(f"export to Parquet: {time.perf_counter() - t0:.1f} s ({parquet.stat().st_size / 1e6:.0f} MB)",
              flush=True)
        duck_sql = naive_sql(f"read_parquet('{parquet}')", lambda s: f"TIMESTAMP '{s}'")

        def duckdb_run(duck=duck, duck_sql=duck_sql):
            cur = duck.execute(duck_sql)
            names = [c[0] for c in cur.description]
            return {r[0]: dict(zip(names[1:], r[1:], strict=True)) for r in cur.fetchall()}

        res_ours, t_ours = timed(ours, args.repeat)
        res_naive, t_naive = timed(naive, max(2, args.repeat // 2))
        res_duck, t_duck = timed(duckdb_run, args.repeat)
        agree = res_ours == res_naive == {k: {m: int(v) for m, v in d.items()} for k, d in res_duck.items()}
        if not agree:
            for ag in sorted(res_naive)[:3]:
                print("  ours ", ag, res_ours.get(ag))
                print("  naive", ag, res_naive.get(ag))
        total = sum(v["received"] for v in res_naive.values())
        print(f"results agree: {agree} (received in {YEAR}: {total:,}; agencies: {len(res_naive)})")
        rows_out.append((n, statistics.median(t_ours), statistics.median(t_naive), statistics.median(t_duck),
                         max(t_ours), agree))
        print(f"median s: ours {rows_out[-1][1]:.4f}, naive {rows_out[-1][2]:.3f}, DuckDB {rows_out[-1][3]:.3f}; "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
        duck.close()
        parquet.unlink()

    print("\nProvince-year statistics (totals + per agency), median seconds")
    print(f"{'dossiers':>12} {'ours':>9} {'ours max':>9} {'naive PG':>9} {'DuckDB':>9} {'naive/ours':>11} "
          f"{'duck/ours':>10} agree")
    for n, o, nv, dk, omax, agree in rows_out:
        print(f"{n:>12,} {o:>9.4f} {omax:>9.4f} {nv:>9.3f} {dk:>9.3f} {nv / o:>10.0f}x {dk / o:>9.1f}x {agree}")


if __name__ == "__main__":
    main()
