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
