"""Whether an agency receives dossiers on a day: the one rule that intake (the portal's drafts and online submission,
the counter, the API's submissions) and the lists offering a place to file (the portal's procedure page, its forms'
choice of agency, the API's procedure detail, the counter's agencies) ask.

An agency receives on day D when it is working (``is_active``: a merger's plan turns the old committees off as soon
as the new one exists) and its administrative unit exists on D (units.lifetime: from a merger's ``valid_from`` to its
last day ``valid_to``, merged or dissolved). Read by the date, not by a flag: a closure recorded ahead of time takes
effect the day after the unit's last day with nothing to run, and until then the unit still receives. The statistics
do not ask this: a closed unit's figures stay listed (units.lifetime).

The same rule decides whether an agency may be sent a dossier already received elsewhere (``handover_refusal``: an
inter-agency hand-over, liên thông, and its return to the lead agency; a processing step done at another agency; a
merger's plan moving the old committees' dossiers): a dossier sent to an agency that receives nothing would wait there
for nobody. Only the words differ: the officer sending it chooses another agency, where the citizen chooses another
place to file.

A dissolution recorded ahead (a last day, no unit taking over) also bounds what the unit still receives until then:
a dossier whose appointment (its due date, set at reception) falls after the last day would wait for nobody
(``appointment_refusal``). A merger does not bound it: a unit takes over (a merger's plan moves the open dossiers
there, dossiers.reorganization). The same bound holds for a dossier it already has or is sent: nothing moves its
appointment past the last day (an extension, an apology's new appointment, the clock resuming after a pause or a
supplement) and none due after it is handed over to it (``HOLDING``, ``HANDING``: the officer's words).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from . import lifetime
from .models import Agency
from .reorganization.lineage import latest_successor


@dataclass(frozen=True)
class Refusal:
    """Why an agency does not receive: ``code`` for the API, ``message`` for people (Vietnamese); ``fact`` the
    message without its advice (where to go instead), for a sentence of the caller's own; ``details`` what the API
    says with it, the same wherever the code is answered (each caller may add the field it names)."""

    code: str
    message: str
    fact: str = ""
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class _Words:
    """How a refusal is told: to a citizen filing a dossier, or to an officer sending one to another agency."""

    takes: str  # what the agency no longer does
    go_to: str  # «vui lòng … <the agency taking over>»
    elsewhere: str  # «vui lòng …» when there is none


FILING = _Words("tiếp nhận hồ sơ", "nộp tại", "chọn nơi nộp khác")
HANDING = _Words("nhận hồ sơ chuyển đến", "chuyển hồ sơ cho", "chọn cơ quan nhận khác")
# a dossier the agency already has, whose appointment would move (only appointment_refusal tells it)
HOLDING = _Words("giải quyết hồ sơ", "chuyển hồ sơ cho", "hẹn trả kết quả không muộn hơn ngày đó")


def receiving_on(day: dt.date) -> Q:
    """``refusal(agency, day) is None`` as a filter on agencies (``handover_refusal`` too: one rule)."""
    return Q(is_active=True) & lifetime.existing_on(day, "admin_unit__")


def refusal(agency: Agency, day: dt.date) -> Refusal | None:
    """Why ``agency`` does not receive dossiers on ``day`` (None: it does). Its unit merged: where to file instead;
    dissolved: since when; not working otherwise: its successor, if it has one."""
    return _refusal(agency, day, FILING)


def handover_refusal(agency: Agency, day: dt.date) -> Refusal | None:
    """Why a dossier cannot be sent to ``agency`` on ``day`` (None: it can): the same rule as ``refusal``, told to
    the officer sending it (the codes are the same)."""
    return _refusal(agency, day, HANDING)


def appointment_bound(agency: Agency) -> dt.date | None:
    """The last day by which a dossier ``agency`` takes or holds must be due: its unit's, where its dissolution is
    recorded (a merger is no bound: a unit takes over); None, nearly always, when there is none — then nobody needs
    to compute an appointment to ask ``appointment_refusal``. Read from the row on hand, no statement."""
    life = lifetime.of_unit(agency.admin_unit)
    return None if life.merged else life.last


def due_after_bound(agency: Agency) -> dt.datetime | None:
    """``appointment_refusal`` as a filter on due times: the first moment of the day after ``appointment_bound`` (local
    time), from which a dossier's appointment falls after it (``due_at__gte``); None when there is no bound."""
    last = appointment_bound(agency)
    if last is None:
        return None
    return dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=timezone.get_current_timezone())


def appointment_refusal(agency: Agency, day: dt.date, due: dt.date, words: _Words = FILING) -> Refusal | None:
    """Why ``agency``, on ``day``, does not take a dossier due (its appointment) on ``due`` (None: it does): its unit's
    dissolution is recorded ahead and ``due`` falls after the last day, when nobody would be there to return a
    result. Told to a citizen filing (``FILING``), an officer handing a dossier over (``HANDING``) or one whose
    transition would move the appointment of a dossier the agency has (``HOLDING``: ``due`` the new one); ``fact``
    for an officer's own sentence (the codes are the API's). A unit with no recorded closure is asked nothing more."""
    last = appointment_bound(agency)
    if last is None or due <= last:
        return None
    unit = agency.admin_unit
    life = lifetime.of_unit(unit)
    moved = "mới của hồ sơ này sẽ là" if words is HOLDING else "của hồ sơ này là"
    fact = (f"{life.closure_of(unit.name, day)}: {agency.name} chỉ {words.takes} có ngày hẹn trả kết quả đến hết "
            f"ngày {life.last:%d/%m/%Y}, ngày hẹn trả {moved} ngày {due:%d/%m/%Y}")
    return Refusal("appointment_after_dissolution", f"{fact}; vui lòng {words.elsewhere}.", fact,
                   {"agency": agency.code, "last_day": last.isoformat(), "due_date": due.isoformat()})


def sending_refusal(agency: Agency, day: dt.date, due: dt.date | None) -> Refusal | None:
    """Why a dossier due on ``due`` cannot be sent to ``agency`` on ``day`` (None: it can): its unit has closed
    (``handover_refusal``), or its dissolution is recorded ahead and the dossier would still be there after the last
    day (``appointment_refusal``, the officer's words). What a hand-over, a step at another agency and the hand-over
    form ask."""
    return handover_refusal(agency, day) or (appointment_refusal(agency, day, due, HANDING) if due else None)


def taking_due(due: dt.date) -> Q:
    """``appointment_refusal(agency, day, due) is None`` as a filter on agencies (one rule)."""
    return ~Q(admin_unit__valid_to__lt=due, admin_unit__replaced_by__isnull=True)


def _refusal(agency: Agency, day: dt.date, words: _Words) -> Refusal | None:
    unit = agency.admin_unit
    life = lifetime.of_unit(unit)
    if life.first is not None and day < life.first:
        fact = f"{unit.name} được thành lập từ ngày {life.first:%d/%m/%Y}: {agency.name} {words.takes} từ ngày đó"
        return Refusal("agency_not_yet_open", f"{fact}.", fact)
    if not life.exists_on(day):
        told = life.closure_of(unit.name, day)  # «… đã sáp nhập vào … từ ngày …» / «… đã giải thể từ ngày …»
        if life.merged:
            return Refusal("agency_merged", f"{told}, vui lòng {words.go_to} {_taker(agency, unit, day)}.", told)
        fact = f"{told}: {agency.name} không còn {words.takes}"
        return Refusal("agency_dissolved", f"{fact}, vui lòng {words.elsewhere}.", fact)
    if not agency.is_active:
        taker = latest_successor(agency)
        where = f"{words.go_to} {taker.name}" if taker else words.elsewhere
        fact = f"{agency.name} đã ngừng {words.takes}"
        return Refusal("agency_inactive", f"{fact}, vui lòng {where}.", fact)
    return None


def _taker(agency: Agency, unit, day: dt.date) -> str:
    """Where a merged unit's agency's dossiers go: its recorded successor (a merger's plan records it), else an
    agency of the same kind at the unit it merged into (or, merged again since, the one that exists on ``day``), else
    that unit."""
    into, seen = unit.replaced_by, {unit.pk}
    while into.replaced_by_id and into.pk not in seen and not lifetime.of_unit(into).exists_on(day):
        seen.add(into.pk)  # merged again since: the unit that exists that day
        into = into.replaced_by
    taker = latest_successor(agency) or (Agency.objects.filter(receiving_on(day), admin_unit_id=into.pk,
                                                               kind=agency.kind).order_by("code").first())
    return taker.name if taker else into.name
