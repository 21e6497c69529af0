"""Reporting periods: what a user types ('2023', '2023-Q4', '2023-11', from … to …), its label, and how a period
is cut into the year, month and day rows of StatCounter (whole years, then whole months, then the remaining days),
as a Django filter or as SQL."""

from __future__ import annotations

import calendar
import datetime as dt

from django.db.models import Q

from motcua.core.digits import whole_number
from motcua.core.errors import ValidationFailed

EPOCH = dt.date(2000, 1, 1)


def _period_parts(start: dt.date | None, end: dt.date) -> tuple[list, list, list]:
    """Whole years, whole months and (first, last) day ranges that cover [start, end] without overlap."""
    start = start or EPOCH
    cur = start
    years, months, days = [], [], []
    while cur <= end:
        year_end = dt.date(cur.year, 12, 31)
        month_end = dt.date(cur.year, cur.month, calendar.monthrange(cur.year, cur.month)[1])
        if cur.month == 1 and cur.day == 1 and year_end <= end:
            years.append(cur)
            cur = year_end + dt.timedelta(days=1)
        elif cur.day == 1 and month_end <= end:
            months.append(cur)
            cur = month_end + dt.timedelta(days=1)
        else:
            stop = min(month_end, end)
            days.append((cur, stop))
            cur = stop + dt.timedelta(days=1)
    return years, months, days


def period_filter(start: dt.date | None, end: dt.date) -> Q:
    """Non-overlapping year / month / day rows covering [start, end]; start None = since the beginning."""
    years, months, days = _period_parts(start, end)
    if not (years or months or days):
        return Q(grain="-")  # matches nothing, yet compiles inside FILTER clauses
    q = Q()
    if years:
        q |= Q(grain="y", period_start__in=years)
    if months:
        q |= Q(grain="m", period_start__in=months)
    for lo, hi in days:
        q |= Q(grain="d", period_start__gte=lo, period_start__lte=hi)
    return q


def _runs(starts: list[dt.date], step: int) -> list[tuple[dt.date, dt.date]]:
    """Consecutive years (step 12) or months (step 1) as (first, last) period starts."""
    runs: list[list[dt.date]] = []
    for d in starts:
        prev = runs[-1][1] if runs else None
        if prev is not None and (d.year - prev.year) * 12 + d.month - prev.month == step:
            runs[-1][1] = d
        else:
            runs.append([d, d])
    return [(a, b) for a, b in runs]


def _period_sql(start: dt.date | None, end: dt.date) -> tuple[str, list]:
    """period_filter() as an SQL condition on StatCounter's grain and period_start, with its parameters.

    Year rows start on 1 January and month rows on the 1st, so a run of consecutive years or months is a
    BETWEEN on period_start (a province-year since 2000 is three conditions, not 25 dates)."""
    years, months, days = _period_parts(start, end)
    ranges = ([("y", a, b) for a, b in _runs(years, 12)] + [("m", a, b) for a, b in _runs(months, 1)]
              + [("d", a, b) for a, b in days])
    if not ranges:
        return "(1 = 0)", []
    return ("(" + " OR ".join(["(grain = %s AND period_start BETWEEN %s AND %s)"] * len(ranges)) + ")",
            [p for r in ranges for p in r])


def parse_period(period: str | None = None, start: str | dt.date | None = None,
                 end: str | dt.date | None = None) -> tuple[dt.date, dt.date]:
    """'2023', '2023-Q4', '2023-11', or explicit start/end (ISO or dd/mm/yyyy)."""

    def to_date(value):
        if isinstance(value, dt.date):
            return value
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                if value.strip().isascii():  # strptime reads "٠١/٠١/٢٠٢٦" (core.digits: 0–9 only)
                    return dt.datetime.strptime(value.strip(), fmt).date()
            except ValueError:
                pass
        raise ValidationFailed("invalid_date", f"Ngày không hợp lệ: «{str(value)[:40]}» (dd/mm/yyyy).")

    def number(text: str) -> int:
        # 0–9 only, at most a year's four (core.digits): int() reads "２０２６" and "٤", and a year of twenty
        # digits overflows dt.date (an OverflowError, not a ValueError)
        value = whole_number(text, high=9999)
        if value is None:
            raise ValueError(text)
        return value

    try:
        if start and end:
            lo, hi = to_date(start), to_date(end)
        elif period and "-Q" in period.upper():
            y, q = (number(p) for p in period.upper().split("-Q"))
            if not 1 <= q <= 4:
                raise ValueError
            lo = dt.date(y, 3 * q - 2, 1)
            hi = dt.date(y, 3 * q, calendar.monthrange(y, 3 * q)[1])
        elif period and len(period) == 7:
            y, m = (number(p) for p in period.split("-"))
            lo, hi = dt.date(y, m, 1), dt.date(y, m, calendar.monthrange(y, m)[1])
        elif period and len(period) == 4:
            y = number(period)
            lo, hi = dt.date(y, 1, 1), dt.date(y, 12, 31)
        else:
            raise ValueError
    except ValidationFailed:
        raise
    except (ValueError, TypeError) as exc:
        raise ValidationFailed("invalid_period", "Kỳ báo cáo không hợp lệ (ví dụ: 2023, 2023-Q4, 2023-11 hoặc "
                                                 "từ ngày … đến ngày …).") from exc
    if lo > hi:
        raise ValidationFailed("invalid_period", "Ngày bắt đầu phải trước ngày kết thúc.")
    if lo < EPOCH or hi.year > 2100:
        raise ValidationFailed("invalid_period", "Kỳ báo cáo nằm ngoài phạm vi dữ liệu.")
    return lo, hi


def period_label(start: dt.date, end: dt.date) -> str:
    if start.month == 1 and start.day == 1 and end == dt.date(start.year, 12, 31):
        return f"năm {start.year}"
    if start.day == 1 and start.year == end.year and end.month == start.month and (
            end + dt.timedelta(days=1)).day == 1:
        return f"tháng {start.month} năm {start.year}"
    return f"từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}"


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
