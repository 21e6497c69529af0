"""Working-day calendar: deadlines and appointment dates count only working time.

Working days are Monday–Friday minus public holidays (``holidays`` VN, Labor Code 2019 art. 112,
with its substitute days) and minus extra days off, plus make-up working days, both from the
CalendarException table. Working hours are the counter's office hours; a deadline of N working
days is N × (minutes of one working day) of working time counted from the moment of receipt.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

from .models import CalendarException

# The one time zone of every legal day and deadline (Vietnam; settings.TIME_ZONE names the same zone).
TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# Typical office hours of a one-stop counter (LEGAL.md §9); configurable per installation.
DEFAULT_SESSIONS = ((dt.time(7, 0), dt.time(11, 30)), (dt.time(13, 30), dt.time(17, 0)))


def _sessions() -> tuple[tuple[dt.time, dt.time], ...]:
    return settings.MOTCUA_WORKING_SESSIONS or DEFAULT_SESSIONS


def minutes_per_day() -> int:
    return sum((e.hour * 60 + e.minute) - (s.hour * 60 + s.minute) for s, e in _sessions())


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("VN", years=year).keys())


@dataclass
class _Exceptions:
    off: frozenset[dt.date]
    work: frozenset[dt.date]


_exceptions_cache: _Exceptions | None = None
_exceptions_loaded_at = 0.0
# Other processes learn of an edited CalendarException after at most this many seconds; the
# process that saved it is told at once (CoreConfig.ready connects exceptions_changed to its signals).
CACHE_SECONDS = 300


def invalidate_cache() -> None:
    global _exceptions_cache
    _exceptions_cache = None


def exceptions_changed(**kwargs) -> None:
    """Signal receiver: a CalendarException row was saved or deleted."""
    invalidate_cache()


def _exceptions() -> _Exceptions:
    global _exceptions_cache, _exceptions_loaded_at
    if _exceptions_cache is None or time.monotonic() - _exceptions_loaded_at > CACHE_SECONDS:
        rows = list(CalendarException.objects.values_list("date", "kind"))
        _exceptions_cache = _Exceptions(
            off=frozenset(d for d, k in rows if k == CalendarException.DAY_OFF),
            work=frozenset(d for d, k in rows if k == CalendarException.WORKING_DAY),
        )
        _exceptions_loaded_at = time.monotonic()
    return _exceptions_cache


def is_working_day(day: dt.date) -> bool:
    exc = _exceptions()
    if day in exc.work:
        return True
    if day in exc.off:
        return False
    if day.weekday() >= 5:
        return False
    return day not in _public_holidays(day.year)


def next_working_day(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def add_working_days_to_date(day: dt.date, days: int) -> dt.date:
    """The working day that comes `days` working days after `day` (calendar dates only)."""
    for _ in range(days):
        day = next_working_day(day)
    return day


def _local(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=TZ)
    return moment.astimezone(TZ)


def end_of_working_day(day: dt.date) -> dt.datetime:
    """The end of ``day``'s last working session (the counter's office hours): an appointment given as a day (a
    new date of return after an apology) is due then."""
    return dt.datetime.combine(day, _sessions()[-1][1], TZ)


def _session_bounds(day: dt.date):
    for start, end in _sessions():
        yield dt.datetime.combine(day, start, TZ), dt.datetime.combine(day, end, TZ)


def add_working_time(start: dt.datetime, amount: dt.timedelta) -> dt.datetime:
    """The moment when `amount` of working time has elapsed after `start` (exact to the microsecond).

    A start outside working hours counts from the next session; a zero amount gives the first
    working moment at or after `start`.
    """
    if amount < dt.timedelta(0):
        raise ValueError("working time to add must not be negative")
    moment = _local(start)
    remaining = amount
    day = moment.date()
    for _ in range(20000):  # ~50 years of days: beyond that the calendar has no working time
        if is_working_day(day):
            for s, e in _session_bounds(day):
                if moment >= e:
                    continue
                begin = max(moment, s)
                available = e - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
                moment = e
        day += dt.timedelta(days=1)
        moment = dt.datetime.combine(day, dt.time(0, 0), TZ)
    raise ValueError("calendar has no working time")


def add_working_minutes(start: dt.datetime, minutes: int) -> dt.datetime:
    """The moment when `minutes` of working time have elapsed after `start`."""
    return add_working_time(start, dt.timedelta(minutes=int(minutes)))


def add_working_days(start: dt.datetime, days: Decimal | int | float) -> dt.datetime:
    """Deadline of `days` working days counted from `start` (fractions allowed: 0.5 = half a day).

    One working day is the length of the day's sessions, so a dossier received at 09:00 with a
    3-day limit is due at 09:00 on the third working day after (Decree 61/2018, Decree 118/2025:
    time limits in working days).
    """
    minutes = int((Decimal(str(days)) * minutes_per_day()).to_integral_value())
    return add_working_minutes(start, minutes)


def working_time_between(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Working time in [start, end); negative when end is before start."""
    a, b = _local(start), _local(end)
    if b < a:
        return -working_time_between(b, a)
    total = dt.timedelta(0)
    day = a.date()
    while day <= b.date():
        if is_working_day(day):
            for s, e in _session_bounds(day):
                lo, hi = max(s, a), min(e, b)
                if hi > lo:
                    total += hi - lo
        day += dt.timedelta(days=1)
    return total


def working_minutes_between(start: dt.datetime, end: dt.datetime) -> int:
    """Whole working minutes in [start, end) (rounded toward zero); negative when end < start."""
    seconds = working_time_between(start, end).total_seconds()
    return int(seconds / 60) if seconds >= 0 else -int(-seconds / 60)


def is_working_moment(moment: dt.datetime) -> bool:
    """True inside a working session of a working day (session end included)."""
    m = _local(moment)
    return is_working_day(m.date()) and any(s <= m <= e for s, e in _session_bounds(m.date()))


WEEKDAYS_VI = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
SATURDAY_MORNING_END = dt.time(12, 0)


def counter_day_off(moment: dt.datetime, *, saturday_morning: bool = False) -> str:
    """'' when a one-stop counter normally receives at `moment`; else what the day is ("thứ Bảy 05/12/2026"),
    for the officer to confirm a reception on a day off. The appointment still counts working days only."""
    m = _local(moment)
    day = m.date()
    if is_working_day(day):
        return ""
    weekday = WEEKDAYS_VI[day.weekday()]
    holiday = day in _public_holidays(day.year) or day in _exceptions().off
    # Decision 127/2007/QĐ-TTg (LEGAL.md §9): a unit may open its counter on Saturday mornings.
    if saturday_morning and day.weekday() == 5 and not holiday and m.time() < SATURDAY_MORNING_END:
        return ""
    if holiday:
        return f"ngày nghỉ lễ, Tết ({weekday} {day:%d/%m/%Y})"
    if day.weekday() == 5 and saturday_morning:
        return f"chiều {weekday} {day:%d/%m/%Y}"
    return f"{weekday} {day:%d/%m/%Y}"
