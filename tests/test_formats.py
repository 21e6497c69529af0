import datetime as dt

from django.template import Context, Template
from django.utils import translation


def test_dates_and_numbers_render_the_vietnamese_way():
    with translation.override("vi"):
        out = Template("{{ d|date:'SHORT_DATE_FORMAT' }} {{ n }} {{ x }}").render(
            Context({"d": dt.date(2026, 3, 5), "n": 103331, "x": 99.77}))
    assert out == "05/03/2026 103.331 99,77"
