"""core.fields.overlong: the facts both imports phrase their "too long" errors from."""

from motcua.catalog.models import Procedure
from motcua.core.fields import Overlong, overlong
from motcua.transformation.models import Task


def test_a_text_longer_than_its_field_is_told_with_the_fields_name_limit_and_length():
    field = Procedure._meta.get_field("fee_note")  # max_length=500
    assert overlong(field, "x" * 501) == Overlong("ghi chú phí", 500, 501)


def test_a_text_that_fits_a_value_that_is_no_text_and_a_field_without_limit_are_not():
    field = Procedure._meta.get_field("fee_note")
    assert overlong(field, "x" * 500) is None
    assert overlong(field, 10 ** 600) is None
    assert overlong(Task._meta.get_field("content"), "x" * 100_000) is None  # a TextField: no max_length
