"""A provincial monitor follows a lost Decision 766 point to the dossier that cost it; anyone reaches the public
transparency pages from the portal's footer (Chromium; screenshots under test-output/e2e/)."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, enrolled, login
from tests.factories import officer
from tests.reporting.world766 import build

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(settings):
    return build(settings)


def test_monitor_goes_from_the_menu_to_the_dossier_that_lost_a_point(new_page, world, shot):
    enrolled(officer("provincial_admin", None, username="giamsat", full_name="Lê Thị Giám Sát"))
    late = world.d["d2"]
    page = new_page()
    login(page, "giamsat")
    page.get_by_role("navigation", name="Điều hướng cán bộ").get_by_role("link", name="Thống kê").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kết quả giải quyết thủ tục hành chính")
    expect(page.locator("svg.chart").first).to_be_visible()
    shot(page, "thong-ke")
    page.get_by_role("navigation", name="Thống kê").get_by_role("link", name="Chỉ số 766").click()
    page.get_by_label("Đơn vị", exact=True).select_option(label=world.w.agency.name)
    page.get_by_label("Kỳ (2026, 2026-Q1, 2026-03)").fill("2026-03")
    page.get_by_role("button", name="Xem").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(world.w.agency.name)
    expect(page.locator("main")).not_to_contain_text("không có dữ liệu")
    row = page.locator("#chi-so-2\\.1")
    expect(row).to_contain_text("13,33/20 điểm")
    shot(page, "chi-so-766")
    row.get_by_role("link", name="2 hồ sơ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2.1. Hồ sơ giải quyết trước hạn, đúng hạn")
    expect(page.locator("main")).to_contain_text("Đăng ký hộ kinh doanh")
    shot(page, "ho-so-bi-tru-diem")
    page.get_by_role("link", name=late.code).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(late.code)
    shot(page, "ho-so")


def test_footer_leads_to_the_public_transparency_pages(new_page, world, shot):
    page = new_page(PHONE)
    page.goto("/")
    page.get_by_role("contentinfo").get_by_role("link", name="Công khai kết quả giải quyết thủ tục hành chính").click()
    page.get_by_label("Kỳ (năm, quý, tháng: 2026, 2026-Q1, 2026-03)").fill("2026-03")
    page.get_by_role("button", name="Xem").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kết quả giải quyết thủ tục hành chính tháng 3 năm 2026")
    shot(page, "cong-khai")
    page.get_by_role("link", name=world.w.agency.name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(world.w.agency.name)
    expect(page.locator("svg.chart:visible")).to_be_visible()
    shot(page, "don-vi")
    page.get_by_role("contentinfo").get_by_role("link", name="Chỉ số phục vụ người dân, doanh nghiệp (QĐ 766)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quyết định 766/QĐ-TTg")
    shot(page, "chi-so-766-cong-khai")


def test_the_summary_table_fits_a_phone_without_panning(new_page, world, shot):
    """A visitor on a 360 px phone reads the summary — figure, number of dossiers, rate — without panning the table
    sideways, on the province's page and on a unit's."""
    page = new_page(PHONE)
    width = PHONE["width"]
    for url in ("/thong-ke/?ky=2026-03", f"/thong-ke/don-vi/{world.w.agency.code}/?ky=2026-03"):
        page.goto(url)
        page.wait_for_load_state()  # its style sheet applied
        summary = page.get_by_role("table").filter(has=page.locator("caption", has_text="Số liệu tổng hợp"))
        expect(summary).to_be_visible()
        shown = summary.evaluate("t => [t.scrollWidth, t.parentElement.scrollWidth, t.getBoundingClientRect().right]")
        assert max(shown) <= width, (url, shown)
    shot(page, "tong-hop-dien-thoai")
