"""The provincial administrator's pages for reorganizing units: draft, preview before the confirm button,
approve, apply; refusals in Vietnamese with nothing written; other officers do not get in."""

import datetime as dt

import pytest

from motcua.units.models import ReorganizationPlan
from motcua.units.reorganization import apply
from tests.factories import UserFactory
from tests.units import reorganization_world as world

pytestmark = pytest.mark.django_db
BASE = "/can-bo/sap-xep-don-vi/"


@pytest.fixture
def merger():
    return world.build()


def _form(w, **kw):
    data = {"resolution_number": "1677/NQ-UBTVQH15", "resolution_date": "16/06/2025",
            "effective_date": dt.date.today().strftime("%d/%m/%Y"), "old_units": [w.a.pk, w.b.pk],
            "new_code": "99001", "new_name": "Phường Hợp Nhất", "new_level": "ward", "assignments": "", "note": ""}
    data.update(kw)
    return data


def test_only_provincial_administrators_get_the_pages(client, merger):
    leader = merger.officers[("a", "leader")]
    client.force_login(leader)
    assert client.get(BASE).status_code == 403
    assert "Sắp xếp đơn vị" not in client.get("/can-bo/viec-cua-toi/").content.decode()
    assert client.post(BASE + "moi/", _form(merger)).status_code == 403
    assert not ReorganizationPlan.objects.exists()
    client.force_login(merger.admin)
    page = client.get("/can-bo/viec-cua-toi/").content.decode()
    assert f'href="{BASE}"' in page and "Sắp xếp đơn vị" in page


def test_bad_draft_is_refused_in_vietnamese_and_nothing_is_saved(client, merger):
    client.force_login(merger.admin)
    resp = client.post(BASE + "moi/", _form(merger, resolution_date="2025-06-16", old_units=[], new_code="9 9",
                                             assignments="1.001 H51.06 thừa"))
    assert resp.status_code == 422
    text = resp.content.decode()
    for message in ("Nhập một ngày hợp lệ", "Vui lòng sửa các mục được đánh dấu",
                    "cần có dạng «mã thủ tục = mã cơ quan»"):
        assert message in text
    resp = client.post(BASE + "moi/", _form(merger, new_code="9 9"))
    assert resp.status_code == 422 and "Mã đơn vị mới gồm chữ số" in resp.content.decode()
    # A procedure code longer than any in the catalogue (pasted by mistake): refused by the field, not a 500.
    pasted = "1.001193" + "0" * 30
    resp = client.post(BASE + "moi/", _form(merger, assignments=f"{pasted} = H51.06"))
    assert resp.status_code == 422
    assert f"Mã thủ tục dài tối đa 32 ký tự: {pasted}." in resp.content.decode()
    assert resp.context["form"].data["assignments"] == f"{pasted} = H51.06"  # what was typed is kept
    assert not ReorganizationPlan.objects.exists()


@pytest.mark.parametrize("forged", ["99999999999999999999", "abc", "1e400"])
def test_a_forged_unit_id_is_a_form_error_and_nothing_is_saved(client, merger, forged):
    # A unit id past 64 bits made the form's look-up fail on SQLite (OverflowError): a 500.
    client.force_login(merger.admin)
    resp = client.post(BASE + "moi/", _form(merger, old_units=[merger.a.pk, forged]))
    assert resp.status_code == 422 and f"“{forged}” không phải là giá trị hợp lệ." in resp.content.decode()
    assert not ReorganizationPlan.objects.exists()


def test_draft_preview_approve_confirm_apply(client, merger):
    w = merger
    client.force_login(w.admin)
    resp = client.post(BASE + "moi/", _form(w))
    plan = ReorganizationPlan.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"{BASE}{plan.pk}/"
    page = client.get(resp["Location"]).content.decode()
    assert "Bản xem trước" in page and "14</b> hồ sơ chuyển sang cơ quan mới" in page
    assert w.dossiers["a:paused"].code in page and "H51.50.97" in page
    assert "Phê duyệt phương án" in page and "Tôi đã đọc bản xem trước" not in page  # a draft is not applied
    edit = client.get(f"{BASE}{plan.pk}/sua/").content.decode()
    assert "Phân quyền kết thúc" in edit and "Cán bộ B unit_admin" in edit
    resp = client.post(f"{BASE}{plan.pk}/sua/", _form(w, ended_roles=[str(w.ended.pk)]))
    assert resp.status_code == 302
    assert ReorganizationPlan.objects.get().ended_roles == [w.ended.pk]
    assert client.post(f"{BASE}{plan.pk}/phe-duyet/").status_code == 302
    page = client.get(f"{BASE}{plan.pk}/").content.decode()
    assert page.index('id="xem-truoc"') < page.index('id="xac-nhan"')  # the preview comes before the button
    assert "Thực hiện sắp xếp" in page
    assert client.get(f"{BASE}{plan.pk}/sua/").status_code == 302  # approved: no more editing
    resp = client.post(f"{BASE}{plan.pk}/thuc-hien/")  # without "I have read the preview"
    assert resp.status_code == 422 and "Tôi đã đọc bản xem trước" in resp.content.decode()
    assert ReorganizationPlan.objects.get().status == ReorganizationPlan.APPROVED
    resp = client.post(f"{BASE}{plan.pk}/thuc-hien/", {"da-doc": "1"}, follow=True)
    assert "Đã thực hiện sắp xếp đơn vị hành chính." in resp.content.decode()
    plan.refresh_from_db()
    assert plan.status == ReorganizationPlan.APPLIED
    page = resp.content.decode()
    assert "Kết quả thực hiện" in page and "hồ sơ chuyển sang cơ quan mới" in page and 'id="xac-nhan"' not in page
    # What was done reads in the order it was done: the new unit first, the old ones closed, then the notice.
    done = page[page.index('id="ket-qua"'):]
    steps = ["Đơn vị hành chính và cơ quan mới", "Thủ tục hành chính chuyển giao", "Cán bộ và phân quyền",
             "Hồ sơ đang giải quyết", "Đơn vị hành chính cũ", "Thông báo cho Cổng Dịch vụ công quốc gia"]
    assert [done.index(f"<td>{title}") for title in steps] == sorted(done.index(f"<td>{title}") for title in steps)
    assert client.post(f"{BASE}{plan.pk}/khong-co/").status_code == 404
    listing = client.get(BASE).content.decode()
    assert "Phường Hợp Nhất (99001)" in listing and "Đã thực hiện" in listing


def test_applying_before_the_effective_date_is_refused(client, merger):
    client.force_login(merger.admin)
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).strftime("%d/%m/%Y")
    client.post(BASE + "moi/", _form(merger, effective_date=tomorrow))
    plan = ReorganizationPlan.objects.get()
    client.post(f"{BASE}{plan.pk}/phe-duyet/")
    resp = client.post(f"{BASE}{plan.pk}/thuc-hien/", {"da-doc": "1"})
    assert resp.status_code == 409 and f"có hiệu lực từ ngày {tomorrow}" in resp.content.decode()
    assert ReorganizationPlan.objects.get().status == ReorganizationPlan.APPROVED


def test_admin_keeps_a_read_only_record_with_the_progress(client, merger):
    plan = world.approved(merger)
    apply(plan, merger.admin)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    listing = client.get("/admin/units/reorganizationplan/").content.decode()
    assert "1677/NQ-UBTVQH15" in listing and f"{BASE}{plan.pk}/" in listing
    page = client.get(f"/admin/units/reorganizationplan/{plan.pk}/change/").content.decode()
    assert "dossiers.in_flight" in page and "units.notify" in page
    assert client.get("/admin/units/reorganizationplan/add/").status_code == 403


def test_a_resolution_date_in_other_digits_is_refused(client, merger):
    # strptime() reads "16/06/٢٠٢٥" as 16/06/2025: the field refuses it (motcua.web.forms.DateField)
    client.force_login(merger.admin)
    resp = client.post(BASE + "moi/", _form(merger, resolution_date="16/06/٢٠٢٥"))
    assert resp.status_code == 422 and "Nhập một ngày hợp lệ" in resp.content.decode()
    assert not ReorganizationPlan.objects.exists()
