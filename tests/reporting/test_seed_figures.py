"""Seed 000 (Quảng Ngãi city, 2023): the report must print the city's own figures.

A formatting test: the city's totals are written straight into the counter table, to check how they are read
over a period and printed. test_seed_activity.py reproduces seed 004's rates by real transitions instead."""

import datetime as dt

import pytest

from motcua.reporting import indicators
from motcua.reporting.consumer import upsert_counters

pytestmark = pytest.mark.django_db

AG = "H55.QNG"


def _seed_2023():
    """Counter rows with seed 000's totals, spread over several days, months and channels."""
    rows = {}

    def put(day, level, channel, **metrics):
        key = (day, AG, f"P-{level}", "LV-HT", level, channel)
        bucket = rows.setdefault(key, {})
        for m, v in metrics.items():
            bucket[m] = bucket.get(m, 0) + v

    # partial-online procedures: 28,037 online of 83,843
    put(dt.date(2023, 3, 14), "partial", "online", received=20_000)
    put(dt.date(2023, 11, 20), "partial", "online", received=8_037)
    put(dt.date(2023, 6, 1), "partial", "counter", received=50_000)
    put(dt.date(2023, 11, 27), "partial", "counter", received=5_806)
    # full-online procedures: 11,696 online of 15,575
    put(dt.date(2023, 5, 5), "full", "online", received=11_696)
    put(dt.date(2023, 9, 9), "full", "post", received=3_879)
    # procedures without online service: the rest of the 103,331
    put(dt.date(2023, 2, 2), "none", "counter", received=103_331 - 83_843 - 15_575)
    # resolution, digitization (seed: 103,095 resolved; 51,089 digitized at receipt; 41,920 results digitized)
    put(dt.date(2023, 7, 7), "partial", "counter", received_digitized=51_089, resolved=100_000,
        results_digitized=40_000, finished=100_000)
    put(dt.date(2023, 11, 27), "full", "online", resolved=3_095, results_digitized=1_920, finished=3_095)
    # outside the period: must not count
    put(dt.date(2023, 11, 28), "partial", "online", received=999, resolved=999, finished=999)
    put(dt.date(2022, 12, 31), "partial", "online", received=50, finished=20)
    upsert_counters(rows)


def test_report_prints_seed_000_figures():
    _seed_2023()
    ind = indicators.totals(dt.date(2023, 1, 1), dt.date(2023, 11, 27))
    assert ind["received"] == 103_331
    assert ind["resolved"] == 103_095
    assert ind["received_partial"] == 83_843 and ind["received_online_partial"] == 28_037
    assert ind["received_full"] == 15_575 and ind["received_online_full"] == 11_696
    assert ind["carried_over"] == 30  # 50 received − 20 finished before 2023

    text = indicators.seed_sentence(ind)
    assert "103.331" in text and "103.095" in text
    assert "(đạt 99,77 %)" in text
    assert "51.089 hồ sơ (đạt 49,44 %)" in text
    assert "41.920 hồ sơ (đạt 40,66 %)" in text
    assert "28.037/83.843 hồ sơ trực tuyến (đạt 33,44 %)" in text
    # 11,696 ÷ 15,575 = 75,09 %; the seed rounds the same figure to one decimal.
    assert "11.696/15.575 hồ sơ trực tuyến (đạt 75,09 %)" in text
    assert indicators.format_percent(ind.rates["online_rate_full"], 1) == "75,1 %"

    table = {row[0]: row for row in indicators.summary_table(ind)}
    assert table["received"][2] == "103.331"
    assert table["resolved"][3] == "99,77 %"
    assert table["results_digitized"][3] == "40,66 %"
    assert table["received_online_partial"][3] == "33,44 %"


def test_period_split_uses_each_row_once():
    _seed_2023()
    # the two days of November that hold rows, read from day rows; the rest from month rows
    nov = indicators.totals(dt.date(2023, 11, 20), dt.date(2023, 11, 27))
    assert nov["received"] == 8_037 + 5_806
    year = indicators.totals(dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert year["received"] == 103_331 + 999
    q4 = indicators.totals(*indicators.parse_period("2023-Q4"))
    assert q4["received"] == 8_037 + 5_806 + 999
    by_channel = indicators.compute(dt.date(2023, 1, 1), dt.date(2023, 11, 27), group_by="channel")
    assert by_channel[("post",)]["received"] == 3_879
    assert sum(i["received"] for i in by_channel.values()) == 103_331


@pytest.mark.parametrize("period", ["2023-13", "abc", "2023-Q5", ""])
def test_bad_period_is_a_clear_error(period):
    from motcua.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as err:
        indicators.parse_period(period)
    assert err.value.code == "invalid_period"


def test_first_day_of_the_data_range_has_nothing_carried_over():
    _seed_2023()
    ind = indicators.totals(dt.date(2000, 1, 1), dt.date(2023, 12, 31))
    assert ind["carried_over"] == 0 and ind["received"] == 103_331 + 999 + 50
