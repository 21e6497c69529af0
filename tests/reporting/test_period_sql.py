"""The statistics' hand-written SQL selects exactly the counter rows of the ORM's period filter."""

import datetime as dt

import pytest
from django.db import connection

from motcua.reporting.models import StatCounter
from motcua.reporting.periods import _period_sql, period_filter

pytestmark = pytest.mark.django_db

PERIODS = [
    (dt.date(2025, 1, 1), dt.date(2025, 12, 31)),  # a year
    (None, dt.date(2024, 12, 31)),  # everything before a year: 25 whole years as one range
    (dt.date(2024, 3, 15), dt.date(2026, 5, 31)),  # days, months, a year, months again
    (dt.date(2025, 2, 1), dt.date(2025, 2, 28)),  # a month
    (dt.date(2025, 2, 10), dt.date(2025, 2, 9)),  # empty
    (dt.date(2023, 11, 30), dt.date(2025, 1, 1)),  # a day, a month, a year, a day
]


@pytest.fixture
def counters():
    rows = []
    for year in (1999, 2000, 2012, 2023, 2024, 2025, 2026):
        rows.append(("y", dt.date(year, 1, 1)))
        rows += [("m", dt.date(year, m, 1)) for m in range(1, 13)]
        rows += [("d", dt.date(year, m, d)) for m in (1, 2, 3, 5, 11, 12) for d in (1, 9, 10, 15, 28, 30)
                 if not (m == 2 and d == 30)]
    StatCounter.objects.bulk_create(
        StatCounter(grain=g, period_start=p, agency_code="H55.1", procedure_code="*", field_code="*",
                    online_level="full", channel="online") for g, p in rows)


@pytest.mark.parametrize(("start", "end"), PERIODS)
def test_sql_and_orm_select_the_same_rows(counters, start, end):
    orm = set(StatCounter.objects.filter(period_filter(start, end)).values_list("pk", flat=True))
    condition, params = _period_sql(start, end)
    with connection.cursor() as cur:
        cur.execute(f"SELECT id FROM {StatCounter._meta.db_table} WHERE {condition}", params)
        sql = {row[0] for row in cur.fetchall()}
    assert sql == orm
    assert bool(orm) == (start is None or start <= end)
