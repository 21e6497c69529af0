"""A province with two wards (the towns of seeds 000 and 004 became wards in 2025) and their officers."""

from types import SimpleNamespace

import pytest

from motcua.units.models import AdministrativeUnit, Agency
from tests.factories import officer

from .seed_xlsx import build

_BUILT: dict[str, bytes] = {}


def seed_file(name: str) -> bytes:
    """The .xlsx of a seed appendix (built once per run from data/seed_appendices.json)."""
    if name not in _BUILT:
        _BUILT[name] = build(name)
    return _BUILT[name]


@pytest.fixture
def dx(db):
    province = AdministrativeUnit.objects.create(code="51", name="Tỉnh Quảng Ngãi", level=AdministrativeUnit.PROVINCE)
    duc_pho = AdministrativeUnit.objects.create(code="21439", name="Phường Đức Phổ", level=AdministrativeUnit.WARD,
                                                parent=province)
    cam_thanh = AdministrativeUnit.objects.create(code="21025", name="Phường Cẩm Thành",
                                                  level=AdministrativeUnit.WARD, parent=province)
    committee = Agency.objects.create(code="H51", name="Ủy ban nhân dân tỉnh Quảng Ngãi",
                                      kind=Agency.PROVINCIAL_COMMITTEE, admin_unit=province)
    dp = Agency.objects.create(code="H51.50.80", name="UBND phường Đức Phổ", kind=Agency.COMMUNE_COMMITTEE,
                               admin_unit=duc_pho, parent=committee)
    ct = Agency.objects.create(code="H51.50.01", name="UBND phường Cẩm Thành", kind=Agency.COMMUNE_COMMITTEE,
                               admin_unit=cam_thanh, parent=committee)
    dept = Agency.objects.create(code="H51.11", name="Sở Khoa học và Công nghệ tỉnh Quảng Ngãi",
                                 kind=Agency.PROVINCIAL_DEPARTMENT, admin_unit=province, parent=committee)
    return SimpleNamespace(
        province=committee, dp=dp, ct=ct, dept=dept,
        admin=officer("provincial_admin", None, username="qt.tinh", email="qt.tinh@example.vn"),
        auditor=officer("auditor", None, username="thanhtra"),
        dp_admin=officer("unit_admin", dp, username="qt.ducpho", email="qt.ducpho@example.vn"),
        dp_leader=officer("leader", dp, username="ld.ducpho"),
        dp_counter=officer("counter_officer", dp, username="mc.ducpho"),
        ct_admin=officer("unit_admin", ct, username="qt.camthanh", email="qt.camthanh@example.vn"),
        dept_head=officer("department_head", dept, username="tp.skhcn"),
    )


@pytest.fixture
def signed_in(client, monkeypatch):
    """A test client signed in as `user`, past the officers' second factor (tested in tests/web)."""
    monkeypatch.setattr("motcua.accounts.twofactor.needs_second_factor", lambda request: None)

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in
