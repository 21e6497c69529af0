"""Whether a day lies in a unit's recorded days, from the day a merger created it (``valid_from``) to its last day
(``valid_to``), both included, an end not recorded being open: the one predicate of units.lifetime
(``Lifetime.exists_on``; ``existing_on`` is it as a query) and of the admin's checks in units.models, in a module of
its own because units.lifetime imports units.models."""

from __future__ import annotations

import datetime as dt


def within(first: dt.date | None, last: dt.date | None, day: dt.date) -> bool:
    """Whether ``day`` lies from ``first`` to ``last`` (both included; None: open at that end)."""
    return (first is None or first <= day) and (last is None or day <= last)
