import pytest

from motcua.catalog.io import import_catalog
from motcua.catalog.models import Procedure
from tests.catalog.test_io import DEMO
from tests.factories import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_vi(client, django_user_model, province):
    import_catalog(DEMO)
    user = django_user_model.objects.create_superuser("quantri", "qt@example.vn", "matkhau-123")
    sign_in(client, user)
    return client


def test_procedure_admin_search_filters_and_inlines(admin_client_vi):
    client = admin_client_vi
    page = client.get("/admin/catalog/procedure/", {"q": "1.001193"})
    assert page.status_code == 200
    assert "Đăng ký khai sinh" in page.content.decode()
    page = client.get("/admin/catalog/procedure/", {"online_level__exact": "none"})
    body = page.content.decode()
    assert page.status_code == 200 and "Chứng thực chữ ký" in body and "Đăng ký khai sinh" not in body
    proc = Procedure.objects.get(code="1.012755")
    page = client.get(f"/admin/catalog/procedure/{proc.pk}/change/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Thành phần hồ sơ" in body or "thành phần hồ sơ" in body
    assert "Xác định nghĩa vụ tài chính" in body  # inline step


def test_units_admin_pages(admin_client_vi):
    client = admin_client_vi
    page = client.get("/admin/units/agency/", {"q": "Lý Sơn"})
    assert page.status_code == 200 and "Ủy ban nhân dân đặc khu Lý Sơn" in page.content.decode()
    page = client.get("/admin/units/administrativeunit/", {"level__exact": "special_zone"})
    assert page.status_code == 200 and "Đặc khu Lý Sơn" in page.content.decode()
    for url in ("/admin/units/counter/", "/admin/units/department/", "/admin/catalog/field/"):
        assert client.get(url).status_code == 200, url


def test_deleting_a_procedure_lists_its_agency_links_in_vietnamese(admin_client_vi):
    proc = Procedure.objects.filter(agencies__isnull=False).first()
    body = admin_client_vi.get(f"/admin/catalog/procedure/{proc.pk}/delete/").content.decode()
    assert "liên kết thủ tục hành chính – cơ quan" in body
    assert "relationship" not in body and "object (" not in body  # Django's own names for the link table


def _options(client, url, name) -> set[str]:
    import lxml.html
    page = lxml.html.fromstring(client.get(url).content.decode())
    return {v for v in page.xpath(f"//select[@name='{name}']/option/@value") if v}


def test_the_catalog_offers_no_agency_of_a_unit_whose_last_day_has_passed(admin_client_vi):
    """A procedure's receiving agencies and a step's agency are picked among the agencies receiving today
    (units.receiving): a commune dissolved yesterday is no longer offered; a procedure that already names it shows it
    as it is, and a step given it from a page opened before is refused."""
    import datetime as dt

    from django.utils import timezone

    from motcua.units.models import Agency
    from tests.admin_forms import admin_form, errors_of
    client = admin_client_vi
    closed, other = Agency.objects.filter(kind=Agency.COMMUNE_COMMITTEE).order_by("code")[:2]
    unit = closed.admin_unit
    unit.valid_to = timezone.localdate() - dt.timedelta(days=1)
    unit.save(update_fields=["valid_to"])
    criminal, birth = Procedure.objects.get(code="2.000488"), Procedure.objects.get(name="Đăng ký khai sinh")
    for url in ("/admin/catalog/procedure/add/", f"/admin/catalog/procedure/{criminal.pk}/change/"):
        offered = _options(client, url, "agencies")
        assert str(other.pk) in offered and str(closed.pk) not in offered, url
    assert str(closed.pk) in _options(client, f"/admin/catalog/procedure/{birth.pk}/change/", "agencies")
    found = client.get("/admin/autocomplete/", {"app_label": "catalog", "model_name": "processstep",
                                                 "field_name": "agency", "term": ""}).json()["results"]
    ids = {r["id"] for r in found}
    assert str(other.pk) in ids and str(closed.pk) not in ids
    url = f"/admin/catalog/procedure/{criminal.pk}/change/"
    answer = client.post(url, admin_form(client, url, **{"steps-0-agency": str(closed.pk)}))
    assert answer.status_code == 200 and any("hợp lệ" in e for e in errors_of(answer)), errors_of(answer)
    assert not criminal.steps.filter(agency=closed).exists()
