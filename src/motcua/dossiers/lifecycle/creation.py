"""Creating a dossier once: the first INSERT of a new dossier, and an idempotent submission's replay.

Split out of ``commit.py``: the transitions that create the dossier (intake: save_draft, submit_online,
receive_at_counter) use these beside ``commit.lock``/``commit.commit``. The lock order the module docstring of
``commit.py`` states holds here too: the submitting account first (``create_once``), then the receiving agency's row.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, transaction

from ..models import Dossier
from . import intake_reads, store
from .commit import remember_loaded


def save_new(d: Dossier) -> Dossier:
    """Insert a new dossier before its transition writes a row that refers to it (a slip): one INSERT, after which
    ``commit`` writes only the columns changed since (the row is not written whole a second time)."""
    store.insert(d)
    remember_loaded(d)
    return d


def replayed(existing: Dossier) -> Dossier:
    """An idempotent retry: the dossier created by the first attempt, marked ``idempotent_replay = True``."""
    existing.idempotent_replay = True
    return existing


def create_once(account, idempotency_key, create: Callable[[], Dossier], agency) -> Dossier:
    """Create a dossier once per (submitting account, idempotency key): a retry gets the first one back,
    marked ``idempotent_replay = True``; without a key every call creates one.

    With a key, one statement locks the account's row, which serialises the account's submissions, and finds the
    id of the earlier attempt (intake_reads.lock_submitter); only a replay loads that dossier. A twin that committed
    while this statement waited for the lock is not seen by it: the new row then violates the unique
    (submitted_by, idempotency_key) constraint, the savepoint below rolls back what this attempt wrote (its code
    number included), and the earlier dossier is read again. So the savepoint stays, even inside the caller's
    transaction (the API's): without it the IntegrityError would leave that transaction unusable.

    The same statement reads the receiving ``agency``'s row FOR SHARE (intake_reads), which ``create`` then checks
    without reading it again; without a key, ``create`` reads it so itself (intake._share)."""

    def earlier():
        return Dossier.objects.filter(submitted_by=account, idempotency_key=idempotency_key).first()

    try:
        with transaction.atomic():
            if idempotency_key:
                # FOR NO KEY UPDATE (see ``lock``): the account's other transitions check their foreign keys
                # against this row at COMMIT; FOR UPDATE would deadlock with them.
                pk = intake_reads.lock_submitter(account.pk, idempotency_key, agency)
                if pk is not None:
                    return replayed(Dossier.objects.get(pk=pk))
            return create()
    except IntegrityError:
        existing = earlier() if idempotency_key else None
        if existing is not None:
            return replayed(existing)
        raise
    finally:
        intake_reads.release(agency)  # the next submission reads the agency's row again
