"""Targets and their measured values.

A statistics measure is read through the reporting app's indicator functions (its sibling in the
layer order) for the plan's unit and the period: the same call, scope and period as the statistics
pages, so the two never disagree and nothing is counted twice. Entered measures keep who entered
them, when, and the evidence file (stored through the documents app's checked upload).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Max

from motcua.core.errors import ValidationFailed
from motcua.core.money import format_number
from motcua.documents.attachments import store_upload
from motcua.documents.models import AttachmentKind
from motcua.reporting import indicators as statistics
from motcua.units.models import Agency

from .. import measures, permissions
from ..models import IndicatorValue, Plan, Target
from ..money import vn_decimal
from ..sections import TARGET_AREAS
from . import community
from .common import audit, stored_user
from .plans import _unlocked

COMPARE = {
    Target.GTE: lambda v, t: v >= t, Target.GT: lambda v, t: v > t, Target.LTE: lambda v, t: v <= t,
    Target.LT: lambda v, t: v < t, Target.EQ: lambda v, t: v == t,
}
NO_VALUE = "—"


def scope_of(agency) -> str | None:
    """The statistics scope of a plan's owner: the whole province for the Provincial People's Committee
    (the statistics home page), the agency itself otherwise (its statistics page)."""
    return None if agency.kind == Agency.PROVINCIAL_COMMITTEE else agency.code


def year_period(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def parse_value(value, label: str = "Giá trị") -> Decimal:
    """'72,5', '1.234,5', 70 → Decimal; never negative. A boolean (JSON true, a TRUE cell) is not a number."""
    if isinstance(value, bool):
        raise ValidationFailed("value_invalid", f"{label} phải là số (ví dụ 70 hoặc 72,5), không phải đúng/sai.")
    if isinstance(value, (int, Decimal)):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        parsed = vn_decimal(str(value or "").strip().rstrip("%"))
        if parsed is None:
            raise ValidationFailed("value_invalid", f"{label} \u201c{value}\u201d không phải số (ví dụ 70 hoặc 72,5).")
        number = parsed[0]
    if not number.is_finite() or number < 0:
        raise ValidationFailed("value_invalid", f"{label} phải là số không âm.")
    if number >= Decimal("1e12"):
        raise ValidationFailed("value_invalid", f"{label} quá lớn.")
    return number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def format_value(value: Decimal | None, unit: str) -> str:
    if value is None:
        return NO_VALUE
    text = format_number(value, min(2, max(0, -value.normalize().as_tuple().exponent)))
    return f"{text} %" if unit == "%" else f"{text} {unit}".strip()


def target_label(target: Target) -> str:
    return f"{dict(Target.COMPARATORS)[target.comparator]} {format_value(target.value, target.unit)}"


# ---- targets ----

def add_target(user, plan: Plan, *, measure: str, value, comparator: str = Target.GTE, name: str = "",
               unit: str | None = None, area: str | None = None, note: str = "") -> Target:
    permissions.require_edit(user, plan.agency)
    _unlocked(plan)
    m = measures.get(measure)
    if m is None:
        raise ValidationFailed("measure_unknown", "Chỉ số không có trong danh mục chỉ số.")
    if comparator not in COMPARE:
        raise ValidationFailed("comparator_invalid", "Phép so sánh phải là ≥, >, ≤, < hoặc =.")
    if area is not None and area not in dict(TARGET_AREAS):
        raise ValidationFailed("area_invalid", "Lĩnh vực không hợp lệ.")
    name = (name or "").strip() or m.label
    unit = m.unit if m.source != measures.ENTERED or unit is None else (unit or "").strip()[:32]
    number = parse_value(value, "Giá trị chỉ tiêu")
    if unit == "%" and number > 100:
        raise ValidationFailed("value_invalid", "Tỷ lệ không vượt quá 100 %.")
    order = (plan.targets.aggregate(m=Max("order"))["m"] or 0) + 1
    return Target.objects.create(plan=plan, order=order, area=area or m.area, measure=m.key, name=name[:500],
                                 comparator=comparator, value=number, unit=unit, note=(note or "").strip())


def delete_target(user, target: Target) -> None:
    permissions.require_edit(user, target.plan.agency)
    _unlocked(target.plan)
    target.delete()


def enter_value(user, target: Target, *, value, period_start: dt.date | None = None,
                period_end: dt.date | None = None, note: str = "", evidence=None, evidence_name: str | None = None
                ) -> IndicatorValue:
    """A value the system cannot measure, typed by an officer of the unit, with an optional evidence file."""
    plan = target.plan
    permissions.require_edit(user, plan.agency)
    m = measures.get(target.measure)
    if m is None or m.source != measures.ENTERED:
        raise ValidationFailed("value_computed", "Chỉ tiêu này do hệ thống tự tính từ số liệu; không nhập tay.")
    number = parse_value(value)
    if target.unit == "%" and number > 100:
        raise ValidationFailed("value_invalid", "Tỷ lệ không vượt quá 100 %.")
    start, end = year_period(plan.year)
    period_start, period_end = period_start or start, period_end or end
    if period_start > period_end or period_start.year < plan.first_year or period_end.year > plan.year:
        raise ValidationFailed("period_outside_plan", f"Kỳ số liệu phải nằm trong năm của kế hoạch ({plan.year}).")
    user_ = stored_user(user)
    with transaction.atomic():
        attachment = None
        if evidence is not None:
            attachment = store_upload(evidence, owner=user_, kind=AttachmentKind.EVIDENCE, uploaded_by=user_,
                                      name=evidence_name)
        row = IndicatorValue.objects.create(target=target, period_start=period_start, period_end=period_end,
                                            value=number, note=(note or "").strip(), evidence=attachment,
                                            entered_by=user_)
        audit(user, "dx.value_entered", "dx_target", target.pk, {"value": str(number), "measure": target.measure,
                                                                 "period": [str(period_start), str(period_end)],
                                                                 "evidence": getattr(attachment, "pk", None)})
    return row


# ---- measured values ----

@dataclass
class Measured:
    target: Target
    measure: measures.Measure | None
    value: Decimal | None
    display: str
    entered: IndicatorValue | None = None

    @property
    def source(self) -> str:
        return self.measure.source if self.measure else measures.ENTERED

    @property
    def source_label(self) -> str:
        return measures.SOURCE_LABELS[self.source]

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        return COMPARE[self.target.comparator](self.value, self.target.value)

    @property
    def target_label(self) -> str:
        return target_label(self.target)


def measure_targets(plan: Plan, start: dt.date | None = None, end: dt.date | None = None) -> list[Measured]:
    """Every target of the plan with its value for [start, end] (default: the plan's year)."""
    default = year_period(plan.year)
    start, end = start or default[0], end or default[1]
    targets = list(plan.targets.all())
    out, stats, dx = [], None, None
    for target in targets:
        m = measures.get(target.measure)
        if m is not None and m.source == measures.STATISTICS:
            if stats is None:
                stats = statistics.totals(start, end, scope_of(plan.agency))
            rate = stats.rates.get(m.rate_key)
            value = None if rate is None else (Decimal(repr(rate)) * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
            out.append(Measured(target, m, value, statistics.format_percent(rate)))
        elif m is not None and m.source == measures.DX:
            if dx is None:
                dx = community.total([plan.agency_id], start, community.last_day(plan.agency, end))
            value = Decimal({"community_teams": dx.teams, "team_members": dx.members,
                             "people_trained": dx.trained}[m.key])
            out.append(Measured(target, m, value, format_value(value, target.unit)))
        else:
            entered = (target.values.filter(period_start__gte=start, period_end__lte=end)
                       .select_related("entered_by", "evidence").order_by("-period_end", "-entered_at", "-id").first())
            value = entered.value if entered else None
            out.append(Measured(target, m, value, format_value(value, target.unit), entered))
    return out
