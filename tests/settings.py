"""The test suite runs the installation's settings in explicit demo mode (MOTCUA_DEMO=1): demo keys, plain
HTTP for the test client and the browser journeys' live server. Tests of production behaviour switch the
settings back per test (tests/accounts/test_security_settings.py)."""

import os

os.environ.setdefault("MOTCUA_DEMO", "1")

from motcua.settings import *  # noqa: E402,F403
