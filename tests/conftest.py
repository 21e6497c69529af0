import pytest


def pytest_configure(config):
    # Each test run gets its own in-memory cache: the file cache of an installation outlives a run,
    # and counters kept there (the tracking page's attempt limit) must not leak between runs.
    from django.conf import settings

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "motcua-tests"}}


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
