"""Database router: reads that tolerate a few seconds of delay go to a streaming replica.

Active only when ``MOTCUA_REPLICA_URL`` is set (settings add the ``replica`` alias and this router).
Nothing goes to the replica unless the code asks for it:

- web requests: ``middleware.ReplicaReadsMiddleware`` turns replica reads on for the pages named in
  ``MOTCUA_REPLICA_VIEWS`` (statistics, public transparency pages, the reporting API, a citizen's own
  dossier pages) — except right after the same browser wrote something (read your own writes);
- background work: ``with replica_reads():`` (report builds), or ``read_alias()`` for an explicit
  ``.using()`` (the reporting consumer reads the outbox there).

Even then a read stays on the leader when the replica is down or lags more than
``MOTCUA_REPLICA_MAX_LAG_S`` (``health.usable()``), when the model belongs to accounts, sessions or the
task queue (a fresh login or a new token must work at once), and inside a transaction on the leader
(a read that may precede a write there must see the leader's data). Writes always go to the leader;
migrations never run on the replica.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections

from . import health
from .health import REPLICA

LEADER_ONLY_APPS = frozenset({"accounts", "auth", "sessions", "contenttypes", "admin", "django_tasks_db",
                              "motcua_db"})

_replica_reads: contextvars.ContextVar[bool] = contextvars.ContextVar("motcua_replica_reads", default=False)


def replica_reads_on() -> bool:
    return _replica_reads.get()


@contextmanager
def replica_reads(enabled: bool = True):
    """Inside, eligible reads go to the replica if it is configured and fresh; yields whether they do."""
    token = _replica_reads.set(bool(enabled) and health.usable())
    try:
        yield _replica_reads.get()
    finally:
        _replica_reads.reset(token)


def leader_reads():
    """Inside, every read goes to the leader (used to retry a page after the replica failed mid-way)."""
    return replica_reads(False)


def read_alias() -> str:
    """The alias for an explicit ``.using()``: the replica when it is configured and fresh, else the leader."""
    return REPLICA if health.usable() else DEFAULT_DB_ALIAS


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _replica_reads.get():
            return None
        if model._meta.app_label in LEADER_ONLY_APPS or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same rows on both aliases

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None
