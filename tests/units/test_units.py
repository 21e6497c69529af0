import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from motcua.core.errors import ValidationFailed
from motcua.units.models import AdministrativeUnit, Agency, Counter, Department
from motcua.units.services import commune_agency_code, load_agencies, load_units, reorganize

pytestmark = pytest.mark.django_db


def test_quang_ngai_2025_has_96_commune_level_units():
    call_command("load_units", stdout=StringIO())
    province = AdministrativeUnit.objects.get(code="51")
    assert province.name == "Tỉnh Quảng Ngãi" and province.level == AdministrativeUnit.PROVINCE
    children = AdministrativeUnit.objects.filter(parent=province)
    assert children.count() == 96
    assert children.filter(level=AdministrativeUnit.COMMUNE).count() == 86
    assert children.filter(level=AdministrativeUnit.WARD).count() == 9
    special = children.get(level=AdministrativeUnit.SPECIAL_ZONE)
    assert special.name == "Đặc khu Lý Sơn"


def test_load_units_is_idempotent_and_refreshes_names():
    load_units("51")
    unit = AdministrativeUnit.objects.get(name="Phường Cẩm Thành")
    unit.name = "Tên sai"
    unit.save()
    report = load_units("51")
    assert report.created == 0 and report.updated == 1
    assert AdministrativeUnit.objects.count() == 97
    unit.refresh_from_db()
    assert unit.name == "Phường Cẩm Thành"


def test_other_province_option_and_unknown_code():
    out = StringIO()
    call_command("load_units", "--province", "1", stdout=out)  # Hà Nội
    assert AdministrativeUnit.objects.get(code="01").name == "Thành phố Hà Nội"
    assert AdministrativeUnit.objects.filter(parent__code="01").count() > 100
    from django.core.management.base import CommandError
    with pytest.raises(CommandError, match="Không có tỉnh"):
        call_command("load_units", "--province", "99", stdout=out)


def test_agencies_codes_counters_departments():
    load_units("51")
    load_agencies("51", prefix="H51")
    assert Agency.objects.get(code="H51").kind == Agency.PROVINCIAL_COMMITTEE
    center = Agency.objects.get(code="H51.01")
    assert center.kind == Agency.SERVICE_CENTER and center.counters.count() >= 1
    assert Agency.objects.get(code="H51.06").name == "Sở Nông nghiệp và Môi trường tỉnh Quảng Ngãi"
    communes = Agency.objects.filter(kind=Agency.COMMUNE_COMMITTEE)
    assert communes.count() == 96
    first = communes.order_by("code").first()
    assert first.code == "H51.50.01" and first.admin_unit.code == "21025"  # lowest official code
    ly_son = communes.get(admin_unit__name="Đặc khu Lý Sơn")
    assert ly_son.name == "Ủy ban nhân dân đặc khu Lý Sơn"
    assert set(ly_son.departments.values_list("code", flat=True)) == {"VP", "KT", "VHXH"}
    assert ly_son.counters.filter(is_active=True).count() == 1
    before = (Agency.objects.count(), Counter.objects.count(), Department.objects.count())
    report = load_agencies("51", prefix="H51")
    assert report.created == 0
    assert (Agency.objects.count(), Counter.objects.count(), Department.objects.count()) == before


def test_prefix_is_configurable(settings):
    settings.MOTCUA_AGENCY_CODE_PREFIX = "H99"
    load_units("51")
    call_command("load_agencies", stdout=StringIO())
    assert Agency.objects.filter(code="H99.50.96").exists()
    assert not Agency.objects.filter(code__startswith="H51").exists()


def test_commune_code_blocks_beyond_99():
    assert commune_agency_code("H51", 1) == "H51.50.01"
    assert commune_agency_code("H51", 99) == "H51.50.99"
    assert commune_agency_code("H51", 100) == "H51.51.01"


def _setup():
    load_units("51")
    load_agencies("51", prefix="H51")
    a, b = AdministrativeUnit.objects.filter(level=AdministrativeUnit.COMMUNE).order_by("code")[:2]
    return a, b


def test_reorganize_merges_and_keeps_open_dossiers(django_user_model):
    from decimal import Decimal

    from motcua.catalog.models import Field, Procedure
    from motcua.dossiers.models import Dossier

    a, b = _setup()
    old_agency = Agency.objects.get(admin_unit=a)
    field = Field.objects.create(code="HT", name="Hộ tịch")
    proc = Procedure.objects.create(code="1.001193", name="Đăng ký khai sinh", field=field, level="commune",
                                    agency_kind="commune_committee", processing_days=Decimal("1"))
    proc.agencies.add(old_agency)
    dossier = Dossier.objects.create(code="H51.50.03-250701-0001", procedure=proc, agency=old_agency,
                                     current_agency=old_agency, status="processing", channel="online",
                                     rule_version="118/2025", applicant_name="Nguyễn Văn A")
    new = reorganize([a, b], code="99001", name="Xã Hợp Nhất", level=AdministrativeUnit.COMMUNE,
                     valid_from=dt.date(2026, 1, 1))
    a.refresh_from_db()
    b.refresh_from_db()
    assert not a.is_active and a.replaced_by == new and a.valid_to == dt.date(2025, 12, 31)
    assert b.replaced_by == new
    assert new.parent.code == "51" and new.is_active
    new_agency = Agency.objects.get(admin_unit=new)
    assert new_agency.code == "H51.50.97"  # next free number, nobody renumbered
    assert new_agency.name == "Ủy ban nhân dân xã Hợp Nhất"
    assert proc in new_agency.procedures.all()
    old_agency.refresh_from_db()
    assert not old_agency.is_active and old_agency.code == "H51.50.03"
    assert not old_agency.counters.filter(is_active=True).exists()
    dossier.refresh_from_db()
    assert (dossier.code, dossier.agency_id, dossier.current_agency_id, dossier.status) == (
        "H51.50.03-250701-0001", old_agency.pk, old_agency.pk, "processing")
    # loading again does not revive the merged units nor renumber
    load_units("51")
    load_agencies("51", prefix="H51")
    a.refresh_from_db()
    assert not a.is_active
    assert Agency.objects.get(admin_unit=new).code == "H51.50.97"


def test_reorganize_rejects_bad_input_and_writes_nothing():
    a, b = _setup()
    with pytest.raises(ValidationFailed) as err:
        reorganize([a, b], code=b.code, name="X", level=AdministrativeUnit.COMMUNE)
    assert err.value.code == "reorganize_code_taken"
    province = AdministrativeUnit.objects.get(code="51")
    with pytest.raises(ValidationFailed):
        reorganize([a, province], code="99002", name="X", level=AdministrativeUnit.COMMUNE)
    reorganize([a], code="99003", name="Xã Mới", level=AdministrativeUnit.COMMUNE)
    with pytest.raises(ValidationFailed) as err:
        reorganize([a, b], code="99004", name="Y", level=AdministrativeUnit.COMMUNE)
    assert err.value.code == "reorganize_inactive"
    b.refresh_from_db()
    assert b.is_active and not AdministrativeUnit.objects.filter(code__in=["99002", "99004"]).exists()


def test_reorganize_command():
    a, b = _setup()
    out = StringIO()
    call_command("reorganize_units", a.code, b.code, "--code", "99010", "--name", "Xã Hòa Bình",
                 "--from", "01/03/2026", stdout=out)
    assert "Ủy ban nhân dân xã Hòa Bình" in out.getvalue() and "H51.50.97" in out.getvalue()
    new = AdministrativeUnit.objects.get(code="99010")
    assert new.valid_from == dt.date(2026, 3, 1)
    from django.core.management.base import CommandError
    with pytest.raises(CommandError, match="Không tìm thấy đơn vị mã: 00000"):
        call_command("reorganize_units", "00000", "--code", "99011", "--name", "X", stdout=out)
    with pytest.raises(CommandError, match="dd/mm/yyyy"):
        call_command("reorganize_units", a.code, "--code", "99011", "--name", "X", "--from", "2026-03-01",
                     stdout=out)
