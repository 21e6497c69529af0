"""Counter journeys in Chromium, with the task worker running: a paper dossier received at the counter, its
identity card scanned, read by Tesseract, checked and confirmed, then counted as digitized at receipt by the
statistics; a result drafted from the procedure's Word template, signed by the leader (PAdES) and downloaded by
the citizen. Screenshots under test-output/e2e/."""

import io
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import expect

from motcua.documents import ocr
from motcua.documents.convert import soffice
from tests.e2e.conftest import enrolled, login, open_pdf
from tests.factories import AgencyFactory, citizen, officer, procedure_with_steps

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(not ocr.ocr_available(), reason="tesseract-ocr-vie is not installed")]
OCR_WAIT_MS = 180_000  # Tesseract on a shared machine


def run_task_worker():
    """The db task worker (manage.py db_worker) in batch mode, in the test's thread and database connection: it runs
    what is queued, then returns. The page's progress requests wait meanwhile (held by page.route until the test
    talks to the browser again), so the live server and the worker never use the connection at the same time."""
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False, max_tasks=None,
           worker_id="e2e-worker", excluded_queue_names=[]).run()


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.MOTCUA_PKI_DIR = str(tmp_path / "pki")  # the demo CA issues the agency's signing certificate
    agency = AgencyFactory(name="UBND xã Tịnh Sơn", address="Thôn Phước Lộc, xã Tịnh Sơn")
    proc = procedure_with_steps(name="Cấp Giấy xác nhận tình trạng hôn nhân", code="1.004873",
                                result_name="Giấy xác nhận tình trạng hôn nhân",
                                components=("Căn cước công dân", "Giấy tờ khác"), form_schema=[
                                    {"name": "purpose", "label": "Mục đích sử dụng", "type": "text", "required": True}])
    proc.components.filter(name="Giấy tờ khác").update(is_required=False)
    proc.agencies.add(agency)
    return {
        "agency": agency, "proc": proc,
        "counter": enrolled(officer("counter_officer", agency, username="motcua", full_name="Phạm Thu Hà")),
        "specialist": enrolled(officer("specialist", agency, username="chuyenvien", full_name="Đỗ Văn Bình")),
        "leader": enrolled(officer("leader", agency, username="lanhdao", full_name="Nguyễn Quốc Việt")),
        "citizen": citizen(username="congdan", full_name="Trần Thị Mai", id_number="051190001234",
                           phone="0912345678"),
    }


def identity_card_scan(path: Path) -> str:
    """A scanned citizen identity card drawn with Pillow: a tinted card with a photo box and the usual fields."""
    from PIL import Image, ImageDraw, ImageFont

    from motcua.demo.synthetic import font_path

    regular = ImageFont.truetype(font_path("LiberationSans-Regular.ttf"), 34)
    bold = ImageFont.truetype(font_path("LiberationSans-Bold.ttf"), 36)
    page = Image.new("RGB", (1400, 900), (255, 255, 255))
    draw = ImageDraw.Draw(page)
    draw.rounded_rectangle((40, 40, 1360, 860), radius=30, fill=(236, 244, 236), outline=(120, 150, 120), width=3)
    draw.rectangle((80, 300, 360, 660), fill=(205, 205, 215), outline=(90, 90, 90))
    lines = [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold), ("Độc lập - Tự do - Hạnh phúc", bold),
             ("CĂN CƯỚC CÔNG DÂN", bold), ("Số định danh cá nhân: 051190001234", regular),
             ("Họ và tên: TRẦN THỊ MAI", regular), ("Ngày sinh: 15/08/1990", regular),
             ("Giới tính: Nữ   Quốc tịch: Việt Nam", regular), ("Nơi thường trú: Xã Tịnh Sơn, tỉnh Quảng Ngãi", regular)]
    y = 80
    for i, (text, font) in enumerate(lines):
        x = 400 if i >= 3 else 300
        draw.text((x, y), text, font=font, fill=(20, 20, 20))
        y += 62 if i < 3 else 80
    page.save(path, "PNG")
    return str(path)


def card_back(path: Path) -> str:
    """The back of the card, scanned to PDF (a second page, another file type)."""
    from PIL import Image, ImageDraw, ImageFont

    from motcua.demo.synthetic import font_path

    font = ImageFont.truetype(font_path("LiberationSans-Regular.ttf"), 34)
    page = Image.new("RGB", (1400, 900), (236, 244, 236))
    ImageDraw.Draw(page).text((80, 120), "Đặc điểm nhận dạng: Nốt ruồi cách 2 cm dưới mắt trái", font=font, fill=0)
    ImageDraw.Draw(page).text((80, 220), "Ngày cấp: 10/05/2021", font=font, fill=0)
    page.save(path, "PDF", resolution=150)
    return str(path)


def _stat_row(page):
    return page.locator("tr", has=page.locator("td", has_text=re.compile(r"^Số hóa hồ sơ khi tiếp nhận$")))


def _statistics(page, shot, label):
    from django.utils import timezone

    from motcua.reporting.consumer import consume

    consume(lag_seconds=0)
    page.goto(f"/thong-ke/?ky={timezone.localdate():%Y-%m}")
    row = _stat_row(page)
    expect(row).to_be_visible()
    shot(page, label)
    return row.locator("td.n").first


def test_counter_scans_confirms_and_the_statistics_count_it(new_page, world, shot, tmp_path):
    ctr = new_page()
    login(ctr, "motcua")
    # A paper dossier received at the counter: no tick box claims it is digitized.
    ctr.get_by_role("link", name="Tiếp nhận trực tiếp").click()
    ctr.get_by_label("Bước 1. Chọn thủ tục").fill("tinh trang hon nhan")
    ctr.locator("#tt-ket-qua").get_by_role("link", name="Cấp Giấy xác nhận tình trạng hôn nhân").click()
    ctr.get_by_label("Số định danh cá nhân").fill("051190001234")
    expect(ctr.get_by_label("Họ và tên người nộp")).to_have_value("Trần Thị Mai")
    ctr.get_by_label("Mục đích sử dụng").fill("Đăng ký kết hôn")
    ctr.get_by_label("Căn cước công dân").check()
    expect(ctr.locator("main")).not_to_contain_text("Đã số hóa thành phần hồ sơ")
    ctr.get_by_role("button", name="Tiếp nhận và in giấy hẹn").click()
    expect(ctr.locator(".msgs")).to_contain_text("Hẹn trả kết quả ngày")
    dossier_url = ctr.url
    card = ctr.locator("#so-hoa")
    expect(card.locator("tr", has_text="Căn cước công dân")).to_contain_text("Chưa số hóa")
    shot(ctr, "da-tiep-nhan-chua-so-hoa")
    cell = _statistics(ctr, shot, "thong-ke-truoc-khi-so-hoa")
    expect(cell).to_have_text("0")

    # A wrong file is refused with its reason, and nothing is kept.
    ctr.goto(dossier_url)
    bad = tmp_path / "ghi-chu.txt"
    bad.write_text("không phải bản quét")
    ctr.get_by_label("Bản quét: Căn cước công dân").set_input_files(str(bad))
    ctr.locator("#so-hoa tr", has_text="Căn cước công dân").get_by_role("button", name="Tải lên và nhận dạng").click()
    expect(ctr.locator(".msgs")).to_contain_text("không phải bản quét")
    expect(card.locator("tr", has_text="Căn cước công dân")).to_contain_text("Chưa số hóa")
    shot(ctr, "ban-quet-sai-loai")

    # The scan: uploaded, read by the worker with its progress on the page.
    ctr.get_by_label("Bản quét: Căn cước công dân").set_input_files([identity_card_scan(tmp_path / "cccd.png"),
                                                                     card_back(tmp_path / "cccd-mat-sau.pdf")])
    ctr.locator("#so-hoa tr", has_text="Căn cước công dân").get_by_role("button", name="Tải lên và nhận dạng").click()
    expect(ctr.get_by_role("heading", level=1)).to_have_text("Số hóa “Căn cước công dân”")
    expect(ctr.get_by_role("progressbar", name="Tiến độ nhận dạng")).to_be_visible()
    expect(ctr.locator("#trang-thai")).to_contain_text("Đang chờ: 0/2 trang")
    shot(ctr, "dang-cho-nhan-dang")
    ctr.route("**/tien-do/", lambda route: route.continue_())
    run_task_worker()
    link = ctr.get_by_role("link", name="Xem kết quả nhận dạng")
    expect(link).to_be_visible(timeout=OCR_WAIT_MS)
    expect(ctr.locator("#trang-thai")).to_contain_text("Hoàn thành: 2/2 trang")
    shot(ctr, "nhan-dang-xong")
    expect(ctr.get_by_role("progressbar", name="Tiến độ nhận dạng")).to_have_attribute("value", "100")
    # Until the officer confirms, the dossier is not digitized.
    from motcua.dossiers.models import Dossier

    dossier = Dossier.objects.get(applicant_id_number="051190001234")
    assert not dossier.digitized_at_receipt
    link.click()
    # The page image beside the fields read from it; the officer corrects what is needed.
    for n in (1, 2):
        image = ctr.get_by_role("img", name=f"Trang {n} của bản quét")
        image.scroll_into_view_if_needed()
        expect(image).to_be_visible()
        ctr.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=image.element_handle())
    expect(ctr.get_by_label("Họ và tên")).to_have_value("TRẦN THỊ MAI")
    expect(ctr.get_by_label("Số định danh cá nhân (CCCD)")).to_have_value("051190001234")
    expect(ctr.get_by_label("Ngày sinh")).to_have_value("15/08/1990")
    shot(ctr, "doi-chieu-truong-thong-tin")
    ctr.get_by_label("Ngày sinh").fill("31/02/1990")
    ctr.get_by_role("button", name="Xác nhận số hóa").click()
    expect(ctr.locator("#id_date_of_birth_error")).to_have_text("Ngày sinh không hợp lệ (dd/mm/yyyy).")
    ctr.get_by_label("Ngày sinh").fill("15/08/1990")
    ctr.get_by_label("Địa chỉ").fill("Xã Tịnh Sơn, tỉnh Quảng Ngãi")
    ctr.get_by_role("button", name="Xác nhận số hóa").click()
    expect(ctr.locator(".msgs")).to_contain_text("Đã xác nhận số hóa: Căn cước công dân.")
    expect(card.locator("tr", has_text="Căn cước công dân")).to_contain_text("Đã số hóa — Phạm Thu Hà")
    expect(card).to_contain_text("Hồ sơ đã được số hóa khi tiếp nhận.")
    shot(ctr, "da-so-hoa")
    dossier.refresh_from_db()
    assert dossier.digitized_at_receipt
    expect(_statistics(ctr, shot, "thong-ke-sau-khi-so-hoa")).to_have_text("1")


@pytest.mark.skipif(not soffice(), reason="LibreOffice (soffice) not installed: scripts/system-packages.sh")
def test_result_from_the_template_signed_by_the_leader(new_page, world, shot, tmp_path):
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext
    from pypdf import PdfReader

    from motcua.demo.result_templates import DEMO_TEMPLATES, template_docx
    from motcua.documents import pki
    from motcua.dossiers import lifecycle
    from motcua.dossiers.models import Dossier

    d = lifecycle.submit_online(applicant=world["citizen"], procedure=world["proc"], agency=world["agency"],
                                applicant_data={"name": "Trần Thị Mai", "id_number": "051190001234",
                                                "address": "Xã Tịnh Sơn, tỉnh Quảng Ngãi"},
                                form_data={"purpose": "Đăng ký kết hôn"}, return_method="online")
    d = lifecycle.receive(d, officer=world["counter"])
    lifecycle.start_processing(d, officer=world["counter"])
    template = tmp_path / "mau-xac-nhan-hon-nhan.docx"
    template.write_bytes(template_docx(*DEMO_TEMPLATES["1.004873"]))

    # The leader gives the procedure its Word template.
    ldr = new_page()
    login(ldr, "lanhdao")
    ldr.goto(f"/can-bo/ho-so/{d.pk}/")
    ldr.get_by_role("link", name="Tải lên mẫu kết quả").click()
    ldr.get_by_label(re.compile("Tệp mẫu kết quả")).set_input_files(str(template))
    ldr.get_by_role("button", name="Lưu mẫu kết quả").click()
    expect(ldr.locator(".msgs")).to_contain_text("Đã lưu mẫu kết quả")
    expect(ldr.locator("main")).to_contain_text("mau-xac-nhan-hon-nhan.docx")
    shot(ldr, "mau-ket-qua")

    # The specialist drafts the result from it, then finishes the step.
    spc = new_page()
    login(spc, "chuyenvien")
    spc.goto(f"/can-bo/ho-so/{d.pk}/")
    spc.get_by_role("button", name="Tạo dự thảo kết quả từ mẫu").click()
    expect(spc.locator(".msgs")).to_contain_text("Đã tạo dự thảo kết quả từ mẫu", timeout=120_000)
    expect(spc.locator("#du-thao-ket-qua")).to_contain_text("du-thao-ket-qua.pdf")
    shot(spc, "du-thao-ket-qua")
    draft = open_pdf(spc, spc.locator("#du-thao-ket-qua").get_by_role("link", name=re.compile("du-thao-ket-qua.pdf")))
    draft_text = PdfReader(io.BytesIO(draft)).pages[0].extract_text()
    spc.go_back()
    assert "TRẦN THỊ MAI" in draft_text.upper() and "051190001234" in draft_text
    spc.locator("details", has=spc.locator("summary", has_text="Hoàn thành bước xử lý")).locator("summary").click()
    spc.get_by_role("button", name="Hoàn thành bước xử lý").click()
    expect(spc.locator(".msgs")).to_contain_text("Hoàn thành bước xử lý")

    # The leader approves, reviews the draft and signs it.
    ldr.goto(f"/can-bo/ho-so/{d.pk}/")
    panel = ldr.locator("details", has=ldr.locator("summary", has_text="Phê duyệt kết quả"))
    panel.locator("summary").click()
    panel.get_by_label("Nội dung kết quả").fill("Bà Trần Thị Mai chưa đăng ký kết hôn với ai.")
    panel.get_by_role("button", name="Phê duyệt kết quả").click()
    ldr.locator("#du-thao-ket-qua").get_by_role("button", name="Ký số").click()
    expect(ldr.locator("h1")).to_contain_text("Chờ trả kết quả")
    shot(ldr, "lanh-dao-da-ky-so")
    lifecycle.return_result(Dossier.objects.get(pk=d.pk), officer=world["counter"], method="online")

    # The citizen downloads the signed result.
    cit = new_page()
    login(cit, "congdan")
    cit.goto(f"/ho-so-cua-toi/{d.pk}/")
    expect(cit.locator("main")).not_to_contain_text("du-thao-ket-qua.pdf")
    cit.get_by_role("link", name="Xem, tải kết quả").click()
    shot(cit, "cong-dan-ket-qua")
    data = open_pdf(cit, cit.get_by_role("link", name=re.compile("Tải tệp kết quả.*đã ký số")))
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "Trần Thị Mai" in text and "chưa đăng ký kết hôn" in text
    root = load_cert_from_pemder(str(pki.pki_dir() / "root-ca.crt"))
    with ThreadPoolExecutor(1) as pool:  # pyHanko runs its own event loop; Playwright's is running in this thread
        status = pool.submit(validate_pdf_signature, PdfFileReader(io.BytesIO(data)).embedded_signatures[0],
                             ValidationContext(trust_roots=[root])).result()
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()

