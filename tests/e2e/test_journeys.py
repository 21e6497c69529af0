"""Whole journeys in a real Chromium: online dossier end to end, walk-in reception, public tracking on a phone."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.conftest import PHONE, confirm_enrolment, enrolled, login, open_pdf
from tests.factories import AgencyFactory, citizen, officer, procedure_with_steps

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    agency = AgencyFactory(name="UBND phường Cẩm Thành", address="1 Quang Trung, phường Cẩm Thành")
    proc = procedure_with_steps(name="Đăng ký khai sinh", fee_vnd=8000, form_schema=[
        {"name": "child_name", "label": "Họ tên người được khai sinh", "type": "text", "required": True},
        {"name": "birth_date", "label": "Ngày sinh", "type": "date", "required": True},
    ])
    proc.agencies.add(agency)
    return {
        "agency": agency, "proc": proc,
        "counter": enrolled(officer("counter_officer", agency, username="motcua", full_name="Phạm Thu Hà")),
        "specialist": enrolled(officer("specialist", agency, username="chuyenvien", full_name="Đỗ Văn Bình")),
        "leader": enrolled(officer("leader", agency, username="lanhdao", full_name="Nguyễn Quốc Việt")),
        "citizen": citizen(username="congdan", full_name="Trần Thị Mai", id_number="051190001234",
                           phone="0912345678"),
    }


def _act(page, label):
    """Open the action panel `label` on a back-office dossier page and submit it."""
    panel = page.locator("details", has=page.locator("summary", has_text=label))
    panel.locator("summary").click()
    return panel


def test_online_dossier_from_submission_to_rating(new_page, world, shot, pdf_file, settings, tmp_path):
    settings.MOTCUA_PKI_DIR = str(tmp_path / "pki")  # the demo CA issues the agency's signing certificate
    proc = world["proc"]
    # Citizen: find the procedure without diacritics, read it, submit online.
    cit = new_page()
    login(cit, "congdan")
    cit.goto("/thu-tuc/")
    cit.get_by_label("Tên thủ tục").fill("dang ky khai sinh")
    expect(cit.locator("#ket-qua")).to_contain_text("Đăng ký khai sinh")
    shot(cit, "tim-thu-tuc")
    cit.locator("#ket-qua").get_by_role("link", name="Đăng ký khai sinh").click()
    expect(cit.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")
    expect(cit.locator("body")).to_contain_text("8.000 đ")
    shot(cit, "trang-thu-tuc")
    cit.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    expect(cit.get_by_label("Họ và tên người nộp")).to_have_value("Trần Thị Mai")
    # A validation error keeps what was typed.
    cit.get_by_label("Ngày sinh").fill("2026-11-01")
    cit.get_by_role("button", name="Nộp hồ sơ").click()
    expect(cit.locator(".err").first).to_be_visible()
    expect(cit.get_by_label("Ngày sinh")).to_have_value("2026-11-01")
    shot(cit, "loi-nhap-lieu")
    cit.get_by_label("Họ tên người được khai sinh").fill("Trần Minh An")
    for comp in proc.components.all():
        cit.get_by_label(comp.name).set_input_files(pdf_file)
    cit.get_by_role("button", name="Nộp hồ sơ").click()
    expect(cit.locator(".msgs")).to_contain_text("Đã nộp hồ sơ")
    code = re.search(r"Hồ sơ (\S+)", cit.get_by_role("heading", level=1).inner_text()).group(1)
    shot(cit, "da-nop")

    # Counter officer: queue → receive → forward to processing.
    ctr = new_page()
    login(ctr, "motcua")
    expect(ctr.locator("main")).to_contain_text(code)
    shot(ctr, "hang-cho-tiep-nhan")
    ctr.get_by_role("link", name=code).first.click()
    _act(ctr, "Tiếp nhận hồ sơ").get_by_role("button", name="Tiếp nhận hồ sơ").click()
    expect(ctr.locator(".msgs")).to_contain_text("Đã tiếp nhận")
    shot(ctr, "da-tiep-nhan")
    _act(ctr, "Chuyển xử lý").get_by_role("button", name="Chuyển xử lý").click()
    expect(ctr.locator("h1")).to_contain_text("Đang giải quyết")

    # Specialist: my work → finish the step.
    spc = new_page()
    login(spc, "chuyenvien")
    spc.goto("/can-bo/viec-cua-toi/")
    shot(spc, "viec-cua-toi")
    spc.get_by_role("link", name=code).click()
    panel = _act(spc, "Hoàn thành bước xử lý")
    panel.get_by_label("Ý kiến xử lý").fill("Hồ sơ hợp lệ, đề nghị cấp.")
    panel.get_by_role("button", name="Hoàn thành bước xử lý").click()
    expect(spc.locator(".msgs")).to_contain_text("Hoàn thành bước xử lý")

    # Leader: approve and sign.
    ldr = new_page()
    login(ldr, "lanhdao")
    ldr.goto("/can-bo/viec-cua-toi/")
    ldr.get_by_role("link", name=code).click()
    panel = _act(ldr, "Phê duyệt kết quả")
    panel.get_by_label("Nội dung kết quả").fill("Cấp Giấy khai sinh cho cháu Trần Minh An.")
    panel.get_by_role("button", name="Phê duyệt kết quả").click()
    panel = _act(ldr, "Ký kết quả")
    panel.get_by_label("Tệp kết quả (PDF) để ký số bằng chứng thư của cơ quan").set_input_files(pdf_file)
    panel.get_by_role("button", name="Ký kết quả").click()
    expect(ldr.locator("h1")).to_contain_text("Chờ trả kết quả")
    shot(ldr, "lanh-dao-da-ky")

    # Counter: return the result.
    ctr.goto("/can-bo/tiep-nhan/")
    ctr.get_by_role("link", name=code).first.click()
    _act(ctr, "Trả kết quả").get_by_role("button", name="Trả kết quả").click()
    expect(ctr.locator("h1")).to_contain_text("Đã trả kết quả")

    # Citizen: sees the result, downloads it, rates.
    cit.goto("/ho-so-cua-toi/")
    expect(cit.locator("table")).to_contain_text("Đã trả kết quả")
    shot(cit, "ho-so-cua-toi")
    cit.get_by_role("link", name=code).click()
    cit.get_by_role("link", name="Xem, tải kết quả").click()
    expect(cit.locator("main")).to_contain_text("Cấp Giấy khai sinh cho cháu Trần Minh An.")
    assert b"/ByteRange" in open_pdf(cit, cit.get_by_role("link", name=re.compile("Tải tệp kết quả.*đã ký số")))
    cit.go_back()
    cit.goto(f"/ho-so-cua-toi/{_pk(code)}/")
    cit.get_by_label("Hài lòng", exact=True).check()
    cit.get_by_role("button", name="Gửi đánh giá").click()
    expect(cit.locator(".msgs")).to_contain_text("Cảm ơn bạn đã đánh giá")
    shot(cit, "da-danh-gia")
    # The same page on a phone.
    phone = new_page(PHONE)
    login(phone, "congdan")
    phone.goto(f"/ho-so-cua-toi/{_pk(code)}/")
    _assert_fits(phone)
    shot(phone, "ho-so-360px")


def _pk(code):
    from motcua.dossiers.models import Dossier

    return Dossier.objects.get(code=code).pk


def _assert_fits(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    # On failure, name the elements that reach past the screen's right edge (innermost first).
    wide = [] if overflow <= 0 else page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 1))
        .slice(0, 5).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className + ' ' +
                         Math.round(e.getBoundingClientRect().right))""")
    assert overflow <= 0, f"page is {overflow}px wider than the screen: {wide}"


def test_walk_in_reception_prints_the_receipt(new_page, world, shot):
    ctr = new_page()
    login(ctr, "motcua")
    ctr.get_by_role("link", name="Tiếp nhận trực tiếp").click()
    ctr.get_by_label("Bước 1. Chọn thủ tục").fill("khai sinh")
    ctr.locator("#tt-ket-qua").get_by_role("link", name="Đăng ký khai sinh").click()
    # The person is known: typing the ID number fills the name; the number is posted, never in an address.
    sent = []
    ctr.on("request", lambda r: sent.append((r.method, r.url)))
    ctr.get_by_label("Số định danh cá nhân").fill("051190001234")
    expect(ctr.get_by_label("Họ và tên người nộp")).to_have_value("Trần Thị Mai")
    assert ("POST", ctr.url.split("/can-bo/")[0] + "/can-bo/tiep-nhan/tim-cong-dan/") in sent
    assert not [url for _, url in sent if "051190001234" in url]
    ctr.get_by_label("Họ tên người được khai sinh").fill("Trần Gia Huy")
    ctr.get_by_label("Ngày sinh").fill("2026-10-20")
    first, second = list(world["proc"].components.all())
    ctr.get_by_label(first.name).check()
    ctr.get_by_role("button", name="Tiếp nhận và in giấy hẹn").click()
    expect(ctr.locator(".msgs")).to_contain_text("Hồ sơ chưa đủ thành phần bắt buộc")
    expect(ctr.get_by_label("Họ tên người được khai sinh")).to_have_value("Trần Gia Huy")
    shot(ctr, "thieu-thanh-phan")
    ctr.get_by_label(second.name).check()
    ctr.get_by_role("button", name="Tiếp nhận và in giấy hẹn").click()
    expect(ctr.locator(".msgs")).to_contain_text("Hẹn trả kết quả ngày")
    shot(ctr, "da-tiep-nhan-truc-tiep")
    phone = new_page(PHONE)
    login(phone, "motcua")
    phone.goto(ctr.url)
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Đã tiếp nhận")
    _assert_fits(phone)
    shot(phone, "ho-so-can-bo-360px")
    # The applicant waits at the counter: the receipt opens in the browser's PDF viewer, ready to print, in a tab
    # of its own; the dossier stays open behind it.
    receipt = open_pdf(ctr, ctr.get_by_role("link", name="In Giấy tiếp nhận và hẹn trả kết quả"))
    assert "TIẾP NHẬN HỒ SƠ" in PdfReader(io.BytesIO(receipt)).pages[0].extract_text().upper()
    expect(ctr.get_by_role("heading", level=1)).to_contain_text("Đã tiếp nhận")
    ctr.get_by_role("link", name="Bảng điều khiển").click()
    expect(ctr.locator(".kpi")).to_contain_text("Tiếp nhận hôm nay")
    expect(ctr.locator("svg.chart:visible")).to_be_visible()
    shot(ctr, "bang-dieu-khien")


def test_public_tracking_on_a_phone_with_the_keyboard(new_page, world, shot):
    from motcua.core.calendar import TZ
    from motcua.dossiers import lifecycle

    d = lifecycle.receive_at_counter(
        officer=world["counter"], procedure=world["proc"], agency=world["agency"],
        applicant_data={"name": "Lê Văn Nam", "id_number": "051090005678", "phone": "0905000111"},
        form_data={"child_name": "Lê Na", "birth_date": "2026-10-01"}, digitized=True)
    page = new_page(PHONE)
    page.goto("/")
    _assert_fits(page)
    shot(page, "trang-chu-360px")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Bỏ qua, đến nội dung chính")).to_be_focused()
    page.goto("/tra-cuu/")
    page.get_by_label("Mã hồ sơ").focus()
    page.keyboard.type(d.code)
    page.keyboard.press("Tab")
    page.keyboard.type("0000")
    page.keyboard.press("Enter")
    expect(page.locator(".msgs")).to_contain_text("Không tìm thấy hồ sơ")
    expect(page.get_by_label("Mã hồ sơ")).to_have_value(d.code)
    shot(page, "tra-cuu-sai")
    page.get_by_label("4 số cuối số định danh hoặc số điện thoại").fill("5678")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("Đã tiếp nhận")
    assert page.url.endswith("/tra-cuu/") and "5678" not in page.url  # posted: the digits stay out of URLs and logs
    expect(page.locator("main")).to_contain_text(d.due_at.astimezone(TZ).strftime("%d/%m/%Y"))
    _assert_fits(page)
    shot(page, "tra-cuu-360px")
    page.goto(f"/thu-tuc/{world['proc'].code}/")
    _assert_fits(page)
    shot(page, "thu-tuc-360px")


def test_new_officer_turns_on_two_factor(new_page, world, shot):
    officer("counter_officer", world["agency"], username="motcua.moi", full_name="Lý Thị Hồng")
    page = new_page()
    login(page, "motcua.moi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bật xác thực hai lớp")
    expect(page.locator("main svg")).to_be_visible()
    shot(page, "bat-xac-thuc-hai-lop")
    confirm_enrolment(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bộ phận Một cửa")
