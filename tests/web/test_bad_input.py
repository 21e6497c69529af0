"""Odd or hostile input answers 4xx (or a normal page with a message), never a 500."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url,params", [
    ("/thu-tuc/", {"field": "khong-co", "level": "sao-hoa", "trang": "abc"}),
    ("/thu-tuc/", {"q": "x" * 5000}),
    ("/tra-cuu/", {"code": "A" * 500, "secret": "12ab"}),
    ("/tra-cuu/", {"code": "", "secret": ""}),
    ("/thu-tuc/khong-co-thu-tuc-nay/", {}),
])
def test_public_pages_with_bad_parameters(client, world, url, params):
    resp = client.get(url, params)
    assert resp.status_code < 500


@pytest.mark.parametrize("data", [{"code": "A" * 500, "secret": "12ab"}, {"code": "", "secret": ""},
                                  {"code": "X", "secret": ["1", "2"]}, {}])
def test_tracking_with_bad_input(client, world, data):
    assert client.post("/tra-cuu/", data).status_code == 400


def test_unknown_dossier_action_and_slip_kind_are_404(client, world, submitted):
    client.force_login(world["counter"])
    assert client.post(reverse("backoffice:action", args=[submitted.pk, "xoa-sach"])).status_code == 404
    assert client.get(f"/can-bo/ho-so/{submitted.pk}/phieu/receipt.exe").status_code == 404
    assert client.get("/can-bo/ho-so/999999/").status_code == 404


def test_action_with_garbage_values_is_a_form_error(client, world, submitted):
    from motcua.dossiers import lifecycle

    lifecycle.receive(submitted, officer=world["counter"])
    lifecycle.start_processing(submitted, officer=world["counter"])
    client.force_login(world["specialist"])
    resp = client.post(reverse("backoffice:action", args=[submitted.pk, "hand_over"]), {"to_agency": "abc"})
    assert resp.status_code == 400 and "Lựa chọn không hợp lệ." in resp.content.decode()
    client.force_login(world["leader"])
    resp = client.post(reverse("backoffice:action", args=[submitted.pk, "extend"]), {"days": "-3", "reason": "x"})
    assert resp.status_code == 400 and "Số ngày phải lớn hơn 0." in resp.content.decode()
    resp = client.post(reverse("backoffice:action", args=[submitted.pk, "issue_apology"]),
                       {"new_due": "31/02/2026", "reason": "x"})
    assert resp.status_code == 400 and "Ngày không hợp lệ" in resp.content.decode()


def test_submit_to_an_agency_that_does_not_offer_it(client, world):
    from tests.factories import AgencyFactory

    stranger = AgencyFactory(name="Sở Xây dựng")
    client.force_login(world["citizen"])
    resp = client.post(reverse("portal:submit", args=[world["proc"].code]),
                       {"applicant_name": "A", "agency": stranger.pk, "action": "draft"})
    assert resp.status_code == 400 and "Lựa chọn không hợp lệ." in resp.content.decode()


@pytest.fixture
def admin_client(client, django_user_model):
    from tests.factories import sign_in

    sign_in(client, django_user_model.objects.create_superuser("quantri", "qt@example.vn", "matkhau-123"))
    return client


@pytest.mark.parametrize("url,data", [
    ("/admin/units/department/add/", {"agency": "abc", "code": "PB1", "name": "Phòng"}),
    ("/admin/units/counter/add/", {"agency": "1e400", "code": "Q1", "name": "Quầy"}),
    ("/admin/units/counter/add/", {"agency": "99999999999999999999", "code": "Q1", "name": "Quầy"}),
    ("/admin/accounts/roleassignment/add/", {"user": " ", "role": "counter", "agency": "-x"}),
    ("/admin/units/administrativeunit/add/", {"code": "X", "name": "Xã", "parent": "<b>", "replaced_by": "1,5"}),
    # Django's own admin of groups: the project's admin site puts the same guard on every admin
    ("/admin/auth/group/add/", {"name": "Nhóm", "permissions": "99999999999999999999"}),
])
def test_admin_form_with_a_forged_related_value_is_a_form_error(admin_client, url, data):
    from django.apps import apps

    model = apps.get_model(*url.split("/")[2:4])
    before = model.objects.count()
    resp = admin_client.post(url, {**data, "_save": "Lưu lại"})
    assert resp.status_code == 200 and "errornote" in resp.content.decode()  # the form again, with its errors
    assert model.objects.count() == before


def test_the_outbox_is_only_shown_in_the_admin(admin_client, world, submitted):
    from motcua.outbox.models import OutboxEvent

    event = OutboxEvent.objects.get(topic="dossier.submit_online")
    assert admin_client.get(f"/admin/outbox/outboxevent/{event.pk}/change/").status_code == 200  # to look at
    assert admin_client.post(f"/admin/outbox/outboxevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert OutboxEvent.objects.filter(pk=event.pk).exists()


def test_every_admin_page_and_inline_carries_the_guard():
    from django.contrib import admin

    from motcua.core.admin_site import SafeRelated

    unguarded = [f"{model._meta.label}: {cls.__name__}" for model, model_admin in admin.site._registry.items()
                 for cls in (type(model_admin), *model_admin.inlines) if not issubclass(cls, SafeRelated)]
    assert not unguarded and len(admin.site._registry) > 30


@pytest.mark.parametrize("url", ["/admin/integrations/delivery/add/", "/admin/payments/payment/add/",
                                 "/admin/payments/reconciliation/add/", "/admin/outbox/outboxevent/add/"])
def test_records_only_the_system_writes_have_no_add_page(admin_client, url):
    assert admin_client.get(url).status_code == 403
    assert admin_client.post(url, {"_save": "Lưu lại"}).status_code == 403
    list_page = admin_client.get(url.replace("add/", ""))
    assert list_page.status_code == 200 and url not in list_page.content.decode()  # no "add" button


@pytest.mark.parametrize("how", ["query", "form", "cookie"])
def test_a_nul_character_anywhere_is_a_400_before_any_page_or_query(client, world, how):
    # PostgreSQL text cannot hold NUL: a filter or a sign-in attempt carrying one used to fail there with a 500.
    client.force_login(world["counter"])
    if how == "query":
        resp = client.get("/can-bo/ho-so/", {"q": "abc", "status": "\x00"})
    elif how == "form":
        resp = client.post("/tra-cuu/", {"code": "H51\x00", "secret": "1234"})
    else:
        client.cookies["sessionid"] = "abc\x00def"
        resp = client.get("/thu-tuc/")
    assert resp.status_code == 400 and "Yêu cầu không hợp lệ" in resp.content.decode()


@pytest.mark.parametrize("url", ["/can-bo/chuyen-doi-so/minh-chung/99999999999999999999/",
                                 "/can-bo/ho-so/99999999999999999999/", "/ho-so-cua-toi/99999999999999999999/"])
def test_an_id_beyond_the_database_integers_in_an_address_is_a_404_page(client, world, url):
    # The evidence page looked the number up through a relation Django does not guard: SQLite's OverflowError, a 500.
    client.force_login(world["leader"])
    resp = client.get(url)
    assert resp.status_code == 404 and "Không tìm thấy trang" in resp.content.decode()


def test_every_id_in_the_pages_addresses_is_a_row_id():
    from tests.web.conftest import web_routes

    pages = web_routes()
    assert any("<id:" in r for r in pages) and not [r for r in pages if "<int:" in r]


def test_a_form_address_opened_as_a_page_says_so_in_vietnamese(client, world, submitted):
    """A GET of an address that only takes a form's POST (a bookmark, a reload): 405 with its Allow header and a
    Vietnamese page, not an empty answer; the API keeps its own JSON answer."""
    client.force_login(world["citizen"])
    for url in ("/tai-khoan/dang-xuat/", f"/ho-so-cua-toi/{submitted.pk}/rut-ho-so/"):
        r = client.get(url)
        html = r.content.decode()
        assert r.status_code == 405 and r["Allow"] == "POST", url
        assert "Địa chỉ này chỉ dùng để gửi biểu mẫu" in html and 'href="/"' in html, url
    api = client.get("/api/v1/accounts/tokens/eid")
    assert api.status_code == 405 and "Địa chỉ này chỉ dùng" not in api.content.decode()


@pytest.mark.parametrize("scan", ["png", "pdf"])
def test_page_0_of_a_scan_is_a_404_page(client, world, settings, tmp_path, scan):
    """The scan's pages are numbered from 1: page 0 was read from the end, a 500 for an image (Pillow refuses frame
    -1), and the first page again for a PDF (poppler starts at page 1)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from motcua.documents.models import DigitizationJob
    from motcua.dossiers import lifecycle
    from tests.documents.conftest import make_pdf, make_png

    settings.MEDIA_ROOT = str(tmp_path / "media")
    d = lifecycle.receive_at_counter(officer=world["counter"], procedure=world["proc"], agency=world["agency"],
                                     applicant_data={"name": "Trần Thị Mai"},
                                     form_data={"child_name": "Trần Minh An", "birth_date": "2026-11-01"})
    client.force_login(world["counter"])
    upload = SimpleUploadedFile(f"to-khai.{scan}", make_png() if scan == "png" else make_pdf())
    client.post(reverse("backoffice:scan_upload", args=[d.pk, "receipt"]),  # queued: the pages need no OCR
                {"scans": [upload], "component": world["proc"].components.first().pk})
    job = DigitizationJob.objects.get(dossier=d)
    assert client.get(reverse("backoffice:scan_page", args=[d.pk, job.pk, 1]))["Content-Type"] == "image/png"
    for number in (0, 2):
        resp = client.get(reverse("backoffice:scan_page", args=[d.pk, job.pk, number]))
        assert resp.status_code == 404 and "Không tìm thấy trang" in resp.content.decode(), number
