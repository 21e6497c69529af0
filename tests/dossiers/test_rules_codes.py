import datetime as dt

import pytest

from motcua.dossiers import codes, rules

from .factories import at, make_world


def test_rule_version_switches_at_local_midnight_of_1_july_2025():
    utc = dt.UTC
    assert rules.rule_version_for(at(2025, 6, 30, 23, 59)) == rules.DECREE61_2018
    assert rules.rule_version_for(at(2025, 7, 1, 0, 0)) == rules.DECREE118_2025
    # 30/06 17:30 UTC is already 01/07 00:30 in Việt Nam
    assert rules.rule_version_for(dt.datetime(2025, 6, 30, 17, 30, tzinfo=utc)) == rules.DECREE118_2025
    assert rules.rule_version_for(dt.date(2019, 1, 6)) == rules.DECREE61_2018


def test_rules_can_be_overridden_per_version(settings):
    assert rules.rules_for(rules.DECREE118_2025).max_supplement_requests == 1
    settings.MOTCUA_RULES = {rules.DECREE61_2018: {"apology_min_days_before_due": 2}}
    assert rules.rules_for(rules.DECREE61_2018).apology_min_days_before_due == 2
    assert rules.rules_for(rules.DECREE118_2025).apology_min_days_before_due == 1


def test_code_format():
    assert codes.format_code("H51.27.01", dt.date(2026, 3, 2), 7) == "H51.27.01-260302-0007"
    assert codes.format_code("H51.27.01", dt.date(2026, 3, 2), 12345) == "H51.27.01-260302-12345"


@pytest.mark.django_db
def test_code_day_is_the_local_day_and_sequence_restarts_each_day():
    w = make_world()
    late_evening_utc = dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC)  # 03/03 06:30 local
    a = w.walk_in(when=late_evening_utc)
    b = w.walk_in(when=at(2026, 3, 3, 8))
    c = w.walk_in(when=at(2026, 3, 4, 8))
    assert (a.code, b.code, c.code) == (f"{w.agency.code}-260303-0001", f"{w.agency.code}-260303-0002",
                                        f"{w.agency.code}-260304-0001")
