"""A result sent home by public post (bưu chính công ích) needs an address the post office can deliver to."""

import pytest
from django.urls import reverse

from motcua.dossiers.models import Dossier, Status
from tests.web.test_off_day_reception import _walk_in
from tests.web.test_portal import _submit_payload

pytestmark = pytest.mark.django_db

NEEDS_ADDRESS = "Cần nhập địa chỉ nhận kết quả khi chọn nhận kết quả qua bưu chính công ích."


def test_portal_asks_for_the_address_when_the_result_comes_by_post(client, world):
    client.force_login(world["citizen"])
    url = reverse("portal:submit", args=[world["proc"].code])
    resp = client.post(url, _submit_payload(world, return_method="post", applicant_address="  "))
    body = resp.content.decode()
    assert resp.status_code == 400 and NEEDS_ADDRESS in body
    assert "bắt buộc khi nhận kết quả qua bưu chính công ích" in body  # the field's hint says so beforehand
    assert NEEDS_ADDRESS in body.split('id="id_applicant_address_error"', 1)[1].split("</", 1)[0]  # at the field
    assert not Dossier.objects.exclude(status=Status.DRAFT).exists()  # nothing submitted
    again = client.post(url, _submit_payload(world, return_method="post", applicant_address="Thôn Làng Mới, xã Sơn Tây"))
    assert again.status_code == 302
    d = Dossier.objects.get(status=Status.SUBMITTED)
    assert d.return_method == "post" and d.applicant_address == "Thôn Làng Mới, xã Sơn Tây"


def test_a_draft_may_leave_the_address_for_later(client, world):
    client.force_login(world["citizen"])
    url = reverse("portal:submit", args=[world["proc"].code])
    resp = client.post(url, _submit_payload(world, return_method="post", applicant_address="", action="draft"))
    assert resp.status_code == 302 and Dossier.objects.get().status == Status.DRAFT


def test_counter_asks_for_the_address_when_the_result_goes_by_post(client, world):
    client.force_login(world["counter"])
    resp = client.post(reverse("backoffice:walk_in"), _walk_in(world, return_method="post"))
    assert resp.status_code == 400 and NEEDS_ADDRESS in resp.content.decode()
    assert not Dossier.objects.exists()


def _sent_by_post(world, status):
    from motcua.dossiers import lifecycle
    from motcua.integrations.adapters.postal import POSTAL_STATUS_LABELS
    from motcua.integrations.models import PostalShipment

    d = lifecycle.submit_online(
        applicant=world["citizen"], procedure=world["proc"], agency=world["agency"], return_method="post",
        applicant_data={"name": "Trần Thị Mai", "id_number": "051190001234", "phone": "0912345678",
                        "address": "Thôn Làng Mới, xã Sơn Tây"},
        form_data={"child_name": "Trần Minh An", "birth_date": "2026-11-01"})
    PostalShipment.objects.create(dossier_id=d.pk, dossier_code=d.code, tracking_number="EB123456789VN",
                                  status=status, status_label=POSTAL_STATUS_LABELS[status])
    return d


@pytest.mark.parametrize(("status", "citizen_reads", "officer_reads"), [
    ("in_transit", "Số hiệu EB123456789VN — Đang vận chuyển", "Số hiệu EB123456789VN — Đang vận chuyển"),
    # undelivered: each is told what to do
    ("failed", "liên hệ Bộ phận Một cửa để nhận lại", "liên hệ người nộp để hẹn nhận lại kết quả"),
])
def test_citizen_and_officer_see_the_parcel_and_where_it_is(client, world, status, citizen_reads, officer_reads):
    d = _sent_by_post(world, status)
    client.force_login(world["citizen"])
    page = client.get(reverse("portal:dossier", args=[d.pk])).content.decode()
    assert "Bưu gửi kết quả" in page and citizen_reads in page
    client.force_login(world["counter"])
    assert officer_reads in client.get(reverse("backoffice:dossier", args=[d.pk])).content.decode()


def test_counter_cannot_record_a_return_by_post_without_an_address(client, world, submitted):
    from motcua.dossiers import lifecycle

    d = lifecycle.receive(submitted, officer=world["counter"])
    d = lifecycle.start_processing(d, officer=world["counter"])
    d = lifecycle.complete_step(d, officer=world["specialist"])
    d = lifecycle.approve(d, officer=world["leader"])
    d = lifecycle.sign_result(d, officer=world["leader"], electronic=False, digitized=False)
    client.force_login(world["counter"])
    resp = client.post(reverse("backoffice:action", args=[d.pk, "return_result"]), {"method": "post"})
    assert resp.status_code == 422 and NEEDS_ADDRESS in resp.content.decode()
    d.refresh_from_db()
    assert d.status == Status.READY_FOR_RETURN and d.returned_at is None


def test_the_public_tracking_page_shows_the_parcel(client, world):
    """An applicant who tracks the dossier by its code and four digits (no account, a phone on a slow connection)
    sees how the result comes and where the parcel is, as on the dossier page."""
    d = _sent_by_post(world, "failed")
    page = client.post(reverse("portal:track"), {"code": d.code, "secret": "1234"}).content.decode()
    assert "Qua bưu chính công ích" in page and "Số hiệu EB123456789VN" in page
    assert "liên hệ Bộ phận Một cửa để nhận lại" in page


def _returned_by_post(world):
    from motcua.dossiers import lifecycle
    from motcua.integrations.models import PostalShipment

    d = _sent_by_post(world, "in_transit")
    d = lifecycle.receive(d, officer=world["counter"])
    d = lifecycle.start_processing(d, officer=world["counter"])
    d = lifecycle.complete_step(d, officer=world["specialist"])
    d = lifecycle.approve(d, officer=world["leader"])
    d = lifecycle.sign_result(d, officer=world["leader"], electronic=False, digitized=False)
    d = lifecycle.return_result(d, officer=world["counter"], method="post")
    PostalShipment.objects.filter(dossier_id=d.pk).update(status="failed", status_label="Phát không thành công")
    return d


def test_an_undelivered_parcel_waits_in_the_counter_queue_until_the_applicant_collects_it(client, world):
    from motcua.audit.models import AuditEntry
    from motcua.integrations.models import PostalShipment

    d = _returned_by_post(world)
    client.force_login(world["counter"])
    queue = client.get(reverse("backoffice:queue")).content.decode()
    assert "Bưu điện phát không thành công, chờ người nộp nhận lại (1)" in queue
    assert d.code in queue.split('id="buu-gui-khong-phat-duoc"')[1]
    page = client.get(reverse("backoffice:dossier", args=[d.pk])).content.decode()
    assert "Ghi nhận người nộp đã nhận lại tại Bộ phận Một cửa" in page
    resp = client.post(reverse("backoffice:parcel_collected", args=[d.pk]))
    assert resp.status_code == 302
    ship = PostalShipment.objects.get(dossier_id=d.pk)
    assert ship.status == "collected" and ship.status_label.startswith("Người nộp đã nhận lại tại Bộ phận Một cửa ngày")
    assert AuditEntry.objects.filter(action="integration.parcel_collected", object_id=str(d.pk),
                                     actor_id=world["counter"].pk).exists()
    assert "buu-gui-khong-phat-duoc" not in client.get(reverse("backoffice:queue")).content.decode()
    page = client.get(reverse("backoffice:dossier", args=[d.pk])).content.decode()
    assert "Người nộp đã nhận lại tại Bộ phận Một cửa ngày" in page and "Ghi nhận người nộp đã nhận lại" not in page
    again = client.post(reverse("backoffice:parcel_collected", args=[d.pk]))  # pressed twice: said, nothing written
    assert again.status_code == 422 and "báo phát không thành công" in again.content.decode()
    assert AuditEntry.objects.filter(action="integration.parcel_collected").count() == 1


def test_only_the_counter_records_a_collected_parcel(client, world):
    from motcua.integrations.models import PostalShipment

    d = _returned_by_post(world)
    client.force_login(world["specialist"])
    assert "Ghi nhận người nộp đã nhận lại" not in client.get(reverse("backoffice:dossier", args=[d.pk])).content.decode()
    assert client.post(reverse("backoffice:parcel_collected", args=[d.pk])).status_code == 403
    assert PostalShipment.objects.get(dossier_id=d.pk).status == "failed"
