import pytest

from motcua.units.services import load_agencies, load_units


@pytest.fixture
def province(db):
    load_units("51")
    load_agencies("51", prefix="H51")
