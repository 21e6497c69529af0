"""A citizen on a slow mountain link sends a dossier with a file: while it travels the page says it is being sent
and how much, and a second tap on the button sends nothing more — one dossier arrives."""

import pytest
from playwright.sync_api import expect

from motcua.dossiers.models import Dossier
from tests.e2e.conftest import PHONE, login
from tests.factories import AgencyFactory, citizen, procedure_with_steps

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def big_scan(tmp_path):
    """A real picture of about 300 KB (a phone photo of a paper, roughly; noise does not compress)."""
    import random

    from PIL import Image

    path = tmp_path / "giay-to-da-quet.png"
    Image.frombytes("RGB", (320, 320), random.Random(7).randbytes(320 * 320 * 3)).save(path)
    return str(path)


def test_a_slow_upload_says_it_is_on_its_way_and_is_sent_once(new_page, big_scan, shot):
    agency = AgencyFactory(name="UBND xã Sơn Tây")
    proc = procedure_with_steps(name="Cấp Giấy xác nhận cư trú", components=("Giấy tờ chứng minh",),
                                online_level="full", form_schema=[])
    proc.agencies.add(agency)
    person = citizen(username="congdan", full_name="Đinh Thị Hoa", id_number="051190001234", phone="0912345678")
    page = new_page(PHONE)
    login(page, "congdan")
    page.goto(f"/thu-tuc/{proc.code}/nop-truc-tuyen/")
    page.get_by_label("Giấy tờ chứng minh").set_input_files(big_scan)
    agencies = page.locator("select[name=agency]")
    if agencies.count():
        agencies.select_option(label="UBND xã Sơn Tây")
    # 3G in the mountains: the form stays on its way for a while. Here a listener that runs after the page's own
    # stops each send at the last moment, so the page can be read while "sending"; it notes whether the page's
    # script had already stopped that send itself.
    page.evaluate("""() => { window.sends = [];
        window.addEventListener("submit", e => { window.sends.push(e.defaultPrevented); e.preventDefault(); }); }""")
    send = page.get_by_role("button", name="Nộp hồ sơ")
    send.click()
    status = page.locator("[data-sending-status]")
    expect(status).to_be_visible()
    expect(status).to_contain_text("Đang gửi hồ sơ kèm 1 tệp (0,3 MB)")
    expect(status).to_contain_text("vui lòng giữ nguyên trang này")
    expect(page.locator("form[data-sending]")).to_have_attribute("aria-busy", "true")
    shot(page, "dang-gui")
    send.click()  # impatient: a second tap while the first is on its way
    page.get_by_role("button", name="Lưu nháp").click()  # or the other button
    assert page.evaluate("window.sends") == [False, True, True]  # only the first went on its way
    # The first send let through (form.submit() fires no submit event): it arrives as one dossier, with its file.
    page.evaluate("document.querySelector('form[data-sending]').submit()")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Nộp hồ sơ trực tuyến")
    shot(page, "da-nop")
    sent = Dossier.objects.filter(applicant=person).exclude(status="draft")
    assert sent.count() == 1
    assert sent.get().attachments.filter(component__name="Giấy tờ chứng minh").exists()
