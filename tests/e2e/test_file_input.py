"""A phone set to English still reads Vietnamese beside a file to send: "Chọn tệp", then the names chosen — not the
browser's "Choose File / No file chosen". The input stays in the form (hidden, focusable), so the upload, the
slow-link indicator and the form's error round trip work as before; without JavaScript the browser's input shows."""

import pytest
from playwright.sync_api import expect

from motcua.dossiers.models import Dossier
from tests.e2e.conftest import PHONE, login
from tests.factories import AgencyFactory, citizen, procedure_with_steps

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def residence():
    agency = AgencyFactory(name="UBND xã Sơn Tây")
    proc = procedure_with_steps(name="Cấp Giấy xác nhận cư trú", components=("Giấy tờ chứng minh",),
                                online_level="full", form_schema=[])
    proc.agencies.add(agency)
    person = citizen(username="congdan", full_name="Đinh Thị Hoa", id_number="051190001234", phone="0912345678")
    return proc, person


def _send(page):
    agencies = page.locator("select[name=agency]")
    if agencies.count():
        agencies.select_option(label="UBND xã Sơn Tây")
    page.get_by_role("button", name="Nộp hồ sơ").click()


def test_an_english_phone_chooses_files_in_vietnamese_and_the_file_arrives(new_page, residence, pdf_file, shot):
    proc, person = residence
    page = new_page(PHONE, locale="en-US")
    assert page.evaluate("navigator.language") == "en-US"
    login(page, "congdan")
    page.goto(f"/thu-tuc/{proc.code}/nop-truc-tuyen/")
    field = page.get_by_label("Giấy tờ chứng minh")
    picker = page.locator(".file-pick", has=field)
    button = picker.get_by_text("Chọn tệp", exact=True)
    expect(button).to_be_visible()
    expect(picker).to_contain_text("Chưa chọn tệp")
    assert field.bounding_box()["width"] <= 1, "the browser's English input is hidden behind the Vietnamese button"
    shot(page, "chon-tep-tieng-viet")

    # An error elsewhere: the file sent is kept with a draft; the page says it is attached, not asked for again.
    page.get_by_label("Họ và tên người nộp").fill("")
    with page.expect_file_chooser() as chooser:
        button.click()  # the button opens the phone's file chooser
    chooser.value.set_files(pdf_file)
    expect(picker).to_contain_text("giay-chung-sinh.pdf")
    expect(picker).not_to_contain_text("Chưa chọn tệp")
    _send(page)
    expect(page.locator("main")).to_contain_text("Đã tải lên: giay-chung-sinh.pdf — không cần tải lại")
    expect(page.locator("main")).not_to_contain_text("vui lòng chọn lại tệp này")
    shot(page, "tep-da-giu")

    page.get_by_label("Họ và tên người nộp").fill("Đinh Thị Hoa")
    _send(page)  # no file chosen again: the one kept goes with the dossier
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Nộp hồ sơ trực tuyến")
    sent = Dossier.objects.get(applicant=person)
    assert sent.attachments.get(component__name="Giấy tờ chứng minh").original_name == "giay-chung-sinh.pdf"


def test_without_javascript_the_browsers_own_file_input_sends_the_file(new_page, residence, pdf_file):
    proc, person = residence
    page = new_page(PHONE, javascript=False)
    login(page, "congdan")
    page.goto(f"/thu-tuc/{proc.code}/nop-truc-tuyen/")
    field = page.get_by_label("Giấy tờ chứng minh")
    assert field.bounding_box()["width"] > 100  # the browser's own input, shown
    assert page.locator(".file-pick").count() == 0
    field.set_input_files(pdf_file)
    _send(page)
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Nộp hồ sơ trực tuyến")
    assert Dossier.objects.get(applicant=person).attachments.filter(component__name="Giấy tờ chứng minh").exists()
