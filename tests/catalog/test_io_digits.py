"""A catalog file's numbers and dates are written with 0–9 only (motcua.core.digits): a fee of "１０.０００", a
deadline of "١٥" days or a date in 2026 written "٢٠٢٦" is named as an error of its row, as any other bad value is,
instead of being imported as the number Python reads in it."""

import pytest

from motcua.catalog.io import CatalogInvalid, import_catalog_data
from motcua.catalog.models import Procedure

from .test_io import demo

pytestmark = pytest.mark.django_db


def _set(data, path, value):
    *where, key = path
    item = data["procedures"][0]
    for step in where:
        item = item[step]
    item[key] = value


@pytest.mark.parametrize("path, value, message", [
    (("fee_vnd",), "１０.０００", "phải là số đồng không âm"),
    (("fee_vnd",), "1_000", "phải là số đồng không âm"),
    (("processing_days",), "١٥", "không phải số ngày hợp lệ"),
    (("processing_days",), "１５", "không phải số ngày hợp lệ"),
    (("steps", 0, "duration_days"), "Infinity", "thứ tự và thời gian (ngày làm việc) phải là số không âm"),
    (("steps", 0, "duration_days"), "０.５", "thứ tự và thời gian (ngày làm việc) phải là số không âm"),
    (("components", 0, "originals"), "２", "số bản chính, số bản sao phải là số không âm"),
    (("announced_on",), "01/01/٢٠٢٦", "không phải ngày hợp lệ"),
])
def test_a_number_or_date_in_other_digits_is_named_and_nothing_is_written(province, path, value, message):
    data = demo()
    data["procedures"][0]["processing_days"] = "15"  # room for the steps (the deadline is not what is tested)
    _set(data, path, value)
    with pytest.raises(CatalogInvalid) as err:
        import_catalog_data(data)
    assert len(err.value.errors) == 1 and "Thủ tục thứ 1" in err.value.errors[0], err.value.errors
    assert message in err.value.errors[0], err.value.errors
    assert err.value.status == 422 and not Procedure.objects.exists()
