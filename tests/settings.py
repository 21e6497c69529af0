"""The test suite runs the installation's settings in explicit demo mode (MOTCUA_DEMO=1): demo keys, plain
HTTP for the test client and the browser journeys' live server. Tests of production behaviour switch the
settings back per test (tests/accounts/test_security_settings.py)."""

import os

os.environ.setdefault("MOTCUA_DEMO", "1")

from motcua.settings import *  # noqa: E402,F403

# The tests render pages without running collectstatic first: static names as they are (the hashed names of the
# production storage are tested in tests/web/test_static_cache.py).
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"}}  # noqa: F405
