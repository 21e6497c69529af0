"""The API's ``Idempotency-Key``: a POST sent again with the key it was first sent with (a lost answer on a slow line,
a client's retry, even a concurrent twin) gets what the first one made, 200, instead of making it twice. Where the
key is stored, under a unique constraint with the caller (a dossier's ``submitted_by``, a report build's
``requested_by``), the twin that commits second is refused by it and answered with the first one's object."""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError


def once[T](key: str | None, earlier: Callable[[], T | None], create: Callable[[], T], *, created: int,
         precheck: bool = True) -> tuple[T, int]:
    """(object, status): what `create()` made (`created`), or, with a `key`, what `earlier()` finds this caller made
    with it (200): looked for first (unless `precheck` is False: `create` looks itself, and marks what it finds
    ``idempotent_replay``), and again when `create()` is refused by the key's unique constraint (the twin committed
    first). `create` runs in a savepoint of its own where the caller's transaction must survive that refusal."""
    if not key:
        return create(), created
    if precheck and (found := earlier()) is not None:
        return found, 200
    try:
        made = create()
    except IntegrityError:
        if (found := earlier()) is None:
            raise
        return found, 200
    return made, 200 if getattr(made, "idempotent_replay", False) else created
