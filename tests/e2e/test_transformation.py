"""Digital transformation in a real Chromium: a ward fills its plan and answers the province's round; the
province sees the roll-up and who has not reported, and downloads the annual report, printed to PDF by
LibreOffice (headless) to check its text."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from motcua.units.models import AdministrativeUnit, Agency
from tests.e2e.conftest import DESKTOP, PHONE, SHOTS, charts_fit, enrolled, login
from tests.factories import officer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def dx_world(settings, tmp_path):
    settings.TASKS = IMMEDIATE  # the report build runs as the request commits
    settings.MEDIA_ROOT = str(tmp_path / "media")
    import importlib

    from django.apps import apps

    from motcua.transformation.services import plans

    # The catalogues filled by a data migration (task groups, funding sources), again: an earlier browser
    # journey (transaction=True) emptied every table.
    importlib.import_module("motcua.transformation.migrations.0002_catalogue").seed(apps, None)
    province = AdministrativeUnit.objects.create(code="51", name="Tỉnh Quảng Ngãi", level=AdministrativeUnit.PROVINCE)
    committee = Agency.objects.create(code="H51", name="Ủy ban nhân dân tỉnh Quảng Ngãi",
                                      kind=Agency.PROVINCIAL_COMMITTEE, admin_unit=province)
    for code, name, agency_code in (("21439", "Đức Phổ", "H51.50.80"), ("21025", "Cẩm Thành", "H51.50.01")):
        unit = AdministrativeUnit.objects.create(code=code, name=f"Phường {name}", level=AdministrativeUnit.WARD,
                                                 parent=province)
        Agency.objects.create(code=agency_code, name=f"UBND phường {name}", kind=Agency.COMMUNE_COMMITTEE,
                              admin_unit=unit, parent=committee)
    duc_pho = Agency.objects.get(code="H51.50.80")
    admin = enrolled(officer("provincial_admin", None, username="qt.tinh", full_name="Lê Minh Tỉnh"))
    enrolled(officer("unit_admin", duc_pho, username="qt.ducpho", full_name="Võ Thị Phổ"))
    year = timezone.localdate().year
    plans.create_plan(admin, agency=committee, year=year, legal_basis="Kế hoạch chuyển đổi số của tỉnh")
    return {"year": year}


def test_a_ward_reports_and_the_province_prints_the_annual_report(new_page, dx_world, shot, pdf_file, tmp_path):
    year = dx_world["year"]
    deadline = timezone.localdate() + timezone.timedelta(days=10)

    # The province opens the yearly round.
    prov = new_page()
    login(prov, "qt.tinh")
    prov.get_by_role("link", name="Chuyển đổi số").click()
    prov.get_by_role("link", name="Kỳ báo cáo").click()
    prov.get_by_label("Năm báo cáo").fill(str(year))
    prov.get_by_label("Hạn báo cáo").fill(deadline.isoformat())
    prov.get_by_label("Sở, ban, ngành tỉnh").uncheck()
    prov.get_by_role("button", name="Mở kỳ báo cáo").click()
    expect(prov.locator(".msgs")).to_contain_text("cho 2 đơn vị")
    expect(prov.locator("#danh-sach-chua-bao-cao")).to_contain_text("UBND phường Đức Phổ")
    shot(prov, "tinh-mo-ky-bao-cao")

    # The ward's admin writes its plan under the province's.
    ward = new_page()
    login(ward, "qt.ducpho")
    ward.get_by_role("link", name="Chuyển đổi số").click()
    ward.get_by_role("link", name="Lập kế hoạch").click()
    ward.get_by_role("spinbutton", name="Năm", exact=True).fill(str(year))
    ward.get_by_label("Thực hiện kế hoạch của cấp trên").select_option(
        label=f"Ủy ban nhân dân tỉnh Quảng Ngãi — Kế hoạch chuyển đổi số năm {year}")
    ward.get_by_role("button", name="Lập kế hoạch").click()
    expect(ward.get_by_role("heading", level=1)).to_contain_text(f"Kế hoạch chuyển đổi số năm {year}")
    ward.get_by_label("Tên nhóm nhiệm vụ mới").fill("Nhóm phát triển chính quyền số")
    ward.get_by_role("button", name="Thêm nhóm").click()
    adding = ward.locator("details", has=ward.locator("summary", has_text="Thêm nhiệm vụ vào nhóm I"))
    adding.locator("summary").click()
    adding.get_by_label("Nội dung nhiệm vụ").fill("Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính")
    adding.get_by_label("Đơn vị chủ trì").fill("Văn phòng HĐND và UBND phường")
    adding.get_by_label("Thời hạn hoàn thành").fill(f"{year}-12-31")
    adding.get_by_role("button", name="Thêm nhiệm vụ").click()
    row = ward.locator("tr", has_text="Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính").first
    expect(row).to_be_visible()
    update = row.locator("details", has=ward.locator("summary", has_text="Cập nhật"))
    update.locator("summary").click()
    update.get_by_label("Kinh phí (triệu đồng)").fill("-5")
    update.get_by_role("button", name="Thêm kinh phí").click()
    expect(ward.locator("#dx-sections [role=alert]")).to_contain_text("Kinh phí không được âm.")
    shot(ward, "kinh-phi-am-bi-tu-choi")
    # the panel stays open with the amount as typed, to correct it
    row = ward.locator("tr", has_text="Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính").first
    update = row.locator("details", has=ward.locator("summary", has_text="Cập nhật"))
    expect(update.get_by_label("Kinh phí (triệu đồng)")).to_have_value("-5")
    update.get_by_label("Kinh phí (triệu đồng)").fill("92,460")
    update.get_by_label("Nguồn vốn").fill("CTX, NSH")
    update.get_by_role("button", name="Thêm kinh phí").click()
    expect(ward.locator("#dx-sections")).to_contain_text("92,460")
    expect(ward.locator("#dx-sections")).to_contain_text("CTX, NSH")
    shot(ward, "ke-hoach-co-kinh-phi")
    targets = ward.locator("#dx-targets")
    targets.locator("summary", has_text="Thêm chỉ tiêu").click()
    targets.get_by_role("combobox", name="Chỉ số").select_option(label="Tỷ lệ hộ gia đình kết nối Internet")
    targets.get_by_label("So sánh").select_option(label=">")
    targets.get_by_label("Giá trị chỉ tiêu").fill("70")
    targets.get_by_role("button", name="Thêm chỉ tiêu").click()
    expect(ward.locator("#dx-targets")).to_contain_text("> 70 %")
    ward.locator("#dx-targets summary", has_text="Nhập giá trị").click()
    ward.locator("#dx-targets").get_by_label("Giá trị đạt được").fill("72,5")
    ward.locator("#dx-targets").get_by_label("Tệp minh chứng (PDF, ảnh, DOCX)").set_input_files(pdf_file)
    ward.locator("#dx-targets").get_by_role("button", name="Lưu giá trị").click()
    expect(ward.locator("#dx-targets")).to_contain_text("72,5 %")
    expect(ward.locator("#dx-targets .met-yes")).to_have_text("Đạt")
    shot(ward, "chi-tieu-da-nhap")
    ward.get_by_role("link", name="Kỳ báo cáo").click()
    ward.get_by_role("link", name=f"Báo cáo kết quả chuyển đổi số năm {year}").click()
    ward.locator("#danh-sach-chua-bao-cao").get_by_role("link", name="Báo cáo").click()
    expect(ward.locator("main")).to_contain_text("72,5 %")
    shot(ward, "phieu-bao-cao-cua-ky")
    ward.get_by_role("button", name="Gửi báo cáo").click()
    expect(ward.locator(".msgs")).to_contain_text("Đã gửi báo cáo của UBND phường Đức Phổ")

    # The province: roll-up, who has not reported, the annual report of the ward.
    prov.get_by_role("link", name="Tổng hợp toàn tỉnh").click()
    expect(prov.locator("#kpi-kinh-phi")).to_have_text("92,46")
    expect(prov.locator("#don-vi-chua-bao-cao")).to_have_text("UBND phường Cẩm Thành")
    expect(prov.locator("#tien-do-don-vi")).to_contain_text("UBND phường Đức Phổ")
    expect(prov.locator("svg.chart").first).to_be_visible()
    shot(prov, "tong-hop-toan-tinh")
    prov.set_viewport_size(PHONE)  # the budget's charts on a phone: on the screen, their words readable
    charts_fit(prov)
    prov.set_viewport_size(DESKTOP)
    prov.goto(f"/can-bo/chuyen-doi-so/bao-cao-nam/21439/{year}/")
    section = prov.locator("#muc-shortcomings")
    section.get_by_label("Nội dung do đơn vị viết").fill("Nhân lực chuyên trách còn thiếu.")
    section.get_by_role("button", name="Lưu mục này").click()
    expect(prov.locator("#muc-shortcomings")).to_contain_text("Đã lưu.")
    shot(prov, "bao-cao-nam-noi-dung")
    prov.get_by_role("button", name="Tạo .docx").click()
    expect(prov.locator("#tai-ve")).to_be_visible()
    shot(prov, "bao-cao-nam-da-tao")
    with prov.expect_download() as dl:
        prov.get_by_role("link", name="Tải tệp về").click()
    assert dl.value.suggested_filename == f"bao-cao-chuyen-doi-so-H51.50.80-{year}.docx"
    docx = tmp_path / "bao-cao.docx"
    dl.value.save_as(docx)
    text = _pdf_text(docx, tmp_path)
    for expected in ("BÁO CÁO", f"Kết quả thực hiện chuyển đổi số năm {year}", "Nhân lực chuyên trách còn thiếu.",
                     "Tỷ lệ hộ gia đình kết nối Internet: 72,5 %", "Tổng kinh phí: 92,46 triệu đồng", "PHỤ LỤC I",
                     "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính"):
        assert expected in text, expected


def test_a_ward_leader_updates_a_task_on_a_phone(new_page, dx_world, shot):
    """On "my tasks" at 360 px every row reads top to bottom with its form on screen; a mistyped progress comes
    back with the result as typed and the reason, then the corrected one is saved."""
    from motcua.transformation.services import plans

    year = dx_world["year"]
    duc_pho = Agency.objects.get(code="H51.50.80")
    leader = enrolled(officer("leader", duc_pho, username="ld.ducpho", full_name="Trần Văn Đức"))
    plan = plans.create_plan(leader, agency=duc_pho, year=year)
    section = plans.add_section(leader, plan, title="Phát triển chính quyền số")
    task = plans.add_task(leader, plan, section=section, content="Trang bị máy quét cho Bộ phận Một cửa",
                          deadline=timezone.datetime(year, 12, 31).date())

    phone = new_page(PHONE)
    login(phone, "ld.ducpho")
    phone.goto("/can-bo/chuyen-doi-so/nhiem-vu-cua-toi/")
    row = phone.locator("tr", has_text="Trang bị máy quét cho Bộ phận Một cửa")
    save = row.get_by_role("button", name="Lưu")
    assert save.bounding_box()["x"] + save.bounding_box()["width"] <= PHONE["width"], "the save button is off screen"
    assert row.get_by_label("Kết quả thực hiện").bounding_box()["width"] >= PHONE["width"] / 2
    row.get_by_label("Tiến độ (%)").fill("150")
    row.get_by_label("Kết quả thực hiện").fill("Đã lắp đặt 3 máy quét")
    save.click()
    row = phone.locator("tr", has_text="Trang bị máy quét cho Bộ phận Một cửa")
    expect(row).to_contain_text("Tiến độ từ 0 đến 100.")
    expect(phone.locator("nav.dx-sub [aria-current=page]")).to_have_text("Nhiệm vụ của tôi")
    expect(row.get_by_label("Kết quả thực hiện")).to_have_value("Đã lắp đặt 3 máy quét")
    shot(phone, "tien-do-sai-van-giu-noi-dung")
    row.get_by_label("Tiến độ (%)").fill("60")
    row.get_by_role("button", name="Lưu").click()
    expect(phone.locator(".msgs")).to_contain_text("Đã lưu nhiệm vụ.")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Nhiệm vụ chuyển đổi số của đơn vị tôi")
    task.refresh_from_db()
    assert (task.progress, task.result) == (60, "Đã lắp đặt 3 máy quét")
    # The plan's own page on the same phone: each task is a card read top to bottom, not an eight-column table
    # scrolled sideways; its "Cập nhật" is on screen.
    phone.goto(f"/can-bo/chuyen-doi-so/ke-hoach/{plan.pk}/")
    table = phone.locator("#dx-sections table")
    assert table.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth"), "the table scrolls"
    wide = phone.evaluate("""() => [...document.querySelectorAll('main .card *')].filter(e => e.getBoundingClientRect()
                                 .right > e.closest('.card').getBoundingClientRect().right + 1).map(e => e.tagName)""")
    assert not wide, f"past the right edge of their card: {wide}"
    card = phone.locator(f"#task-{task.pk}")
    deadline = card.locator("td[data-label='Thời gian']")
    expect(deadline).to_have_text(f"31/12/{year}")
    assert deadline.bounding_box()["width"] >= PHONE["width"] / 2, "the task's cells are columns, not lines"
    update = card.get_by_text("Cập nhật", exact=True)
    box = update.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], "the task's update is off screen"
    shot(phone, "ke-hoach-tren-dien-thoai")


def _pdf_text(docx: Path, tmp_path: Path) -> str:
    """The .docx printed to PDF by LibreOffice, then read back (kept beside the screenshots)."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) not installed: scripts/system-packages.sh installs it")
    out = tmp_path / "pdf"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out), str(docx)], check=True, timeout=120,
                   capture_output=True)
    pdf = out / f"{docx.stem}.pdf"
    keep = SHOTS / "test_a_ward_reports_and_the_province_prints_the_annual_report"
    keep.mkdir(parents=True, exist_ok=True)
    shutil.copy(pdf, keep / "bao-cao-chuyen-doi-so.pdf")
    from pypdf import PdfReader

    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(pdf).pages))
