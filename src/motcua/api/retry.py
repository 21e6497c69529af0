"""Try an API operation again when the database gave up on it for a reason that passes: a serialization
failure, a deadlock, a lock wait that timed out (``errors.is_transient``).

Only where a second try is safe: an idempotent method (GET, HEAD, OPTIONS, PUT, DELETE), a request that
carries an ``Idempotency-Key`` (the submission answers a repeated key with the dossier it already made), or an
operation marked ``@whole_transaction`` (the dossier actions: each writes only inside its one transaction, so a
try the database aborted left nothing to repeat; the one thing the return does before it, asking the post office
where a result is and storing the answer, may be done again by the next try, which asks afresh).
Such an operation runs in one transaction, so a failed try leaves nothing behind (files it stored included:
documents/transactional.py) and the next try starts clean. A domain refusal still commits what the operation
wrote before refusing — audit entries of refused reads — as it would without the retry. At most
``ATTEMPTS`` tries, a short pause with jitter between them; the last failure reaches ``errors`` and is
answered 503 ``database_busy`` with ``Retry-After``. Other requests are never re-run: they get that 503 at
once and the caller decides.

A request already inside a transaction (a test's, or a caller's ``ATOMIC_REQUESTS``) runs as it is: its
transaction cannot be rolled back from here. So does a request reading the replica (``motcua.db.router``:
the statistics operations named in ``MOTCUA_REPLICA_VIEWS``): a transaction on the leader would keep every
read there; such a request only reads, and ``ReplicaReadsMiddleware`` serves it again from the leader
when the replica fails.
"""

from __future__ import annotations

import functools
import logging
import random
import time

from django.db import OperationalError, transaction

from motcua.core.errors import DomainError
from motcua.db.router import replica_reads_on

from .errors import is_transient

log = logging.getLogger(__name__)

ATTEMPTS = 3
PAUSE_S = 0.05
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


def whole_transaction(view):
    """Mark an operation that writes only inside its one transaction (before it, at most a read or an ask that may
    be repeated): safe to retry."""
    view.retry_whole_transaction = True
    return view


def retry_safe(request, view=None) -> bool:
    return (request.method in IDEMPOTENT_METHODS or bool(request.headers.get("Idempotency-Key"))
            or getattr(view, "retry_whole_transaction", False))


def _rewind_uploads(request) -> None:
    for _, files in request.FILES.lists():
        for upload in files:
            upload.seek(0)


def _once(view, request, args, kwargs):
    if getattr(view, "retry_whole_transaction", False):
        return view(request, *args, **kwargs)  # its own transaction already: no second one around it
    refusal = None
    with transaction.atomic():
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:  # commit what was written before the refusal, then answer it
            refusal = exc
    raise refusal


def retrying(view, *, sleep=time.sleep):
    """ninja operation decorator (``api.add_decorator(retrying)``)."""

    @functools.wraps(view)
    def run(request, *args, **kwargs):
        if not retry_safe(request, view) or transaction.get_connection().in_atomic_block or replica_reads_on():
            return view(request, *args, **kwargs)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return _once(view, request, args, kwargs)
            except OperationalError as exc:
                if attempt == ATTEMPTS or not is_transient(exc):
                    raise
                log.info("retrying %s %s after %s (try %d)", request.method, request.path, exc, attempt)
                _rewind_uploads(request)
                sleep(PAUSE_S * 2 ** (attempt - 1) * (1 + random.random()))
        raise AssertionError("unreachable")  # pragma: no cover

    return run
