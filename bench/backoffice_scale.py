#!/usr/bin/env python
"""Back-office and portal pages at two data sizes: SQL statements and server time per page, side by side.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench PYTHONPATH=src \\
        .venv/bin/python bench/backoffice_scale.py --sizes 1000,20000 --explain

On the PostgreSQL database in DATABASE_URL (a scratch one: with ``--fresh`` the script drops and creates it, then
migrates it) it builds one province: 40 commune agencies, a two-step procedure, a counter officer, a department
head and a specialist of the first agency, a provincial administrator (sees every dossier), a citizen. It then
grows the dossier table to each size in turn (bulk-created rows spread over the agencies and every status,
Vietnamese applicant names, two events per received dossier, one feedback item per 20 dossiers) and, at each
size, fetches with Django's test client, in this process, the pages these people open most: the counter's queue,
the work list, the dossier search (all, by status, by code, by applicant name with and without diacritics), a
dossier page, the feedback list, the dashboard, the administrator's province-wide list, the citizen's own
dossiers, a dossier page and the public tracking. Per page: the SQL statements (CaptureQueriesContext) and the
median server time of ``--repeat`` fetches, one column per size; a page whose statement count changes with the size
is marked. ``--explain`` runs EXPLAIN (ANALYZE, BUFFERS) at the largest size on the slowest statement of each of the
``--explain-top`` slowest pages and prints the plan's top lines (a "Seq Scan" on a large table shows there).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))  # tests.factories: the project's factories
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
os.environ.setdefault("MOTCUA_DEMO", "1")
os.environ.setdefault("MOTCUA_CONN_MAX_AGE", "86400")

AGENCIES = 40  # a province: a commune receives a few per cent of its dossiers
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Hữu", "Đức", "Thanh", "Quốc"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hương", "Khánh", "Lan", "Linh", "Mai", "Nam",
         "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Việt", "Yến"]
WEIGHTS = {  # share of each status in a year's dossiers (most are closed)
    "submitted": 4, "supplement_requested": 2, "received": 4, "processing": 12, "paused": 1, "approved": 2,
    "ready_for_return": 4, "returned": 60, "refused": 3, "rejected": 2, "withdrawn": 2, "stopped": 1, "draft": 3,
}


def _fresh(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def build_people():
    from django.utils import timezone

    from motcua.accounts.models import Role
    from tests.factories import AgencyFactory, citizen, enrol_2fa, officer, procedure_with_steps

    agencies = [AgencyFactory(name=f"UBND xã Bình Sơn {i}") for i in range(AGENCIES)]
    proc = procedure_with_steps(name="Đăng ký khai sinh", steps=(("Thụ lý, thẩm định", "specialist", "2"),
                                                                 ("Phê duyệt", "department_head", "1")))
    proc.agencies.add(*agencies)
    home = agencies[0]
    people = {
        "counter": officer(Role.COUNTER_OFFICER, home, username="bench_counter"),
        "head": officer(Role.DEPARTMENT_HEAD, home, username="bench_head"),
        "specialist": officer(Role.SPECIALIST, home, username="bench_specialist"),
        "monitor": officer(Role.PROVINCIAL_ADMIN, None, username="bench_monitor"),  # sees every dossier
        "citizen": citizen(username="bench_citizen", full_name="Trần Thị Mai", id_number="051190001234",
                           phone="0912345678"),
    }
    for who in ("counter", "head", "specialist", "monitor"):
        enrol_2fa(people[who])
    steps = list(proc.steps.order_by("order"))
    return {"agencies": agencies, "proc": proc, "steps": steps, "people": people, "now": timezone.now()}


def grow(world, start: int, stop: int, rng: random.Random) -> None:
    """Add dossiers number start..stop-1 (with their events and feedback) in bulk."""
    import datetime as dt

    from motcua.dossiers.models import Channel, Dossier, DossierEvent
    from motcua.engagement.models import Feedback, FeedbackStatus

    statuses = list(WEIGHTS)
    weights = list(WEIGHTS.values())
    now, agencies, steps, people = world["now"], world["agencies"], world["steps"], world["people"]
    rows = []
    for i in range(start, stop):
        status = rng.choices(statuses, weights)[0]
        status = {0: "processing", 97: "returned"}.get(i, status)  # the pages' sample dossiers, at every size
        agency = agencies[i % AGENCIES]
        mine = i % 97 == 0  # the citizen's own dossiers: about 1 %
        received = now - dt.timedelta(days=rng.uniform(0, 365), minutes=i % 600)
        name = "Trần Thị Mai" if mine else f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        in_hand = status in ("processing", "paused", "approved")
        rows.append(Dossier(
            code=None if status == "draft" else f"{agency.code}-{received:%y%m%d}-{i:06d}",
            procedure=world["proc"], agency=agency, current_agency=agency if status != "draft" else None,
            current_step=(steps[i % 2] if status == "processing" else None),
            assignee=(people["specialist"] if in_hand and i % 5 == 0 and agency == agencies[0] else None),
            status=status, channel=Channel.ONLINE if i % 3 else Channel.COUNTER, rule_version="61/2018",
            applicant=people["citizen"] if mine else None, submitted_by=people["citizen"] if mine else None,
            applicant_name=name, applicant_id_number="051190001234" if mine else f"0{rng.randrange(10**10, 10**11)}",
            applicant_phone="0912345678" if mine else f"09{rng.randrange(10**7, 10**8)}",
            submitted_at=None if status == "draft" else received - dt.timedelta(hours=2),
            received_at=None if status in ("draft", "submitted", "refused") else received,
            due_at=None if status in ("draft", "submitted", "refused") else received + dt.timedelta(days=5),
        ))
    made = Dossier.objects.bulk_create(rows, batch_size=2000)
    events = []
    for d in made:
        if d.received_at is None:
            continue
        events.append(DossierEvent(dossier=d, action="submit", from_status="draft", to_status="submitted",
                                   at=d.submitted_at, agency=d.agency))
        events.append(DossierEvent(dossier=d, action="receive", from_status="submitted", to_status="received",
                                   at=d.received_at, actor=people["counter"], agency=d.agency))
    DossierEvent.objects.bulk_create(events, batch_size=4000)
    feedback = []
    for n, d in enumerate(rng.sample(made, len(made) // 20)):  # spread over the agencies
        status = rng.choice(list(FeedbackStatus.values))
        feedback.append(Feedback(
            code=f"PA-{start + n * 20:07d}", classification="conduct", procedure=world["proc"], agency=d.agency,
            received_agency=d.agency, dossier=d, title="Chậm trả kết quả", content="Hồ sơ của tôi quá hạn.",
            submitter_name=d.applicant_name, status=status, received_at=d.submitted_at or now,
            reject_due_at=now + dt.timedelta(days=5), handle_due_at=now + dt.timedelta(days=rng.randint(-20, 30))))
    Feedback.objects.bulk_create(feedback, batch_size=2000)


def pages(world):
    """(who, label, method, url, data) of the pages measured."""
    from django.urls import reverse

    from motcua.dossiers.models import Dossier, Status

    home = world["agencies"][0]
    sample = (Dossier.objects.filter(agency=home, status=Status.PROCESSING).order_by("pk").first())
    own = Dossier.objects.filter(applicant=world["people"]["citizen"], status=Status.RETURNED).order_by("pk").first()
    lst = reverse("backoffice:dossiers")
    out = [
        ("counter", "queue (4 lists)", "get", reverse("backoffice:queue"), None),
        ("counter", "dossier list, all", "get", lst, None),
        ("counter", "dossier list, page 5", "get", lst + "?trang=5", None),
        ("counter", "dossier list, status=received", "get", lst + "?status=received", None),
        ("counter", "dossier list, status=returned", "get", lst + "?status=returned", None),
        ("counter", "search: code", "get", lst + f"?q={sample.code}", None),
        ("counter", "search: name 'Trần Thị Mai'", "get", lst + "?q=Tr%E1%BA%A7n+Th%E1%BB%8B+Mai", None),
        ("counter", "search: name 'tran thi mai'", "get", lst + "?q=tran+thi+mai", None),
        ("counter", "search: ID number", "get", lst + "?q=051190001234", None),
        ("counter", "dossier page", "get", reverse("backoffice:dossier", args=[sample.pk]), None),
        ("head", "work list (inbox)", "get", reverse("backoffice:inbox"), None),
        ("specialist", "work list (inbox)", "get", reverse("backoffice:inbox"), None),
        ("head", "dossier list, all", "get", lst, None),
        ("head", "dossier page", "get", reverse("backoffice:dossier", args=[sample.pk]), None),
        ("head", "feedback list (open)", "get", reverse("backoffice:feedback_list"), None),
        ("head", "feedback list, status=answered", "get", reverse("backoffice:feedback_list") + "?status=answered",
         None),
        ("head", "dashboard", "get", reverse("backoffice:dashboard"), None),
        ("monitor", "dossier list, all", "get", lst, None),
        ("monitor", "dossier list, page 5", "get", lst + "?trang=5", None),
        ("monitor", "dossier list, status=returned", "get", lst + "?status=returned", None),
        ("citizen", "my dossiers", "get", reverse("portal:my_dossiers"), None),
        ("citizen", "my dossier page", "get", reverse("portal:dossier", args=[own.pk]), None),
        ("citizen", "tracking (code + 4 digits)", "post", reverse("portal:track"),
         {"code": own.code, "secret": "1234"}),
    ]
    return out


def clients(world):
    from django.test import Client

    from motcua.accounts import twofactor

    out = {}
    for who, user in world["people"].items():
        c = Client()
        c.force_login(user)
        s = c.session
        s[twofactor.SESSION_KEY] = user.pk
        s.save()
        out[who] = c
    return out


def measure(cs, plist, repeat: int):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    res = {}
    for who, label, method, url, data in plist:
        c = cs[who]
        times, statements, slowest = [], None, None
        for _ in range(repeat + 1):
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                resp = getattr(c, method)(url, data) if data else getattr(c, method)(url)
                elapsed = time.perf_counter() - t
            if resp.status_code != 200:
                raise SystemExit(f"{who} {label}: HTTP {resp.status_code} for {url}")
            statements = len(ctx.captured_queries)
            selects = [q for q in ctx.captured_queries if " FOR SELECT " in q["sql"] or q["sql"].startswith("SELECT")]
            slow = max(selects, key=lambda q: float(q["time"]))
            if slowest is None or float(slow["time"]) > float(slowest["time"]):
                slowest = slow
            times.append(elapsed)
        res[(who, label)] = {"statements": statements, "ms": statistics.median(times[1:]) * 1000,
                             "slowest": slowest["sql"], "slowest_ms": float(slowest["time"]) * 1000}
    return res


def explain(sql: str) -> list[str]:
    from django.db import connection

    if " FOR SELECT " in sql and sql.startswith("DECLARE"):  # a server-side cursor (.iterator()): its query
        sql = sql[sql.index(" FOR SELECT ") + len(" FOR "):]
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return [r[0] for r in cur.fetchall()]


def prepare(fresh: bool) -> None:
    """Django set up on the scratch database of DATABASE_URL (dropped and created first with `fresh`), migrated and
    empty, the test client's environment on (also bench/name_search.py's)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("DATABASE_URL must name a scratch PostgreSQL database")
    if fresh:
        _fresh(url)

    import django
    from django.conf import settings

    django.setup()
    # no collectstatic here: the pages name their static files without the manifest's hashes (as tests/settings.py)
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    from motcua.dossiers.models import Dossier

    call_command("migrate", verbosity=0)
    if Dossier.objects.exists():
        raise SystemExit("the database already holds dossiers: run with --fresh (or another scratch database)")
    setup_test_environment()  # the test client's response.context, ALLOWED_HOSTS 'testserver'


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1000,20000", help="dossier counts, ascending, comma-separated (≤ 30000 here)")
    p.add_argument("--repeat", type=int, default=3, help="timed fetches per page (after one warm-up)")
    p.add_argument("--fresh", action="store_true", help="drop, create and migrate the database first")
    p.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest statements at the largest size")
    p.add_argument("--explain-top", type=int, default=6, help="how many pages (slowest statement first)")
    args = p.parse_args()
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    prepare(args.fresh)
    from django.db import connection

    load = os.getloadavg()
    print(f"# load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores; "
          f"PostgreSQL {connection.pg_version // 10000}")
    rng = random.Random(42)
    world = build_people()
    cs = clients(world)
    results, have = {}, 0
    for n in sizes:
        t = time.perf_counter()
        grow(world, have, n, rng)
        have = n
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        print(f"# {n} dossiers built in {time.perf_counter() - t:.1f} s")
        results[n] = measure(cs, pages(world), args.repeat)
    keys = list(results[sizes[0]])
    head = f"{'who':<10} {'page':<34}" + "".join(f" {'SQL@' + str(n):>9}" for n in sizes) + \
        "".join(f" {'ms@' + str(n):>9}" for n in sizes)
    print(head)
    for k in keys:
        counts = [results[n][k]["statements"] for n in sizes]
        mark = "  <- grows" if len(set(counts)) > 1 else ""
        print(f"{k[0]:<10} {k[1]:<34}" + "".join(f" {c:>9}" for c in counts)
              + "".join(f" {results[n][k]['ms']:>9.1f}" for n in sizes) + mark)
    load = os.getloadavg()
    print(f"# load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if args.explain:
        top = sorted(keys, key=lambda k: -results[sizes[-1]][k]["slowest_ms"])[: args.explain_top]
        for k in top:
            r = results[sizes[-1]][k]
            print(f"\n## {k[0]} / {k[1]}: slowest statement {r['slowest_ms']:.0f} ms at {sizes[-1]}")
            print("   " + r["slowest"][r["slowest"].find(" FROM "):][:300])
            for line in explain(r["slowest"]):  # the plan's scans (how each table is read) and its time
                if "Scan" in line or "Filter:" in line or "Cond:" in line or "Execution Time" in line:
                    print("   " + line.strip()[:160])
    return 0


if __name__ == "__main__":
    sys.exit(main())
