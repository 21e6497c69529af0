"""Amounts in triệu đồng, written the Vietnamese way, read back to the same đồng."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.core.errors import ValidationFailed
from motcua.transformation.money import MAX_VND, format_million, parse_million


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=MAX_VND), st.integers(min_value=0, max_value=6))
def test_what_is_printed_reads_back_to_the_same_dong(vnd, decimals):
    shown = format_million(vnd, None)
    assert parse_million(shown)[0] == vnd
    if decimals >= len(shown.partition(",")[2]):  # more decimals never change the amount
        assert parse_million(format_million(vnd, decimals)) == (vnd, decimals)


@pytest.mark.parametrize("text, vnd, decimals", [
    ("92,460", 92_460_000, 3), ("8.962,46", 8_962_460_000, 2), ("13.570", 13_570_000_000, 0), ("120", 120_000_000, 0),
    ("274,072", 274_072_000, 3), ("2.559,113", 2_559_113_000, 3), (" 1.970 ", 1_970_000_000, 0)])
def test_the_seeds_amounts(text, vnd, decimals):
    assert parse_million(text) == (vnd, decimals)
    assert format_million(vnd, decimals) == text.strip()


@pytest.mark.parametrize("text", ["-5", "1.5", "1,2,3", "12.34", "abc", "", "1,0000001", "∞", True, None])
def test_what_is_not_an_amount_is_refused_in_vietnamese(text):
    with pytest.raises(ValidationFailed) as exc:
        parse_million(text)
    assert exc.value.status == 422 and "Kinh phí" in exc.value.message
