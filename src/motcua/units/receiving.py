"""Whether an agency receives dossiers on a day: the one rule that intake (the portal's drafts and online submission,
the counter, the API's submissions) and the lists offering a place to file (the portal's procedure page, its forms'
choice of agency, the API's procedure detail, the counter's agencies) ask.

An agency receives on day D when it is working (``is_active``: a merger's plan turns the old committees off as soon
as the new one exists) and its administrative unit exists on D (units.lifetime: from a merger's ``valid_from`` to its
last day ``valid_to``, merged or dissolved). Read by the date, not by a flag: a closure recorded ahead of time takes
effect the day after the unit's last day with nothing to run, and until then the unit still receives. The statistics
do not ask this: a closed unit's figures stay listed (units.lifetime).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from . import lifetime
from .models import Agency
from .reorganization.lineage import latest_successor


@dataclass(frozen=True)
class Refusal:
    """Why an agency does not receive: ``code`` for the API, ``message`` for people (Vietnamese)."""

    code: str
    message: str


def receiving_on(day: dt.date) -> Q:
    """``refusal(agency, day) is None`` as a filter on agencies."""
    return Q(is_active=True) & lifetime.existing_on(day, "admin_unit__")


def refusal(agency: Agency, day: dt.date) -> Refusal | None:
    """Why ``agency`` does not receive dossiers on ``day`` (None: it does). Its unit merged: where to file instead;
    dissolved: since when; not working otherwise: its successor, if it has one."""
    unit = agency.admin_unit
    life = lifetime.of_unit(unit)
    if life.first is not None and day < life.first:
        return Refusal("agency_not_yet_open", f"{unit.name} được thành lập từ ngày {life.first:%d/%m/%Y}: "
                                              f"{agency.name} tiếp nhận hồ sơ từ ngày đó.")
    if not life.exists_on(day):
        told = life.closure_on(day)  # «Đã sáp nhập vào … từ ngày …» / «Đã giải thể từ ngày …»
        told = f"{unit.name} {told[:1].lower()}{told[1:]}"
        if life.merged_into:
            return Refusal("agency_merged", f"{told}, vui lòng nộp tại {_taker(agency, unit, day)}.")
        return Refusal("agency_dissolved", f"{told}: {agency.name} không còn tiếp nhận hồ sơ, vui lòng chọn nơi nộp "
                                           "khác.")
    if not agency.is_active:
        taker = latest_successor(agency)
        where = f"nộp tại {taker.name}" if taker else "chọn nơi nộp khác"
        return Refusal("agency_inactive", f"{agency.name} đã ngừng tiếp nhận hồ sơ, vui lòng {where}.")
    return None


def _taker(agency: Agency, unit, day: dt.date) -> str:
    """Where a merged unit's agency's dossiers go: its recorded successor (a merger's plan records it), else an
    agency of the same kind at the unit it merged into, else that unit."""
    taker = latest_successor(agency) or (Agency.objects.filter(receiving_on(day), admin_unit_id=unit.replaced_by_id,
                                                               kind=agency.kind).order_by("code").first())
    return taker.name if taker else unit.replaced_by.name
