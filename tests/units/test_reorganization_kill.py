"""Drill: a real `manage.py reorganize_units --apply` process is killed with SIGKILL in the middle of moving
dossiers (inside the transaction of one dossier); a second run finishes the plan without doing anything twice.

The drill has its own database (a SQLite file, or a new PostgreSQL database next to the test database),
migrated and filled by helper processes, because the processes must share it."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture
def drill_db(tmp_path):
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        yield f"sqlite:///{tmp_path / 'drill.sqlite3'}"
        return
    import psycopg

    name = f"{db['NAME']}_drill"[:63]
    params = {"host": db.get("HOST") or "127.0.0.1", "port": db.get("PORT") or 5432, "user": db.get("USER"),
              "password": db.get("PASSWORD") or None, "dbname": "postgres", "autocommit": True}
    with psycopg.connect(**params) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    yield f"postgres://{db.get('USER')}{password}@{params['host']}:{params['port']}/{name}"
    with psycopg.connect(**params) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(env, *args, timeout=300):
    done = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _check(env, plan):
    return json.loads(_run(env, "tests/units/drill_cli.py", "check", str(plan)).strip().splitlines()[-1])


def test_a_kill_in_the_middle_of_apply_and_a_rerun_complete_without_duplicates(drill_db, tmp_path):
    env = {**os.environ, "DATABASE_URL": drill_db, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("MOTCUA_REORGANIZATION_PAUSE", None)
    _run(env, "manage.py", "migrate", "--noinput", "-v0")
    setup = json.loads(_run(env, "tests/units/drill_cli.py", "setup").strip().splitlines()[-1])
    plan, expected = setup["plan"], setup["preview"]
    assert expected["dossiers.in_flight"]["moved"] == 14

    paused = tmp_path / "paused"
    pause = {"step": "dossiers.in_flight", "after": 5, "file": str(paused), "wait_s": 120}
    proc = subprocess.Popen([sys.executable, "manage.py", "reorganize_units", "--plan", str(plan), "--apply"],
                            cwd=ROOT, env={**env, "MOTCUA_REORGANIZATION_PAUSE": json.dumps(pause)},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 120
    while not paused.exists():
        assert proc.poll() is None, f"apply ended before the pause: {proc.stdout.read()}"
        assert time.monotonic() < deadline, "apply never reached the pause"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)  # inside the transaction of the sixth dossier
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    middle = _check(env, plan)
    assert middle["status"] == "applying"
    assert middle["report"]["dossiers.in_flight"] == {"moved": 5}  # the sixth was rolled back with the kill
    assert middle["transfer_events"] == 5 and middle["open_on_old"] == 9
    assert "units.close" not in middle["report"] and middle["notices"] == 0

    out = _run(env, "manage.py", "reorganize_units", "--plan", str(plan), "--apply")
    assert "Đã thực hiện phương án" in out
    final = _check(env, plan)
    assert final["status"] == "applied"
    assert final["report"] == expected  # what the preview announced, each item once
    assert final["dossiers_moved_twice"] == 0
    assert final["transfer_events"] == final["transfer_outbox"] == 14 and final["notices"] == 1
    assert final["open_on_old"] == 0 and final["roles_on_old"] == 0 and final["units"] == 1
    assert final["audit_ok"]
