import pytest


def pytest_configure(config):
    # Each test run gets its own in-memory cache: the file cache of an installation outlives a run,
    # and counters kept there (the tracking page's attempt limit) must not leak between runs.
    from django.conf import settings

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "motcua-tests"}}
    _let_the_test_flush_empty_the_audit_trail()


def _let_the_test_flush_empty_the_audit_trail():
    """Between transactional tests Django empties every table with one TRUNCATE, which the audit trail refuses
    on PostgreSQL (audit migration 0004). The test database's owner switches that trigger off for the flush
    only, as an operator would have to: production code never does. The table is partitioned by time
    (motcua.db.partitions) and each partition carries the same trigger, so it goes off on every one."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        sql = original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        if sql and "audit_auditentry" in tables:
            sql = [no_truncate_triggers("DISABLE"), *sql, no_truncate_triggers("ENABLE")]
        return sql

    DatabaseOperations.sql_flush = sql_flush


def no_truncate_triggers(switch: str) -> str:
    return ("DO $$ DECLARE t regclass; BEGIN FOR t IN SELECT tgrelid::regclass FROM pg_trigger "
            "WHERE tgname = 'audit_no_truncate' LOOP "
            f"EXECUTE 'ALTER TABLE ' || t || ' {switch} TRIGGER audit_no_truncate'; END LOOP; END $$;")


@pytest.fixture(autouse=True)
def _private_keys_and_anchors(settings, tmp_path):
    # Key files and audit anchors of one test never meet another test's (nor the installation's var/).
    settings.MOTCUA_KEYS_DIR = tmp_path / "keys"
    settings.MOTCUA_AUDIT_ANCHOR_DIR = tmp_path / "audit-anchors"


@pytest.fixture(autouse=True)
def _empty_cache():
    # Counters kept in the cache (tracking look-ups, unknown bearer tokens per address) start at zero.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Tests create accounts by the dozen; the production hasher (PBKDF2) would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    from motcua.core import calendar

    calendar.invalidate_cache()
    yield
    calendar.invalidate_cache()


@pytest.fixture(autouse=True)
def _counter_open_on_the_day_the_tests_run(request, monkeypatch):
    """Counter receptions in tests happen on the real day; a run on a weekend or holiday must not meet the
    day-off rule — the back office's confirmation, the API's 422 off_day_reason_required, both asked through
    dossiers.lifecycle.reception_day_off (tests/web/test_off_day_reception.py, tests/api/test_off_day_reception.py)
    — unless the test asks for it (`real_days_off`). Servers started in another process (gunicorn, wrk's target) do
    not see this: their receptions send a reason, which a working day ignores."""
    if "real_days_off" not in request.fixturenames:
        monkeypatch.setattr("motcua.core.calendar.counter_day_off", lambda moment, **kwargs: "")


@pytest.fixture
def real_days_off():
    return True


@pytest.fixture
def clock(monkeypatch, real_days_off):
    """``clock(moment)``: "now" (django.utils.timezone.now) is that aware moment for the rest of the test, with the
    calendar's real days off; a test that receives a dossier fixes its day so that it passes on any day it runs."""

    def set_to(moment):
        monkeypatch.setattr("django.utils.timezone.now", lambda: moment)

    return set_to
