"""Files written inside a database transaction are removed again when that transaction rolls back.

A file is written before the row that refers to it (the row must name it), often deep inside a caller's
transaction: a submission stores its files, then the dossier's lifecycle refuses, and everything rolls back.
The file must go too, or it stays on disk with nothing pointing at it.

``save(storage, path, content)`` writes the file and, inside a transaction, registers an ``on_commit``
callback for it. Django keeps that callback until the outermost transaction commits, and discards it when the
transaction — or the savepoint it was registered in — rolls back (documented behaviour of ``on_commit``). The
callback carries a finalizer: when it is discarded without having run, the file is deleted. CPython frees the
callback as soon as Django drops it, so the file goes at the moment of the rollback. Outside a transaction
nothing can undo the write and the file is simply kept.

What this cannot cover — the process killed between the write and the commit — the daily sweep
(``manage.py sweep_orphan_files``, documents/orphans.py) removes.
"""

from __future__ import annotations

import logging
import weakref

from django.core.files.storage import Storage
from django.db import transaction

log = logging.getLogger(__name__)


class _CommitMark:
    """The on_commit callback of one written file: running it means the transaction committed."""

    __slots__ = ("state", "__weakref__")

    def __init__(self, state: dict):
        self.state = state

    def __call__(self) -> None:
        self.state["committed"] = True


def _remove_unless_committed(state: dict, storage: Storage, name: str) -> None:
    if state["committed"]:
        return
    try:
        storage.delete(name)
    except Exception:  # the file stays until the daily sweep; the rollback itself must not fail
        log.warning("could not remove %s after a rollback", name, exc_info=True)


def save(storage: Storage, path: str, content, *, using: str | None = None) -> str:
    """Write `content` under `path` (or the free name the storage picks); returns the stored name."""
    name = storage.save(path, content)
    if transaction.get_connection(using).in_atomic_block:
        state = {"committed": False}
        mark = _CommitMark(state)
        weakref.finalize(mark, _remove_unless_committed, state, storage, name)
        transaction.on_commit(mark, using=using)
    return name
