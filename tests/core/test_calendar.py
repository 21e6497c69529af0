"""Working-day calendar: the 2025–2026 schedule of LEGAL.md §9 and properties of deadline arithmetic."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.core import calendar
from motcua.core.calendar import TZ
from motcua.core.models import CalendarException

pytestmark = pytest.mark.django_db
D = dt.date


def at(y, m, d, hh=8, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


@pytest.mark.parametrize("day", [
    D(2025, 1, 1), D(2025, 1, 27), D(2025, 1, 31),          # New Year, Tết 2025
    D(2025, 4, 7),                                          # Hùng Kings 2025
    D(2025, 4, 30), D(2025, 5, 1), D(2025, 5, 2),           # 30/4–1/5 2025 (02/05 made up on 26/04)
    D(2025, 9, 1), D(2025, 9, 2),
    D(2026, 1, 1), D(2026, 2, 16), D(2026, 2, 17), D(2026, 2, 18), D(2026, 2, 19), D(2026, 2, 20),  # Tết 2026
    D(2026, 8, 31), D(2026, 9, 1), D(2026, 9, 2),           # National Day 2026 (31/08 made up on 22/08)
])
def test_holidays_of_2025_2026_are_days_off(day):
    assert not calendar.is_working_day(day)


@pytest.mark.parametrize("day", [D(2025, 4, 26), D(2026, 8, 22)])
def test_make_up_saturdays_are_working_days(day):
    assert day.weekday() == 5
    assert calendar.is_working_day(day)


def test_ordinary_days():
    assert calendar.is_working_day(D(2026, 3, 2))       # Monday
    assert not calendar.is_working_day(D(2026, 3, 7))   # Saturday
    assert calendar.is_working_day(D(2026, 2, 23))      # Monday after Tết


def test_deadline_crosses_the_make_up_saturday():
    # Friday 25/04/2025 16:00 + 1 working day: 1h on Friday, then the make-up Saturday 26/04 until 14:30... 16:00
    assert calendar.add_working_days(at(2025, 4, 25, 16), 1) == at(2025, 4, 26, 16)
    # Tue 29/04/2025 16:00 + 1 day: 30/04–04/05 off → Mon 05/05 16:00
    assert calendar.add_working_days(at(2025, 4, 29, 16), 1) == at(2025, 5, 5, 16)


def test_half_day_and_outside_hours():
    assert calendar.add_working_days(at(2026, 3, 2, 7), Decimal("0.5")) == at(2026, 3, 2, 11)
    # submitted Saturday evening: the clock starts Monday 07:00
    assert calendar.add_working_days(at(2026, 3, 7, 20), 1) == at(2026, 3, 9, 17)
    assert calendar.add_working_minutes(at(2026, 3, 2, 12), 0) == at(2026, 3, 2, 13, 30)
    with pytest.raises(ValueError):
        calendar.add_working_minutes(at(2026, 3, 2, 12), -1)


def test_edited_exception_is_seen_at_once():
    day = D(2026, 3, 3)
    assert calendar.is_working_day(day)
    row = CalendarException.objects.create(date=day, kind=CalendarException.DAY_OFF, note="Nghỉ đột xuất")
    assert not calendar.is_working_day(day)
    assert calendar.add_working_days(at(2026, 3, 2, 9), 1) == at(2026, 3, 4, 9)
    row.delete()
    assert calendar.is_working_day(day)
    saturday = D(2026, 3, 7)
    CalendarException.objects.create(date=saturday, kind=CalendarException.WORKING_DAY)
    assert calendar.is_working_day(saturday)


def test_working_minutes_between():
    assert calendar.working_minutes_between(at(2026, 3, 2, 7), at(2026, 3, 3, 7)) == 480
    assert calendar.working_minutes_between(at(2026, 3, 6, 16), at(2026, 3, 9, 8)) == 120
    assert calendar.working_minutes_between(at(2026, 3, 9, 8), at(2026, 3, 6, 16)) == -120
    assert calendar.working_minutes_between(at(2026, 3, 2, 11, 45), at(2026, 3, 2, 13, 15)) == 0


moments = st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2026, 12, 20),
                       timezones=st.just(TZ))
minutes = st.integers(min_value=0, max_value=480 * 30)
PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROPS
@given(moments, minutes)
def test_result_lies_in_working_hours_of_a_working_day(start, m):
    end = calendar.add_working_minutes(start, m)
    assert end >= start
    assert calendar.is_working_moment(end)
    day = end.astimezone(TZ).date()
    if day.weekday() >= 5:  # only a make-up day may be a weekend
        assert CalendarException.objects.filter(date=day, kind=CalendarException.WORKING_DAY).exists()


@PROPS
@given(moments, minutes)
def test_round_trip(start, m):
    assert calendar.working_minutes_between(start, calendar.add_working_minutes(start, m)) == m


@PROPS
@given(moments, moments, minutes, minutes)
def test_monotonic(t1, t2, m1, m2):
    t1, t2 = sorted((t1, t2))
    m1, m2 = sorted((m1, m2))
    assert calendar.add_working_minutes(t1, m1) <= calendar.add_working_minutes(t2, m1)
    assert calendar.add_working_minutes(t1, m1) <= calendar.add_working_minutes(t1, m2)


@PROPS
@given(moments, st.sampled_from(["0.5", "1", "3", "5", "7", "10", "15", "20", "30"]))
def test_appointment_is_on_a_working_day(start, days):
    due = calendar.add_working_days(start, Decimal(days))
    day = due.astimezone(TZ).date()
    assert calendar.is_working_day(day)
    assert day.weekday() < 5 or day in {D(2025, 4, 26), D(2026, 8, 22)}
    assert day not in calendar._public_holidays(day.year) or day in {D(2025, 4, 26), D(2026, 8, 22)}
