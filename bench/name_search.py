#!/usr/bin/env python
"""Province-wide dossier search with and without a trigram index, and what the index costs the writes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench PYTHONPATH=src \\
        .venv/bin/python bench/name_search.py --size 100000 --fresh

Builds the province of bench/backoffice_scale.py (40 communes, the same dossiers) at ``--size`` dossiers, adds a
provincial administrator (who sees every dossier, as the auditor does) and then, in ``--rounds`` rounds of the
``--variants`` in turn (so that the machine's load weighs on each alike; a variant is «none» or index names of
INDEXES joined by «+», created for it, the others dropped):

- the back office's search pages of the provincial administrator (a name with and without diacritics, a code, the
  unfiltered list) and of the commune's counter officer (the dossier list, page 5, a name): median server time of
  ``--repeat`` fetches, and the execution time of the page's dossier statements (EXPLAIN ANALYZE: the count, then
  the rows), with the plan's lines on the dossier table in the first round;
- the write cost: ``--writes`` inserts and as many status changes (``writes``), execution time, WAL bytes and
  full-page images per statement, and what merging a GIN index's pending list adds.

«trigram» is migration dossiers 0016's index (PostgreSQL only): GIN over the folded name and ``UPPER(code)`` with
``gin_trgm_ops`` on the search entries (dossiers.models.DossierSearchEntry, which a status change does not write);
«trigram-on-dossier» is the same index where migration 0014 had put it, on the dossier table; «created_at» is
migration 0017's index of the list's order. Each is dropped before the first round. Figures: bench/backoffice_scale.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import backoffice_scale as world_of  # noqa: E402  (its sys.path and settings: the same province)

# The indexes compared; a variant is "none" (the table's other indexes only) or names some of them, joined by "+".
INDEXES = {
    "trigram": ("dossier_search_entry_trgm", "CREATE INDEX dossier_search_entry_trgm ON dossiers_dossiersearchentry "
                                             "USING gin (name_folded gin_trgm_ops, UPPER(code) gin_trgm_ops)"),
    "trigram-on-dossier": ("dossier_search_trgm", "CREATE INDEX dossier_search_trgm ON dossiers_dossier USING gin "
                                                  "(applicant_name_folded gin_trgm_ops, UPPER(code) gin_trgm_ops)"),
    "trigram-name": ("dossier_name_trgm", "CREATE INDEX dossier_name_trgm ON dossiers_dossiersearchentry USING gin "
                                          "(name_folded gin_trgm_ops)"),
    "gist": ("dossier_search_gist", "CREATE INDEX dossier_search_gist ON dossiers_dossiersearchentry USING gist "
                                    "(name_folded gist_trgm_ops, UPPER(code) gist_trgm_ops)"),
    "created_at": ("dossier_created_idx", "CREATE INDEX dossier_created_idx ON dossiers_dossier (created_at, id)"),
}
VARIANTS = ["none", "trigram", "trigram-on-dossier", "trigram-name", "gist", "created_at"]


def searches(world):
    from django.urls import reverse

    from motcua.dossiers.models import Dossier

    lst = reverse("backoffice:dossiers")
    code = Dossier.objects.filter(agency=world["agencies"][7]).exclude(code=None).order_by("pk").first().code
    return [
        ("province", "search: name 'Trần Thị Mai'", lst + "?q=Tr%E1%BA%A7n+Th%E1%BB%8B+Mai"),
        ("province", "search: name 'tran thi mai'", lst + "?q=tran+thi+mai"),
        ("province", "search: name 'Đức Hải'", lst + "?q=%C4%90%E1%BB%A9c+H%E1%BA%A3i"),
        ("province", "search: code", lst + f"?q={code}"),
        ("province", "dossier list, all", lst),
        ("counter", "dossier list, all", lst),
        ("counter", "dossier list, page 5", lst + "?trang=5"),
        ("counter", "search: name 'Trần Thị Mai'", lst + "?q=Tr%E1%BA%A7n+Th%E1%BB%8B+Mai"),
    ]


def pages(cs, plist, repeat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    out = {}
    for who, label, url in plist:
        times = []
        for _ in range(repeat + 1):
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                resp = cs[who].get(url)
                times.append(time.perf_counter() - t)
            if resp.status_code != 200:
                raise SystemExit(f"{who} {label}: HTTP {resp.status_code}")
        sqls = [q["sql"] for q in ctx.captured_queries if "dossiers_dossier" in q["sql"]]
        plans = [world_of.explain(s) for s in sqls]
        execs = [float(p[-1].split(":")[1].split()[0]) for p in plans]
        worst = max(range(len(plans)), key=lambda i: execs[i])
        out[(who, label)] = {"ms": statistics.median(times[1:]) * 1000, "exec": execs, "plan": plans[worst],
                             "sql": sqls[worst]}
    return out


def _explained(cur, sql, params) -> tuple[float, int, int]:
    """The statement run under EXPLAIN (ANALYZE, WAL): its execution ms, WAL bytes and full-page images (this
    backend's own, whatever the other databases of the server write meanwhile)."""
    cur.execute("EXPLAIN (ANALYZE, WAL, FORMAT JSON) " + sql, params)
    plan = cur.fetchone()[0]
    plan = plan if isinstance(plan, list) else json.loads(plan)
    top = plan[0]["Plan"]
    return plan[0]["Execution Time"], top.get("WAL Bytes", 0), top.get("WAL FPI", 0)


def writes(n, rng, indexes):
    """Per statement (autocommit): an insert (a copy of a random dossier under a new code, as an intake writes its
    row) and a status change of an existing dossier (a non-HOT update: every index of the table is written), then
    the merge of a GIN index's pending list (what the next VACUUM or a full list does) spread over them."""
    from django.db import connection

    from motcua.dossiers.models import Dossier

    cols = [f.column for f in Dossier._meta.concrete_fields if f.column not in ("id", "code", "idempotency_key")]
    insert = (f"INSERT INTO dossiers_dossier (code, {', '.join(cols)}) SELECT code || '-' || %s, {', '.join(cols)} "
              "FROM dossiers_dossier WHERE id = (SELECT min(id) FROM dossiers_dossier WHERE id >= %s AND code IS NOT NULL)")
    update = "UPDATE dossiers_dossier SET status = 'returned', version = version + 1 WHERE id = %s"
    with connection.cursor() as cur:
        cur.execute("SELECT max(id) FROM dossiers_dossier")
        top = cur.fetchone()[0]
        cur.execute("CHECKPOINT")  # each variant's writes start alike: first touch of a page after a checkpoint
        ins = [_explained(cur, insert, [rng.randrange(10**9), rng.randrange(1, top)]) for _ in range(n)]
        upd = [_explained(cur, update, [rng.randrange(1, top)]) for _ in range(n)]
        merge = (0.0, 0, 0)
        for name, sql in indexes:
            if " gin " in sql:
                merge = _explained(cur, "SELECT gin_clean_pending_list(%s::regclass)", [name])
    out = []
    for rows in (ins, upd):
        ms = [r[0] for r in rows]
        out.append((statistics.median(ms), statistics.fmean(ms), statistics.fmean(r[1] for r in rows),
                    statistics.fmean(r[2] for r in rows)))
    return out[0], out[1], merge[1] / (2 * n)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=100000)
    p.add_argument("--rounds", type=int, default=2, help="rounds without and with the index, alternating")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--writes", type=int, default=500)
    p.add_argument("--fresh", action="store_true", help="drop, create and migrate the database first")
    p.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated: none, or index names joined by +")
    args = p.parse_args()
    world_of.prepare(args.fresh)
    from django.db import connection

    from motcua.accounts.models import Role
    from tests.factories import enrol_2fa, officer

    with connection.cursor() as cur:
        cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, _ in INDEXES.values():  # a migration's own: measured as a variant
            cur.execute(f"DROP INDEX IF EXISTS {name}")
    rng = random.Random(42)
    world = world_of.build_people()
    world["people"]["province"] = officer(Role.PROVINCIAL_ADMIN, None, username="bench_province")
    enrol_2fa(world["people"]["province"])
    t = time.perf_counter()
    step = 20000
    for start in range(0, args.size, step):
        world_of.grow(world, start, min(start + step, args.size), rng)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE dossiers_dossier")
        cur.execute("VACUUM ANALYZE dossiers_dossiersearchentry")
    print(f"# {args.size} dossiers built in {time.perf_counter() - t:.0f} s; load {os.getloadavg()[0]:.2f}")
    cs = world_of.clients(world)
    plist = searches(world)
    for r in range(args.rounds):
        for variant in args.variants.split(","):
            indexes = [INDEXES[v] for v in variant.split("+") if v != "none"]
            with connection.cursor() as cur:
                for name, _ in INDEXES.values():
                    cur.execute(f"DROP INDEX IF EXISTS {name}")
                built = ""
                for name, sql in indexes:
                    took = time.perf_counter()
                    cur.execute(sql)
                    cur.execute("SELECT pg_size_pretty(pg_relation_size(%s))", [name])
                    built += f" ({name} built in {time.perf_counter() - took:.1f} s, {cur.fetchone()[0]})"
                cur.execute("VACUUM ANALYZE dossiers_dossier")
                cur.execute("VACUUM ANALYZE dossiers_dossiersearchentry")
            print(f"\n## round {r + 1}, index: {variant}{built}"
                  + f"; load {os.getloadavg()[0]:.2f}")
            res = pages(cs, plist, args.repeat)
            for (who, label), v in res.items():
                print(f"{who:<9} {label:<30} {v['ms']:>8.1f} ms  exec " + " + ".join(f"{e:.1f}" for e in v["exec"]))
                if r == 0:
                    for line in v["plan"]:
                        if ("on dossiers_dossier" in line or "Sort" in line
                                or "Rows Removed" in line or line.lstrip().startswith(("Limit", "Aggregate"))):
                            print("      " + line.strip()[:150])
            ins, upd, merged = writes(args.writes, rng, indexes)
            print(f"writes, execution ms median/mean, WAL bytes, full-page images per statement: insert "
                  f"{ins[0]:.3f}/{ins[1]:.3f} ms {ins[2]:.0f} B {ins[3]:.2f} FPI; status update {upd[0]:.3f}/"
                  f"{upd[1]:.3f} ms {upd[2]:.0f} B {upd[3]:.2f} FPI; pending list merged: {merged:.0f} B a statement")
    return 0


if __name__ == "__main__":
    sys.exit(main())
