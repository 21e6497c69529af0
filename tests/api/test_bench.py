"""The benchmark's own plumbing works end to end (no timing asserted: figures live in bench/README.md)."""

import json

import pytest
from django.core.management import call_command

from bench.lifecycle import drive


@pytest.mark.django_db(transaction=True)
def test_bench_setup_and_driver_complete_lifecycles(live_server, capsys):
    call_command("bench_setup", "--citizens", "2", "--steps", "3")
    setup = json.loads(capsys.readouterr().out)
    assert len(setup["citizens"]) == 2 and setup["steps"] == 3
    rec, _ = drive(live_server.url, setup, n=3, concurrency=1)
    assert dict(rec.errors) == {}
    assert rec.lifecycles == 3
    assert rec.transitions == 3 * (5 + 3)
    # Running setup again reuses the data and issues fresh tokens; the old ones stop working.
    call_command("bench_setup", "--citizens", "2", "--steps", "3")
    again = json.loads(capsys.readouterr().out)
    assert again["counter"] != setup["counter"]
    stale, _ = drive(live_server.url, setup, n=1, concurrency=1)
    assert stale.lifecycles == 0 and any("401" in k for k in stale.errors)


@pytest.mark.postgres
def test_pgbench_baseline_runs_on_a_scratch_database_and_drops_it():
    import shutil
    from urllib.parse import quote

    from django.db import connection

    from bench.lifecycle import run_pgbench

    if connection.vendor != "postgresql" or not shutil.which("pgbench"):
        pytest.skip("needs PostgreSQL and pgbench")
    import psycopg

    s = connection.settings_dict
    cred = s["USER"] + (":" + quote(s["PASSWORD"], safe="") if s.get("PASSWORD") else "")
    url = f"postgres://{cred}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/postgres"
    result = run_pgbench(url, clients=2, seconds=1, scale=1, keep=False)
    assert result["tps"] > 0 and result["clients"] == 2
    with psycopg.connect(url, autocommit=True) as conn:
        left = conn.execute("SELECT count(*) FROM pg_database WHERE datname = 'motcua_bench_pgbench'").fetchone()[0]
    assert left == 0


@pytest.mark.django_db(transaction=True)
def test_national_simulation_plumbing_drives_dossiers_of_every_province(live_server, capsys):
    from bench.national import POPULATION_WEIGHTS, arrivals, drive, national_peak_dossiers_per_s

    assert len(POPULATION_WEIGHTS) == 34
    plan = arrivals(rate=50.0, seconds=2.0, seed=1)
    assert 60 <= len(plan) <= 140  # Poisson around 100
    counts = [sum(1 for _, p in plan if p == i) for i in range(34)]
    hcmc = list(POPULATION_WEIGHTS).index("TP. Hồ Chí Minh")
    assert counts[hcmc] == max(counts)  # the most populous province sends the most dossiers
    assert 5 < national_peak_dossiers_per_s() < 50

    call_command("bench_setup", "--citizens", "2", "--steps", "1", "--agencies", "34")
    setup = json.loads(capsys.readouterr().out)
    assert len(setup["agency_codes"]) == 34
    res = drive(live_server.url, setup, [(0.0, hcmc), (0.05, 0)], concurrency=1)
    assert dict(res.errors) == {}
    assert res.lifecycles == 2 and len(res.writes) == 2 * 6 and len(res.reads) == 2


@pytest.mark.django_db(transaction=True)
def test_wrk_driver_completes_lifecycles(live_server, capsys):
    import shutil

    from bench.lifecycle import drive_wrk

    if not shutil.which("wrk"):
        pytest.skip("needs wrk (apt-get install wrk)")
    call_command("bench_setup", "--citizens", "1", "--steps", "2")
    setup = json.loads(capsys.readouterr().out)
    out = drive_wrk(live_server.url, setup, concurrency=1, seconds=4)
    assert out["failed"] == 0 and out["socket_errors"] == 0, out
    assert out["lifecycles"] >= 1 and out["ok"] >= 7 * out["lifecycles"]
    assert 0 < out["p50_us"] <= out["p99_us"] and out["client_cpu_s"] >= 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_recorded_statements_of_lifecycles_replay_without_the_application():
    from django.db import connection

    from bench.lifecycle_sql import record_lifecycles, replay
    from motcua.dossiers.models import Dossier

    if connection.vendor != "postgresql":
        pytest.skip("the replay drives PostgreSQL with psycopg")
    s = connection.settings_dict
    url = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    lifecycles = record_lifecycles(2, steps=2, clients=2)
    assert len(lifecycles) == 2
    assert [action for action, _ in lifecycles[0]] == ["submit", "receive", "start-processing", "complete-step",
                                                      "approve", "sign-result", "return"]
    # The lifecycle store's statements are the prepared ones: the locking read and the write of each transition.
    assert all(sum(st.prepared for st in statements) >= 2 for _, statements in lifecycles[0])
    dossiers = Dossier.objects.count()
    result = replay(url, lifecycles, clients=2, seconds=1, all_prepared=False)
    assert result["transitions"] >= 7 and result["per_s"] > 0
    # Each replayed submission is a new dossier with a fresh code: no unique violation stopped a client.
    assert Dossier.objects.count() >= dossiers + result["transitions"] // 7
