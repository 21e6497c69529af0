"""On a phone (360 px): a list of dossiers reads row by row with every column on screen, and the controls people
tap — the menu, a back-office action, a choice — are a thumb's height (40 px); a text link — a dossier in a table, a
file in a list, "‹ Hồ sơ của tôi" — is at least the 24 px WCAG 2.2 asks of a target (2.5.8)."""

import pytest
from playwright.sync_api import expect

from motcua.dossiers import lifecycle
from tests.dossiers.factories import at
from tests.e2e.conftest import PHONE, enrolled, login
from tests.factories import AgencyFactory, citizen, officer, procedure_with_steps

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

THUMB = 39.5  # px: a thumb-sized target (rounding aside)
TARGET = 23.5  # px: WCAG 2.2 target size (minimum), 24 × 24 CSS px (rounding aside)


@pytest.fixture
def at_the_leader():
    """A dossier received and checked, waiting for the leader's decision."""
    agency = AgencyFactory(name="UBND xã Sơn Tây")
    proc = procedure_with_steps(name="Cấp Giấy xác nhận tình trạng hôn nhân")
    proc.agencies.add(agency)
    counter = officer("counter_officer", agency, username="motcua")
    specialist = officer("specialist", agency, username="chuyenvien")
    leader = enrolled(officer("leader", agency, username="lanhdao", full_name="Đinh Văn Lâm"))
    person = citizen(username="congdan", full_name="Đinh Thị Hoa", id_number="051190001234", phone="0912345678")
    d = lifecycle.submit_online(applicant=person, procedure=proc, agency=agency, at=at(2026, 3, 2, 8),
                                applicant_data={"name": "Đinh Thị Hoa", "id_number": "051190001234",
                                                "phone": "0912345678"}, form_data={})
    d = lifecycle.receive(d, officer=counter, at=at(2026, 3, 2, 9))
    d = lifecycle.start_processing(d, officer=counter, assignee=specialist, at=at(2026, 3, 2, 10))
    return lifecycle.complete_step(d, officer=specialist, assignee=leader, at=at(2026, 3, 2, 11))


def _right_edge(page, text):
    return page.locator("td", has_text=text).first.evaluate("td => td.getBoundingClientRect().right")


def _heights(page, selector):
    return page.locator(selector).evaluate_all(
        "els => els.map(e => [e.innerText || e.name, e.getBoundingClientRect().height])")


def _thumb_sized(page, selector):
    found = _heights(page, selector)
    assert found and all(h >= THUMB for _, h in found), (selector, found)


def _links_tappable(page):
    """Every link shown in the page's content and footer is at least a 24 px tall target."""
    found = page.locator("main a, footer a").evaluate_all(
        "els => els.filter(e => e.getClientRects().length)"  # shown: not in a closed panel
        "          .map(e => [e.innerText, e.getBoundingClientRect().height])")
    small = [(text, h) for text, h in found if h < TARGET]
    assert found and not small, (page.url, small)


def _inside_cards(page):
    """Nothing shown in a card (a form, a panel) runs past the card's right edge: no control is cut off."""
    wide = page.evaluate("""() => [...document.querySelectorAll('main .card *')].filter(e => e.getClientRects().length
        && e.getBoundingClientRect().right > e.closest('.card').getBoundingClientRect().right + 1
        && !e.closest('.scroll')).map(e => e.tagName + ' ' + (e.id || e.name || e.className))""")
    assert not wide, (page.url, wide)


def test_lists_show_every_column_and_controls_are_thumb_sized_on_a_phone(new_page, at_the_leader, shot):
    due = "05/03/2026"
    cit = new_page(PHONE)
    login(cit, "congdan")
    cit.goto("/ho-so-cua-toi/")
    expect(cit.locator("main")).to_contain_text(due)
    assert _right_edge(cit, due) <= PHONE["width"], "the appointment date is cut off at the right"
    shot(cit, "ho-so-cua-toi")
    _thumb_sized(cit, "footer a")
    _links_tappable(cit)  # the dossier codes in the table
    _inside_cards(cit)
    cit.goto(f"/ho-so-cua-toi/{at_the_leader.pk}/")
    _links_tappable(cit)  # "‹ Hồ sơ của tôi", the slips and files
    cit.goto(f"/thu-tuc/{at_the_leader.procedure.code}/nop-truc-tuyen/")
    _links_tappable(cit)
    _inside_cards(cit)
    _thumb_sized(cit, "form label.check")  # how the result is received
    _thumb_sized(cit, "form .file-pick label")  # "Chọn tệp" (file-input.js)

    lead = new_page(PHONE)
    login(lead, "lanhdao")
    lead.goto("/can-bo/viec-cua-toi/")
    expect(lead.get_by_role("heading", level=1)).to_have_text("Việc của tôi")
    assert _right_edge(lead, due) <= PHONE["width"], "the deadline is cut off at the right"
    shot(lead, "viec-cua-toi")
    _thumb_sized(lead, "header nav a, header nav button")
    _links_tappable(lead)
    _inside_cards(lead)

    lead.get_by_role("link", name=at_the_leader.code).click()
    assert "Phê duyệt kết quả" in [name for name, _ in _heights(lead, "summary")]
    _thumb_sized(lead, "summary")  # the action panels
    _links_tappable(lead)  # "In PDF", "DOCX", the files
    _inside_cards(lead)
    shot(lead, "ho-so")
    lead.goto("/can-bo/ho-so/")  # the search form stacks: the status list is not squeezed beside the search box
    assert lead.get_by_label("Trạng thái").bounding_box()["width"] >= PHONE["width"] / 2
    _links_tappable(lead)
    _inside_cards(lead)
