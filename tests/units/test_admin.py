"""An agency's identity code (mã định danh) saved through the Django admin: it starts every dossier code and names the
agency in page addresses, statistics scopes and reports, so the admin refuses what would break them, in Vietnamese
(units.models.AGENCY_CODE), and a code once given is not changed there."""

import pytest

from motcua.units.models import AdministrativeUnit, Agency
from tests.admin_forms import admin_form, errors_of
from tests.factories import AdministrativeUnitFactory, AgencyFactory, sign_in

pytestmark = pytest.mark.django_db
ADD = "/admin/units/agency/add/"
FORMAT = "Mã định danh gồm chữ in hoa không dấu (A–Z) và chữ số"


@pytest.fixture
def admin_client(client, django_user_model):
    sign_in(client, django_user_model.objects.create_superuser("quantri", "qt@example.vn", "matkhau-123"))
    return client


def _new(admin_client, code: str):
    unit = AdministrativeUnitFactory(code="55", name="Tỉnh Thử Nghiệm", level=AdministrativeUnit.PROVINCE)
    return admin_client.post(ADD, admin_form(admin_client, ADD, code=code, name="Sở Thử Nghiệm",
                                             kind=Agency.PROVINCIAL_DEPARTMENT, admin_unit=str(unit.pk)))


@pytest.mark.parametrize("code", [
    "h51.13",  # lowercase
    "H51 13",  # a space inside
    "H51-13",  # the dash separates the parts of a dossier code
    "H51/13",  # not in a page address
    "H51..13", ".H51", "H51.",  # an empty group
    "H51@13", "H51;13", "level:H51",  # the statistics' own separators
    "Đ51.13",  # a Vietnamese letter
    "Ｈ51.13",  # full-width
])
def test_a_code_that_would_break_dossier_codes_addresses_or_statistics_is_refused_in_vietnamese(admin_client, code):
    answer = _new(admin_client, code)
    assert answer.status_code == 200
    assert any(FORMAT in e for e in errors_of(answer)), errors_of(answer)
    assert not Agency.objects.filter(name="Sở Thử Nghiệm").exists()


def test_an_over_long_code_is_refused_in_vietnamese(admin_client):
    answer = _new(admin_client, "H51." + "1" * 40)
    assert answer.status_code == 200 and errors_of(answer) == ["Không được dài quá 32 ký tự (đang có 44 ký tự)."]
    assert not Agency.objects.filter(name="Sở Thử Nghiệm").exists()


def test_a_well_formed_code_is_saved(admin_client):
    assert _new(admin_client, "H51.13").status_code == 302
    assert Agency.objects.get(code="H51.13").name == "Sở Thử Nghiệm"


def test_a_given_code_is_not_changed_and_an_agency_is_not_its_own_successor(admin_client):
    agency = AgencyFactory(code="H55.07")
    url = f"/admin/units/agency/{agency.pk}/change/"
    answer = admin_client.post(url, admin_form(admin_client, url, code="H55.08"))
    assert answer.status_code == 200
    assert any("Mã định danh đã cấp không đổi được (đang là H55.07)" in e for e in errors_of(answer))
    answer = admin_client.post(url, admin_form(admin_client, url, successor=str(agency.pk), parent=str(agency.pk)))
    assert answer.status_code == 200
    assert {"Cơ quan không thể là cơ quan kế thừa của chính nó.",
            "Cơ quan không thể là cơ quan cấp trên của chính nó."} <= set(errors_of(answer))
    agency.refresh_from_db()
    assert (agency.code, agency.successor_id, agency.parent_id) == ("H55.07", None, None)
    assert admin_client.post(url, admin_form(admin_client, url, phone="0255 3822 123")).status_code == 302
    assert Agency.objects.get(pk=agency.pk).phone == "0255 3822 123"


def test_an_agency_whose_code_predates_the_check_can_still_be_edited(admin_client):
    """No migration rewrites existing codes: a row saved before keeps its code and its other fields stay editable."""
    agency = AgencyFactory(code="h55 cu")
    url = f"/admin/units/agency/{agency.pk}/change/"
    assert admin_client.post(url, admin_form(admin_client, url, name="UBND xã Cũ")).status_code == 302
    agency.refresh_from_db()
    assert (agency.code, agency.name) == ("h55 cu", "UBND xã Cũ")
