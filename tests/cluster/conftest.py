"""A Patroni cluster (2 nodes, etcd, haproxy, pgbouncer) and the application on it, for the drills.

Starts once per session, on ports from MOTCUA_DRILL_BASE_PORT (default 26430) so it never meets a
cluster started by hand (25430); skipped — saying which Debian packages are missing — when the
cluster's programs are not installed (scripts/system-packages.sh installs them).
"""

from __future__ import annotations

import json
import os
import shutil

import pytest

from motcua.demo.simulators import PortalSimulator
from scripts.ha import cluster as ha
from scripts.ha.app import AppProcesses

DB = "motcua_drill"
SECRET = "drill-secret"


@pytest.fixture(scope="session")
def ha_cluster():
    missing = ha.missing_binaries()
    if missing:
        pytest.skip(f"the HA cluster needs the Debian packages {ha.PACKAGES} (missing: {', '.join(missing)}); "
                    "run scripts/system-packages.sh as root")
    layout = ha.Layout(int(os.environ.get("MOTCUA_DRILL_BASE_PORT", "26430")), nodes=2, db=DB)
    ha.stop(layout)  # leftovers of an interrupted run
    layout = ha.Layout(layout.base, nodes=2, db=DB)
    try:
        ha.start(layout, timeout=120)
        yield layout
    finally:
        ha.stop(layout)


@pytest.fixture
def whole_cluster(ha_cluster):
    """The cluster with every node up, whatever an earlier drill left: one that failed before its own recovery
    leaves a node dead, and the next drill would fail for that instead of for itself."""
    revived = ha.revive_dead(ha_cluster)
    if revived:
        print(f"\nnodes revived before this drill: {revived}")
    return ha_cluster


@pytest.fixture(scope="session")
def portal_sim():
    sim = PortalSimulator(secret=SECRET).start()
    yield sim
    sim.stop()


@pytest.fixture(scope="session")
def drill_app(ha_cluster, portal_sim, tmp_path_factory):
    """The application's environment on the cluster, migrated, with the bench accounts and tokens."""
    data_dir = tmp_path_factory.mktemp("drill-data")
    env = {**ha_cluster.urls(), "DJANGO_SETTINGS_MODULE": "tests.cluster.drill_settings",
           "MOTCUA_CONN_MAX_AGE": "600", "MOTCUA_REPLICA_CHECK_S": "0.5",
           "MOTCUA_INTEGRATIONS": json.dumps({"dvcqg": {"url": portal_sim.url, "secret": SECRET}})}
    with AppProcesses(env, data_dir) as app:
        app.manage("migrate", "--noinput", "-v0")
        app.setup = json.loads(app.manage("bench_setup", "--citizens", "6", "--steps", "1").stdout)
        yield app
    shutil.rmtree(data_dir, ignore_errors=True)
