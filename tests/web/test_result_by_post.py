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
