"""The citizen's daily journey in a real Chromium against the national-system simulators: sign in with the VNeID
button, submit with every applicant fact pre-filled and asked once, pay through the gateway and come back to the
dossier page showing the payment and why the fee is halved; and, on a phone, the holder whose account the VNeID sign-in
took back sets a password again."""

import re

import pytest
from playwright.sync_api import expect

from motcua.accounts.services import register_citizen
from motcua.demo.simulators import EidSimulator, PaymentGatewaySimulator, PopulationSimulator
from motcua.dossiers.models import Dossier
from motcua.payments.models import Payment
from tests.e2e.conftest import PHONE, login
from tests.factories import AgencyFactory, procedure_with_steps

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SECRET = "khoa-mo-phong-u1-du-32-byte-cho-hs256"  # HS256 wants 32 bytes (RFC 7518 §3.2)
BASIS = "Nghị quyết 05/2025/NQ-HĐND tỉnh Quảng Ngãi về lệ phí hộ tịch"
PORTS = {"eid": 18410, "payment": 18411, "population": 18412}  # this work's port range


@pytest.fixture
def national(settings):
    sims = {"eid": EidSimulator(client_secret=SECRET, port=PORTS["eid"]),
            "payment": PaymentGatewaySimulator(secret=SECRET, port=PORTS["payment"]),
            "population": PopulationSimulator(secret=SECRET, port=PORTS["population"])}
    for sim in sims.values():
        sim.start()
    settings.MOTCUA_INTEGRATIONS = {
        "eid": {"url": sims["eid"].url, "client_id": "motcua", "secret": SECRET},
        "payment": {"url": sims["payment"].url, "secret": SECRET},
        "population": {"url": sims["population"].url, "secret": SECRET}}
    yield sims
    for sim in sims.values():
        sim.stop()


@pytest.fixture
def marriage_status():
    agency = AgencyFactory(name="UBND phường Cẩm Thành", address="1 Quang Trung, phường Cẩm Thành")
    proc = procedure_with_steps(
        name="Cấp Giấy xác nhận tình trạng hôn nhân", fee_vnd=15_000, fee_online_vnd=7_500, fee_online_basis=BASIS,
        online_level="full", form_schema=[
            {"name": "ho_ten", "label": "Họ, chữ đệm và tên người yêu cầu", "type": "text", "required": True,
             "bind": "applicant.full_name"},
            {"name": "so_dinh_danh", "label": "Số định danh cá nhân", "type": "id_number", "required": True,
             "bind": "applicant.id_number"},
            {"name": "dien_thoai", "label": "Số điện thoại", "type": "tel", "required": True,
             "bind": "applicant.phone"},
            {"name": "ngay_sinh", "label": "Ngày sinh", "type": "date", "required": True,
             "bind": "person.date_of_birth"},
            {"name": "noi_cu_tru", "label": "Nơi cư trú", "type": "text", "required": True,
             "bind": "person.current_address"},
            {"name": "muc_dich", "label": "Mục đích sử dụng", "type": "text", "required": True},
        ])
    proc.agencies.add(agency)
    return proc


def test_citizen_signs_in_with_vneid_submits_once_pays_and_comes_back(new_page, national, marriage_status, shot,
                                                                     pdf_file):
    proc = marriage_status
    cit = new_page()
    cit.goto(f"/tai-khoan/dang-nhap/?next=/thu-tuc/{proc.code}/nop-truc-tuyen/")
    vneid = cit.get_by_role("link", name="Đăng nhập bằng VNeID")
    expect(vneid).to_be_visible()
    # first on the page: before the username and password
    assert cit.evaluate("""() => { const b = [...document.querySelectorAll('main a, main input, main button')];
        return b.findIndex(e => e.textContent.includes('VNeID')) < b.findIndex(e => e.name === 'username'); }""")
    shot(cit, "dang-nhap-vneid")
    vneid.click()  # the e-ID app approves (simulator) and sends the citizen back signed in
    expect(cit.get_by_role("heading", level=1)).to_have_text("Nộp hồ sơ trực tuyến")

    # The applicant block comes from the e-ID account; the e-form does not ask name, ID number and phone again.
    expect(cit.get_by_label("Họ và tên người nộp")).to_have_value("Nguyễn Thị Hồng Nhung")
    expect(cit.get_by_label("Số định danh cá nhân")).to_have_value("051190012345")
    expect(cit.get_by_label("Số điện thoại")).to_have_value("0905123456")
    names = cit.eval_on_selector_all("form input", "els => els.map(e => e.name)")
    assert not {"f_ho_ten", "f_so_dinh_danh", "f_dien_thoai"} & set(names)
    values = cit.eval_on_selector_all("form input:not([type=hidden])", "els => els.map(e => e.value)")
    assert values.count("051190012345") == 1 and values.count("0905123456") == 1
    expect(cit.locator("#khai-mot-lan")).to_contain_text("Họ, chữ đệm và tên người yêu cầu")
    # Facts the population database holds: filled once the citizen asks for them, still editable.
    cit.get_by_role("link", name="Điền sẵn từ CSDL quốc gia về dân cư").click()
    expect(cit.locator(".msgs")).to_contain_text("Đã điền sẵn thông tin từ CSDL quốc gia về dân cư")
    expect(cit.get_by_label("Ngày sinh")).to_have_value("1990-07-14")
    expect(cit.get_by_label("Nơi cư trú")).to_have_value("Tổ dân phố 3, phường Cẩm Thành, tỉnh Quảng Ngãi")
    expect(cit.get_by_label("Địa chỉ")).to_have_value("Tổ dân phố 3, phường Cẩm Thành, tỉnh Quảng Ngãi")
    shot(cit, "to-khai-dien-san")
    cit.get_by_label("Mục đích sử dụng").fill("Đăng ký kết hôn")
    for comp in proc.components.all():
        cit.get_by_label(comp.name).set_input_files(pdf_file)
    cit.get_by_role("button", name="Nộp hồ sơ").click()
    expect(cit.locator(".msgs")).to_contain_text("Đã nộp hồ sơ")
    dossier = Dossier.objects.get(procedure=proc)
    assert dossier.form_data["ho_ten"] == "Nguyễn Thị Hồng Nhung" and dossier.form_data["so_dinh_danh"] == "051190012345"
    assert dossier.form_data["ngay_sinh"] == "1990-07-14" and dossier.applicant_vneid and dossier.applicant_population

    # The fee and why it is halved, before paying.
    explanation = f"Lệ phí 15.000 đ, giảm 50 % khi nộp trực tuyến theo {BASIS}: còn 7.500 đ"
    expect(cit.locator("main")).to_contain_text(explanation)
    shot(cit, "ho-so-truoc-thanh-toan")
    cit.get_by_role("button", name="Thanh toán trực tuyến").click()
    expect(cit.get_by_role("heading", level=1)).to_have_text("Thanh toán trực tuyến")  # the gateway's page
    assert cit.url.startswith(national["payment"].url)
    expect(cit.locator("body")).to_contain_text("7.500 đ")
    expect(cit.locator("body")).to_contain_text(BASIS)
    shot(cit, "cong-thanh-toan")
    returns = []  # the address the gateway sent the browser back to, signed result included
    cit.on("request", lambda r: returns.append(r.url) if "/thanh-toan/ket-qua/" in r.url else None)
    cit.get_by_role("button", name="Xác nhận thanh toán").click()

    # Back on the dossier page, with the signed result recorded.
    expect(cit.locator(".msgs")).to_contain_text("Đã thanh toán trực tuyến 7.500 đ")
    assert re.search(rf"/ho-so-cua-toi/{dossier.pk}/$", cit.url)
    expect(cit.locator("main")).to_contain_text("Đã thanh toán trực tuyến")
    expect(cit.locator("main")).to_contain_text(explanation)
    shot(cit, "da-thanh-toan")
    payment = Payment.objects.get(dossier=dossier)
    assert payment.status == Payment.PAID and payment.confirmed_by == "return"
    cit.get_by_role("link", name="Biên lai thanh toán").click()
    expect(cit.get_by_role("heading", level=1)).to_have_text("Biên lai thanh toán trực tuyến")
    expect(cit.locator("main")).to_contain_text(explanation)
    expect(cit.locator("main")).to_contain_text(payment.merchant_ref)
    shot(cit, "bien-lai")
    # The same signed return again (history, a copied link): refused, nothing recorded twice.
    assert len(returns) == 1 and "sig=" in returns[0]
    cit.goto(returns[0])
    expect(cit.locator(".msgs")).to_contain_text("đã được ghi nhận lúc")
    assert Payment.objects.filter(dossier=dossier, status=Payment.PAID).count() == 1
    shot(cit, "gui-lai-ket-qua")


def test_the_holder_sets_a_password_again_after_vneid_took_the_account_back_on_a_phone(new_page, national, shot):
    register_citizen(username="nhung90", password="mat-khau-dai-1", full_name="Nguyễn Thị Hồng Nhung",
                     id_number="051190012345", phone="0905123456")
    cit = new_page(PHONE)
    cit.goto("/tai-khoan/dang-nhap/")
    cit.get_by_role("link", name="Đăng nhập bằng VNeID").click()
    expect(cit.locator(".msgs")).to_contain_text("Mật khẩu đặt khi đăng ký và các khóa API cũ không còn dùng được")
    cit.locator(".msgs").get_by_role("link", name="đặt mật khẩu mới").click()
    expect(cit.get_by_role("heading", level=1)).to_have_text("Đặt mật khẩu")
    assert cit.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    shot(cit, "dat-mat-khau-360px")
    cit.locator("#id_password").fill("Song-Tra-Khuc-2026")
    cit.locator("#id_password2").fill("Song-Tra-Khuc-2026")
    cit.get_by_role("button", name="Lưu mật khẩu").click()
    expect(cit.locator(".msgs")).to_contain_text("Đã đặt mật khẩu")
    expect(cit.get_by_role("link", name="Đổi mật khẩu")).to_be_visible()
    cit.get_by_role("button", name="Đăng xuất").click()
    login(cit, "051190012345", "Song-Tra-Khuc-2026")
    expect(cit.locator(".msgs")).to_contain_text("Xin chào")
