"""Browser journey: the provincial administrator drafts a merger of two communes, reads the preview, approves
and applies it; an officer of an old commune then finds his queue under the new unit."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import enrolled, login
from tests.units import reorganization_world as world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_provincial_admin_merges_two_communes_and_the_officer_finds_his_queue(new_page, shot):
    w = world.build()
    enrolled(w.admin)
    counter = enrolled(w.officers[("a", "counter_officer")])
    submitted = [w.dossiers["a:submitted"].code, w.dossiers["b:submitted"].code]

    adm = new_page()
    login(adm, w.admin.username)
    adm.get_by_role("link", name="Sắp xếp đơn vị").click()
    adm.get_by_role("link", name="+ Lập phương án mới").click()
    adm.get_by_label("Số nghị quyết").fill("1677/NQ-UBTVQH15")
    adm.get_by_label("Ngày ban hành nghị quyết").fill("16/06/2025")
    adm.get_by_label("Ngày có hiệu lực").fill(dt.date.today().strftime("%d/%m/%Y"))
    adm.get_by_label("Các đơn vị được sắp xếp").select_option(
        label=[f"{w.a.name} ({w.a.code})", f"{w.b.name} ({w.b.code})"])
    adm.get_by_label("Mã đơn vị mới").fill("99001")
    adm.get_by_label("Tên đơn vị mới").fill("Phường Hợp Nhất")
    adm.get_by_label("Cấp đơn vị mới").select_option(label="Phường")
    shot(adm, "lap-phuong-an")
    adm.get_by_role("button", name="Lưu bản nháp và xem trước").click()
    expect(adm.locator(".msgs")).to_contain_text("Đã lưu bản nháp phương án")
    preview = adm.locator("#xem-truoc")
    expect(preview).to_be_visible()
    expect(adm.locator("#muc-dossiersin_flight")).to_contain_text("14 hồ sơ chuyển sang cơ quan mới")
    expect(adm.locator("#muc-accountsroles")).to_contain_text("phân quyền chuyển sang cơ quan mới")
    expect(adm.locator("#muc-dossiersin_flight")).to_contain_text(submitted[0])
    shot(adm, "xem-truoc-ban-nhap")

    adm.get_by_role("button", name="Phê duyệt phương án").click()
    expect(adm.locator("#trang-thai")).to_have_text("Đã phê duyệt")
    confirm = adm.locator("#xac-nhan")
    confirm.scroll_into_view_if_needed()
    shot(adm, "da-phe-duyet-xem-truoc-va-xac-nhan")
    confirm.get_by_label("Tôi đã đọc bản xem trước").check()
    confirm.get_by_role("button", name="Thực hiện sắp xếp").click()
    expect(adm.locator(".msgs")).to_contain_text("Đã thực hiện sắp xếp đơn vị hành chính.")
    expect(adm.locator("#trang-thai")).to_have_text("Đã thực hiện")
    expect(adm.locator("#ket-qua")).to_be_visible()
    shot(adm, "ket-qua-thuc-hien")

    ctr = new_page()
    login(ctr, counter.username)  # the counter officer lands on his queue
    expect(ctr.locator("#don-vi")).to_have_text("Đơn vị: Ủy ban nhân dân phường Hợp Nhất")
    for code in submitted:  # online dossiers of both old communes wait for him under the new unit
        expect(ctr.locator("main")).to_contain_text(code)
    shot(ctr, "hang-cho-don-vi-moi")
    ctr.get_by_role("link", name=submitted[0]).first.click()
    expect(ctr.locator("main")).to_contain_text("Chuyển cơ quan do sắp xếp đơn vị hành chính")
    shot(ctr, "ho-so-da-chuyen")
