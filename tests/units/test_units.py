import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from motcua.units import days, lifetime
from motcua.units.models import AdministrativeUnit, Agency, Counter, Department
from motcua.units.services import commune_agency_code, load_agencies, load_units
from tests.factories import AdministrativeUnitFactory

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


@pytest.mark.parametrize("prefix", ["h51", "H 51", "H51-", "H51.", "Ｈ51"])
def test_a_prefix_no_agency_code_could_have_is_refused_before_anything_is_loaded(settings, prefix):
    settings.MOTCUA_AGENCY_CODE_PREFIX = prefix
    load_units("51")
    with pytest.raises(CommandError, match="Tiền tố mã định danh .* không hợp lệ. Mã định danh gồm chữ in hoa"):
        call_command("load_agencies", stdout=StringIO())
    assert not Agency.objects.exists()


def test_commune_code_blocks_beyond_99():
    assert commune_agency_code("H51", 1) == "H51.50.01"
    assert commune_agency_code("H51", 99) == "H51.50.99"
    assert commune_agency_code("H51", 100) == "H51.51.01"


def test_load_agencies_numbers_new_communes_past_codes_typed_with_other_digits():
    """Codes an administrator typed as "H51.50.²" (int() refuses it: the command stopped with a traceback) or with
    Arabic-Indic digits "H51.٥٠.٩٩" (int() reads 50.99: the new communes started at H51.51.01) are not commune
    codes of the H51.50.NN series; the numbering starts at H51.50.01."""
    from tests.factories import AgencyFactory

    load_units("51")
    AgencyFactory(code="H51.50.²", kind=Agency.VERTICAL)
    AgencyFactory(code="H51.٥٠.٩٩", kind=Agency.VERTICAL)
    out = StringIO()
    call_command("load_agencies", "--province", "51", "--prefix", "H51", stdout=out)
    assert "Cơ quan:" in out.getvalue()
    first = Agency.objects.filter(kind=Agency.COMMUNE_COMMITTEE).order_by("code").first()
    assert first.code == "H51.50.01" and first.admin_unit.code == "21025"


def test_a_unit_exists_from_its_first_to_its_last_day_for_its_lifetime_its_query_and_the_admin():
    """One rule (units.days): the lifetime, the query that finds the units existing on a day, and the admin's check
    that a unit merges into one existing the day after its last day agree on every edge."""
    first, last = dt.date(2026, 4, 1), dt.date(2026, 6, 30)
    target = AdministrativeUnitFactory(name="Phường Hợp Nhất", valid_from=first, valid_to=last)
    one = dt.timedelta(days=1)
    for day in (first - one, first, last, last + one):
        exists = first <= day <= last
        assert days.within(first, last, day) is exists
        assert days.within(None, last, day) is (day <= last) and days.within(first, None, day) is (first <= day)
        assert days.within(None, None, day)
        assert lifetime.of_unit(target).exists_on(day) is exists
        assert AdministrativeUnit.objects.filter(lifetime.existing_on(day), pk=target.pk).exists() is exists
        merging = AdministrativeUnitFactory.build(name="Xã Cũ", valid_to=day - one, replaced_by=target)
        assert (merging._merged_into_problem() == "") is exists, day
