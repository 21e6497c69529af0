"""Every fact typed once: e-form fields bound to the applicant block are not asked again; fields bound to the
population database's record are pre-filled from it after the applicant asked, and stay editable."""

import re

import pytest
from django.urls import reverse

from motcua.audit.models import AuditEntry
from motcua.dossiers.models import Dossier, Status
from tests.integrations.conftest import configure, sims  # noqa: F401
from tests.web.test_portal import _submit_payload

pytestmark = pytest.mark.django_db

SCHEMA = [
    {"name": "ho_ten", "label": "Họ, chữ đệm và tên người yêu cầu", "type": "text", "required": True,
     "bind": "applicant.full_name"},
    {"name": "so_dinh_danh", "label": "Số định danh cá nhân", "type": "id_number", "required": True,
     "bind": "applicant.id_number"},
    {"name": "dien_thoai", "label": "Số điện thoại", "type": "tel", "required": True, "bind": "applicant.phone"},
    {"name": "ngay_sinh", "label": "Ngày sinh người yêu cầu", "type": "date", "bind": "person.date_of_birth"},
    {"name": "noi_thuong_tru", "label": "Nơi thường trú", "type": "text", "bind": "person.permanent_address"},
    {"name": "child_name", "label": "Họ tên người được khai sinh", "type": "text", "required": True},
]


@pytest.fixture
def bound(world):
    world["proc"].form_schema = SCHEMA
    world["proc"].save()
    return world["proc"]


def _inputs(body):
    return re.findall(r'<input[^>]*name="([^"]+)"', body)


def test_applicant_facts_are_asked_once_and_prefilled_from_the_account(client, world, bound):
    client.force_login(world["citizen"])
    body = client.get(reverse("portal:submit", args=[bound.code])).content.decode()
    names = _inputs(body)
    assert not {"f_ho_ten", "f_so_dinh_danh", "f_dien_thoai"} & set(names)  # not asked a second time
    assert {"applicant_name", "applicant_id_number", "applicant_phone", "f_ngay_sinh", "f_child_name"} <= set(names)
    assert re.search(r'name="applicant_name"[^>]*value="Trần Thị Mai"', body)
    assert re.search(r'name="applicant_id_number"[^>]*value="051190001234"', body)
    assert re.search(r'name="applicant_phone"[^>]*value="0912345678"', body)
    assert "Khai một lần" in body and "Họ, chữ đệm và tên người yêu cầu" in body
    data = _submit_payload(world, applicant_name="Trần Thị Mai Anh", f_child_name="Trần Minh An")
    resp = client.post(reverse("portal:submit", args=[bound.code]), data)
    assert resp.status_code == 302
    d = Dossier.objects.get()
    # the e-form's answers are the block's, as typed (edited) there
    assert d.form_data["ho_ten"] == "Trần Thị Mai Anh" == d.applicant_name
    assert d.form_data["so_dinh_danh"] == "051190001234" and d.form_data["dien_thoai"] == "0912345678"


def test_a_bound_required_fact_left_empty_is_refused_in_the_block_and_nothing_submitted(client, world, bound):
    client.force_login(world["citizen"])
    resp = client.post(reverse("portal:submit", args=[bound.code]),
                       _submit_payload(world, applicant_phone="", f_child_name="Trần Minh An"))
    body = resp.content.decode()
    assert resp.status_code == 400 and 'id="id_applicant_phone_error"><p class="err">Vui lòng nhập mục này.' in body
    assert not Dossier.objects.exclude(status=Status.DRAFT).exists()  # the files sent are kept with a draft


def test_population_record_fills_the_person_facts_only_when_asked(client, world, bound, sims, configure):  # noqa: F811
    running = sims(("population",))
    configure(running)
    world["citizen"].id_number = world["citizen"].verified_id_number = "051190012345"  # the population db knows them
    world["citizen"].save()
    client.force_login(world["citizen"])
    url = reverse("portal:submit", args=[bound.code])
    plain = client.get(url).content.decode()
    assert "Điền sẵn từ CSDL quốc gia về dân cư" in plain and running["population"].requests == 0
    assert not re.search(r'name="f_ngay_sinh"[^>]*value=', plain)

    body = client.get(url, {"dan_cu": "1"}).content.decode()
    assert running["population"].requests == 1 and "Đã điền sẵn thông tin từ CSDL quốc gia về dân cư" in body
    assert re.search(r'name="applicant_name"[^>]*value="Nguyễn Thị Hồng Nhung"', body)
    assert re.search(r'name="f_ngay_sinh"[^>]*value="1990-07-14"', body)
    assert re.search(r'name="f_noi_thuong_tru"[^>]*value="Tổ dân phố 3, phường Cẩm Thành, tỉnh Quảng Ngãi"', body)
    assert AuditEntry.objects.filter(object_id="051190012345", data__purpose="online_submission_prefill").exists()
    # still editable: the applicant corrects the address; the dossier says its data came from the database
    data = _submit_payload(world, applicant_name="Nguyễn Thị Hồng Nhung", applicant_id_number="051190012345",
                           f_ngay_sinh="1990-07-14", f_noi_thuong_tru="Tổ dân phố 4, phường Cẩm Thành")
    assert client.post(url, data).status_code == 302
    d = Dossier.objects.get()
    assert d.form_data["noi_thuong_tru"] == "Tổ dân phố 4, phường Cẩm Thành" and d.applicant_population


def test_population_not_answering_says_so_and_leaves_the_form(client, world, bound, settings):
    settings.MOTCUA_INTEGRATIONS = {}
    client.force_login(world["citizen"])
    resp = client.get(reverse("portal:submit", args=[bound.code]), {"dan_cu": "1"})
    body = resp.content.decode()
    assert resp.status_code == 200 and "Chưa kết nối CSDL quốc gia về dân cư" in body
    assert re.search(r'name="applicant_name"[^>]*value="Trần Thị Mai"', body)


def test_the_counter_form_asks_bound_facts_once_too(client, world, bound):
    client.force_login(world["counter"])
    body = client.get(reverse("backoffice:walk_in"), {"thu_tuc": bound.code}).content.decode()
    names = set(_inputs(body))
    assert "applicant_name" in names and not {"f_ho_ten", "f_so_dinh_danh", "f_dien_thoai"} & names

