"""What every Decision 766 formula of one period and unit reads, computed once: the counters' totals, the
figures per procedure, the procedures in force, the feedback items."""

from __future__ import annotations

import datetime as dt
from functools import cached_property

from django.db.models import Q
from django.utils import timezone

from motcua.catalog.models import Procedure, Target
from motcua.catalog.reorganization import offered_as_of
from motcua.engagement.feedback_reporting import feedback_summary, received_by
from motcua.engagement.models import Feedback
from motcua.units import lifetime
from motcua.units.models import Agency

from .. import indicators
from ..indicators import Indicators, agency_codes_for
from ..metrics import day_bounds

CITIZEN_TARGETS = (Target.CITIZEN, Target.BOTH)  # Decision 766 4.5: procedures whose target is citizens


def procedures_in_scope(codes: list[str] | None, as_of: dt.datetime):
    """Active procedures of the unit: received by its agencies (or by its kind of agency when none is named), as
    they were at ``as_of`` when a reorganization has moved procedures since (a merged commune's past periods keep
    its procedures: catalog.reorganization.offered_as_of)."""
    qs = Procedure.objects.filter(is_active=True)
    if codes is None:
        return qs
    kinds = set(Agency.objects.filter(code__in=codes).values_list("kind", flat=True))
    return qs.filter(Q(code__in=offered_as_of(codes, as_of)) | Q(agencies__isnull=True, agency_kind__in=kinds)).distinct()


class Context:
    """``start`` and ``end`` are the period's, narrowed to the days the unit existed when a reorganization created or
    closed it during the period (``counted_from``, ``counted_until``; motcua.units.lifetime): a unit has no figures
    from a time it did not exist (``absent``: none of the period)."""

    def __init__(self, start: dt.date, end: dt.date, scope: str | None):
        self.codes = agency_codes_for(scope)
        self.lifetime = lifetime.of_codes(self.codes)
        self.coverage = self.lifetime.cover(start, end)
        self.absent = self.coverage.absent
        self.start, self.end = self.coverage.start, self.coverage.end
        self.counted_from, self.counted_until = self.coverage.counted_from, self.coverage.counted_until
        self.scope = scope
        self.ind: Indicators = indicators.totals(self.start, self.end, scope)
        self.as_of = min(self.end, timezone.localdate())  # "still within its deadline" is judged on this day

    @cached_property
    def per_procedure(self) -> dict[str, Indicators]:
        grouped = indicators.compute(self.start, self.end, self.scope, group_by="procedure")
        return {k[0]: v for k, v in grouped.items()}

    def procedure_total(self, codes, metric: str) -> int:
        return sum(self.per_procedure.get(code, Indicators())[metric] for code in codes)

    @cached_property
    def procedures(self):
        """The unit's procedures as at the end of the period (or now, for a period not over)."""
        _, hi = day_bounds(self.end, self.end)
        return procedures_in_scope(self.codes, min(hi, timezone.now()))

    @cached_property
    def announced(self) -> list[Procedure]:
        """Procedures in force whose announcing decision is dated in the period (1.1, 1.2)."""
        return list(self.procedures.filter(announced_on__gte=self.start, announced_on__lte=self.end)
                    .order_by("announced_on", "code"))

    @cached_property
    def citizen_procedures(self) -> list[str]:
        return list(self.procedures.filter(target__in=CITIZEN_TARGETS).values_list("code", flat=True))

    @cached_property
    def certified_copy_procedures(self) -> list[str]:
        return list(self.procedures.filter(certified_copy=True).values_list("code", flat=True))

    def feedback_items(self):
        lo, hi = day_bounds(self.start, self.end)
        qs = Feedback.objects.filter(received_at__gte=lo, received_at__lt=hi)
        return qs if self.codes is None else received_by(qs, self.codes)

    @property
    def feedback_as_of(self) -> dt.datetime:
        _, hi = day_bounds(self.start, self.end)
        return min(hi, dt.datetime.now(tz=dt.UTC))

    @cached_property
    def feedback(self) -> dict:
        return feedback_summary(self.feedback_items(), as_of=self.feedback_as_of)
