"""The days a unit existed, as its administrative units record them: ``valid_from`` the day a merger created it,
``valid_to`` its last day before a merger took it over (``replaced_by``; the plan's step in
reorganization/unit_steps.py) or an administrator dissolved it (``valid_to`` without ``replaced_by``).

The one home of that rule: the statistics, the Decision 766 index and the digital-transformation figures read a
unit's lifetime here (``of_codes`` for a scope's agencies, ``of_agency`` for one), and what of a period it covers
(``Lifetime.cover``); whether it existed at all in a year (``Coverage.absent``: no plan of that year is written for it,
transformation/services/plans.py ``check_unit_existed``); whether it exists on a day (``Lifetime.exists_on``, the
predicate of units.days that the admin's checks share; ``existing_on`` for a query), which decides whether its agencies
receive dossiers (units.receiving); whether it had ended by the end of a year (``ended_within``, a query: a merged
unit's plan of that year, transformation/services/merger.py) or before a day (``ended_before``: a reporting round no
longer waits for it nor takes its answer, transformation/services/rounds.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from .days import within
from .models import AdministrativeUnit, Agency


@dataclass(frozen=True)
class Lifetime:
    """``first`` the day a merger created the unit, ``last`` its last day; None when it was there before the loaded
    catalog, or is still there. ``into``: the name of the unit that took it over ("" when it was dissolved), or how to
    read it (``of_unit``: only when a sentence needs it, ``merged_into``)."""

    first: dt.date | None = None
    last: dt.date | None = None
    into: str | Callable[[], str] = ""

    @property
    def merged(self) -> bool:
        """Whether a unit took it over (rather than it being dissolved), without reading that unit's name."""
        return bool(self.into)

    @property
    def merged_into(self) -> str:
        """The name of the unit that took it over ("" when it was dissolved)."""
        return self.into() if callable(self.into) else self.into

    def clip(self, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date] | None:
        """The part of the period the unit existed in, or None when it did not exist at all then."""
        lo, hi = max(start, self.first or start), min(end, self.last or end)
        return (lo, hi) if lo <= hi else None

    def cover(self, start: dt.date, end: dt.date) -> Coverage:
        """What of the period [start, end] the unit existed in."""
        counted = self.clip(start, end)
        lo, hi = counted or (start, end)
        return Coverage(self, lo, hi, absent=counted is None, counted_from=lo if lo != start else None,
                        counted_until=hi if hi != end else None)

    def exists_on(self, day: dt.date) -> bool:
        """Whether the unit exists on ``day``: from the day a merger created it to its last day, both included."""
        return within(self.first, self.last, day)

    def ended_before(self, day: dt.date) -> bool:
        """Whether the unit's last day is before ``day``: merged or dissolved by then (``ended_before`` for a query)."""
        return self.last is not None and self.last < day

    @property
    def closure_word(self) -> str:
        """«đã sáp nhập» or «đã giải thể»; «sẽ …» while its last day has not passed (an administrator set it ahead
        of a resolution's effective day); "" while it exists."""
        return self.closure_word_on(timezone.localdate())

    def closure_word_on(self, today: dt.date) -> str:
        """``closure_word`` as told on ``today``."""
        if self.last is None:
            return ""
        tense = "sẽ" if self.last >= today else "đã"
        return f"{tense} {'sáp nhập' if self.merged else 'giải thể'}"

    @property
    def closure(self) -> str:
        """How people are told the unit ended: «Đã sáp nhập vào … từ ngày …» or «Đã giải thể từ ngày …», «Sẽ …» up
        to its last day ("" while it exists). A merger takes effect the day after the old unit's last day."""
        return self.closure_on(timezone.localdate())

    def closure_on(self, today: dt.date) -> str:
        """``closure`` as told on ``today``."""
        if self.last is None:
            return ""
        word = self.closure_word_on(today)
        since = f"từ ngày {self.last + dt.timedelta(days=1):%d/%m/%Y}"
        return f"{word[:1].upper()}{word[1:]}{f' vào {self.merged_into}' if self.merged else ''} {since}"

    def closure_of(self, name: str, today: dt.date) -> str:
        """``closure_on`` said of the unit by its name: «Xã A đã giải thể từ ngày …» ("" while it exists)."""
        told = self.closure_on(today)
        return f"{name} {told[:1].lower()}{told[1:]}" if told else ""


@dataclass(frozen=True)
class Coverage:
    """What of a period the unit existed in: ``absent`` none of it (``start``/``end`` stay the period's); otherwise
    ``start``/``end`` narrowed to its days, and ``counted_from``/``counted_until`` where they differ from the
    period's."""

    lifetime: Lifetime
    start: dt.date
    end: dt.date
    absent: bool = False
    counted_from: dt.date | None = None
    counted_until: dt.date | None = None

    @property
    def not_yet(self) -> bool:
        """Absent because the period ended before the unit was created."""
        return self.absent and self.lifetime.first is not None and self.end < self.lifetime.first

    def as_dict(self) -> dict:
        """The machine-readable fields the API gives (dates yyyy-mm-dd, None when the period's own)."""
        return {"counted_from": self.counted_from.isoformat() if self.counted_from else None,
                "counted_until": self.counted_until.isoformat() if self.counted_until else None,
                "absent": self.absent}


def _lifetime(rows) -> Lifetime:
    """From (valid_from, valid_to, replaced_by name) of a unit's administrative units: from the first one's creation
    to the last one's closure, open at an end where one of them has none (the province, a unit of the loaded
    catalog, a lineage with its successor)."""
    if not rows:
        return Lifetime()
    firsts, lasts = {r[0] for r in rows}, {r[1] for r in rows}
    first = None if None in firsts else min(firsts)
    if None in lasts:
        return Lifetime(first)
    last, merged_into = max((r[1], r[2] or "") for r in rows)
    return Lifetime(first, last, merged_into)


FIELDS = ("admin_unit__valid_from", "admin_unit__valid_to", "admin_unit__replaced_by__name")


def of_codes(codes: list[str] | None) -> Lifetime:
    """The lifetime of the unit whose agencies are ``codes`` (None, the province: always there)."""
    return _lifetime(list(Agency.objects.filter(code__in=codes or ()).values_list(*FIELDS)))


def of_agency(agency: Agency) -> Lifetime:
    """The lifetime of one agency's unit."""
    return of_codes([agency.code])


def of_unit(unit: AdministrativeUnit) -> Lifetime:
    """One administrative unit's lifetime, from the instance. The name of the unit it merged into is read only when a
    sentence needs it (``Lifetime.merged_into``): whether its agencies receive on a day (units.receiving, each
    submission) asks the dates alone, also while a merger recorded ahead has not taken effect."""
    if unit.valid_to is None:
        return Lifetime(unit.valid_from)
    return Lifetime(unit.valid_from, unit.valid_to, (lambda: unit.replaced_by.name) if unit.replaced_by_id else "")


def existing_on(day: dt.date, prefix: str = "") -> Q:
    """``Lifetime.exists_on`` as a filter on units (``prefix``: the path to the unit, "admin_unit__" for agencies)."""
    return ((Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": day}))
            & (Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})))


def ended_before(day: dt.date, prefix: str = "") -> Q:
    """``Lifetime.ended_before`` as a filter on units (``prefix``: the path to the unit)."""
    return Q(**{f"{prefix}valid_to__lt": day})


def ended_within(year, prefix: str = "") -> Q:
    """Units that had ended by the end of ``year`` (a number, or an expression such as ``F("plan__year")``): a merger
    or dissolution takes effect the day after the last day, so within that year or before is a last day before its
    31/12 (a unit whose last day is 31/12 ended with the next year). ``prefix``: the path to the unit."""
    last = f"{prefix}valid_to"
    return (Q(**{f"{last}__year__lt": year})
            | Q(**{f"{last}__year": year}) & ~Q(**{f"{last}__month": 12, f"{last}__day": 31}))


def by_code(codes) -> dict[str, Lifetime]:
    """Each agency's own lifetime, in one query (rows of a table per agency)."""
    rows = Agency.objects.filter(code__in=list(codes)).values_list("code", *FIELDS)
    return {code: _lifetime([rest]) for code, *rest in rows}
