"""The benchmark's own plumbing works end to end (no timing asserted: figures live in bench/README.md)."""

import json

import pytest
from django.core.management import call_command

from bench.lifecycle import drive


@pytest.mark.django_db(transaction=True)
def test_bench_setup_and_driver_complete_lifecycles(live_server, capsys, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
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
