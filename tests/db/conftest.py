"""A `replica` database alias for router tests: a second connection to the test database (a replica with
no lag), which a test can make unreachable. Tests using it are marked
``django_db(transaction=True, databases=["default", "replica"])``, so what one connection commits the
other sees; the alias is a test mirror of the default database (created and flushed once)."""

from __future__ import annotations

import copy

import pytest
from django.db import connections

from motcua.db import health
from motcua.db.health import REPLICA

ROUTER = "motcua.db.router.ReplicaRouter"
MIDDLEWARE = "motcua.db.middleware.ReplicaReadsMiddleware"


def drop_connection(alias: str = REPLICA) -> None:
    """Close the alias's connection; Django keeps an in-memory SQLite one open, so let go of it here."""
    conn = connections[alias]
    conn.close()
    conn.connection = None


def _unreachable(params: dict) -> dict:
    if params["ENGINE"].endswith("sqlite3"):
        return {**params, "NAME": "/nonexistent-motcua-dir/replica.sqlite3"}
    return {**params, "HOST": "127.0.0.1", "PORT": "1", "OPTIONS": {"connect_timeout": 1}}


@pytest.fixture(scope="module")
def replica_alias(django_db_setup, django_db_blocker):
    """The alias exists for one module only: elsewhere no replica is configured."""
    params = copy.deepcopy(connections["default"].settings_dict)
    params["TEST"] = {**params.get("TEST", {}), "MIRROR": "default"}
    connections.settings[REPLICA] = params
    yield copy.deepcopy(params)  # the healthy settings; the connection's own dict is switched in place
    with django_db_blocker.unblock():
        drop_connection()
    del connections[REPLICA]
    connections.settings.pop(REPLICA, None)
    health.forget()


@pytest.fixture
def replica(replica_alias, settings):
    """Route through the replica; returns a switch between a reachable and an unreachable replica."""
    settings.DATABASE_ROUTERS = [ROUTER]
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, MIDDLEWARE]
    settings.MOTCUA_REPLICA_CHECK_S = 0  # probe on every use: the tests switch the replica on and off
    health.forget()

    def set_reachable(reachable: bool):
        conn = connections[REPLICA]
        drop_connection()
        conn.settings_dict.update(copy.deepcopy(replica_alias) if reachable else _unreachable(replica_alias))
        health.forget()

    yield set_reachable
    set_reachable(True)
