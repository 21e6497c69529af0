"""«Cơ quan cấp trên» of an agency and «thuộc» of an administrative unit, as an administrator sets them in the admin:
never the row itself nor a row under it at any depth (A under B under A has no top), each refusal in Vietnamese under
the field; a parent elsewhere in the tree is saved."""

from itertools import pairwise

import pytest

from motcua.units.models import AdministrativeUnit, Agency
from tests.admin_forms import admin_form, errors_of
from tests.factories import AdministrativeUnitFactory, AgencyFactory, sign_in
from tests.units.test_successor_in_admin import _agency_url, _refused, _unit_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    sign_in(client, django_user_model.objects.create_superuser("quantri", "qt@example.vn", "matkhau-123"))
    return client


def _chain(model, rows):
    """Each of ``rows`` under the one before it (stored as a migration or an earlier edit left them)."""
    for upper, lower in pairwise(rows):
        model.objects.filter(pk=lower.pk).update(parent=upper)


def test_an_agency_is_not_above_the_agencies_above_it(admin_client):
    province = AdministrativeUnitFactory(code="55", name="Tỉnh Thử Nghiệm", level=AdministrativeUnit.PROVINCE)
    top, middle, bottom, other = (AgencyFactory(code=f"H55.0{n}", name=f"Sở Thử Nghiệm {n}", admin_unit=province,
                                                kind=Agency.PROVINCIAL_DEPARTMENT) for n in (2, 3, 4, 5))
    _chain(Agency, [top, middle, bottom])
    url = _agency_url(top)

    assert _refused(admin_client, url, "parent", parent=str(middle.pk)) == [
        "Không thể chọn Sở Thử Nghiệm 3: cơ quan này trực thuộc (trực tiếp hoặc qua cơ quan khác) chính cơ quan đang "
        "sửa, sẽ tạo thành vòng lặp."]
    assert _refused(admin_client, url, "parent", parent=str(bottom.pk)) == [
        "Không thể chọn Sở Thử Nghiệm 4: cơ quan này trực thuộc (trực tiếp hoặc qua cơ quan khác) chính cơ quan đang "
        "sửa, sẽ tạo thành vòng lặp."]
    assert _refused(admin_client, url, "parent", parent=str(top.pk)) == [
        "Cơ quan không thể là cơ quan cấp trên của chính nó."]
    assert Agency.objects.get(pk=top.pk).parent_id is None

    answer = admin_client.post(url, admin_form(admin_client, url, parent=str(other.pk)))
    assert answer.status_code == 302, errors_of(answer)
    assert Agency.objects.get(pk=top.pk).parent_id == other.pk


def test_a_unit_does_not_belong_to_the_units_that_belong_to_it(admin_client):
    top, middle, bottom, other = (AdministrativeUnitFactory(code=f"9{n}", name=f"Tỉnh Thử Nghiệm {n}",
                                                            level=AdministrativeUnit.PROVINCE) for n in range(4))
    _chain(AdministrativeUnit, [top, middle, bottom])
    url = _unit_url(top)

    assert _refused(admin_client, url, "parent", parent=str(bottom.pk)) == [
        "Không thể chọn Tỉnh Thử Nghiệm 2: đơn vị này thuộc (trực tiếp hoặc qua đơn vị khác) chính đơn vị đang sửa, "
        "sẽ tạo thành vòng lặp."]
    assert _refused(admin_client, url, "parent", parent=str(top.pk)) == ["Đơn vị không thể thuộc chính nó."]
    assert AdministrativeUnit.objects.get(pk=top.pk).parent_id is None

    answer = admin_client.post(url, admin_form(admin_client, url, parent=str(other.pk)))
    assert answer.status_code == 302, errors_of(answer)
    assert AdministrativeUnit.objects.get(pk=top.pk).parent_id == other.pk
