"""A table wider than the screen pans sideways inside its box: someone on a keyboard reaches that box with Tab and
pans it with the arrow keys (WCAG 2.1.1), and hears it named; where the table fits, the box is no tab stop, so a
counter officer tabbing through a page does not stop on it (scroll.js, Chromium)."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE
from tests.reporting.world766 import build

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MONTHS = "Bảng số liệu theo tháng"  # a unit's twelve months × seven figures: wider than a phone (the summary fits)
FOCUSED = "b => b === document.activeElement"


@pytest.fixture
def world(settings):
    return build(settings)


def _tab_until_focused(page, box, most=80) -> bool:
    for _ in range(most):
        page.keyboard.press("Tab")
        if box.evaluate(FOCUSED):
            return True
    return False


def test_a_wide_table_is_reached_by_tab_and_panned_by_arrow_keys_on_a_phone_and_no_tab_stop_on_a_desktop(
        new_page, world, shot):
    page = new_page(PHONE)
    page.goto(f"/thong-ke/don-vi/{world.w.agency.code}/?nam=2026")
    box = page.locator(".scroll").filter(has=page.get_by_role("columnheader", name="Tháng"))
    assert box.evaluate("b => b.scrollWidth > b.clientWidth"), "the table fits 360 px: it tests nothing"
    expect(page.get_by_role("region", name=MONTHS)).to_have_count(1)
    assert _tab_until_focused(page, box), "Tab never reaches the wide table"
    assert box.evaluate("b => b.scrollLeft") == 0
    page.keyboard.press("ArrowRight")
    page.wait_for_function("b => b.scrollLeft > 0", arg=box.element_handle())
    shot(page, "bang-cuon-ngang")

    # The same box fits on a desktop: Tab goes past it, and it is no region of its own.
    page.set_viewport_size(DESKTOP)
    page.reload()
    assert box.evaluate("b => b.scrollWidth <= b.clientWidth")
    expect(page.get_by_role("region", name=MONTHS)).to_have_count(0)
    assert not _tab_until_focused(page, box), "a table that fits is a tab stop"

    # Turned back to a phone's width, without reloading: a tab stop again.
    page.set_viewport_size(PHONE)
    expect(page.get_by_role("region", name=MONTHS)).to_have_count(1)
    page.locator("h1").click()
    assert _tab_until_focused(page, box)


def test_a_units_months_keep_their_name_and_are_no_tab_stop_where_they_fit(new_page, world):
    """The unit page's twelve months carry tabindex, role and name in the page itself, for a browser without
    JavaScript; with it, they are a tab stop only where they pan."""
    page = new_page(PHONE)
    page.goto(f"/thong-ke/don-vi/{world.w.agency.code}/?nam=2026")
    months = page.get_by_role("region", name="Bảng số liệu theo tháng")
    expect(months).to_have_count(1)
    assert _tab_until_focused(page, months)
    page.set_viewport_size(DESKTOP)
    expect(months).to_have_count(0)
    box = page.locator(".scroll").first
    assert box.evaluate("b => b.scrollWidth <= b.clientWidth")
    page.locator("h1").click()
    assert not _tab_until_focused(page, box)
