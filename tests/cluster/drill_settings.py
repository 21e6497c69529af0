"""Settings for the application processes of the cluster drills: the test suite's settings (demo mode), with the
outbox dispatcher's lease and retry delays shortened so a delivery cut by the failover is retried within seconds."""

from tests.settings import *  # noqa: F403

MOTCUA_DISPATCH = {"lease_s": 3, "base_delay_s": 0.5, "max_delay_s": 2.0}
