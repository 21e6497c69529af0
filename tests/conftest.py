import pytest


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    from motcua.core import calendar

    calendar.invalidate_cache()
    yield
    calendar.invalidate_cache()
