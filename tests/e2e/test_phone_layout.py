"""On a phone (360 px): a list of dossiers reads row by row with every column on screen, and the controls people
tap — the menu, a back-office action, a choice — are a thumb's height (40 px; a button, an action panel or a link of the header 44 px); a text link — a dossier in a table, a
file in a list, "‹ Hồ sơ của tôi" — is at least the 24 px WCAG 2.2 asks of a target (2.5.8). The statistics, the
Decision 766 losses and the feedback list read the same way, and the citizen's forms bring up the keyboard and the
autofill each field needs."""

import re

import pytest
from playwright.sync_api import expect

from motcua.documents.attachments import store_upload
from motcua.dossiers import lifecycle
from tests.dossiers.factories import at
from tests.e2e.conftest import PHONE, charts_fit, enrolled, login
from tests.factories import AgencyFactory, citizen, officer, procedure_with_steps
from tests.reporting.world766 import build, resolve
from tests.web.conftest import pdf_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

THUMB = 39.5  # px: a thumb-sized target (rounding aside)
TARGET = 23.5  # px: WCAG 2.2 target size (minimum), 24 × 24 CSS px (rounding aside)
LONG_EMAIL = "nguyenthihoaiphuong.quangngai1990@gmail.com"
LONG_FILE_NAME = "z5234567890123_4f8e9c0d1b2a3c4d5e6f7a8b9c0d1e2f.pdf"  # a file as a chat app names it: one long word


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
                                                "phone": "0912345678", "email": LONG_EMAIL}, form_data={})
    store_upload(pdf_bytes(), owner=person, dossier=d, name=LONG_FILE_NAME)
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
    expect(cit.get_by_role("link", name=LONG_FILE_NAME)).to_be_visible()
    _no_sideways_scroll(cit)  # the long file name breaks across lines
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
    lead.wait_for_load_state()  # its style sheet applied
    expect(lead.locator("main")).to_contain_text(LONG_EMAIL)
    _no_sideways_scroll(lead)  # the e-mail address and the file name break across lines
    assert "Phê duyệt kết quả" in [name for name, _ in _heights(lead, "summary")]
    expect(lead.locator("summary", has_text="Phê duyệt kết quả")).not_to_be_in_viewport()  # screens below the details
    _thumb_sized(lead, "main nav a")
    lead.get_by_role("navigation", name="Trên trang này").get_by_role("link", name=re.compile("^Xử lý")).click()  # one tap
    expect(lead.locator("summary", has_text="Phê duyệt kết quả")).to_be_in_viewport()
    _thumb_sized(lead, "summary")  # the action panels
    _links_tappable(lead)  # "In PDF", "DOCX", the files
    _inside_cards(lead)
    history = _reads_as_cards(lead.locator("#qua-trinh table"))  # the history: one card per step, labelled
    assert [label for label, _ in history[0]][:3] == ['"Thời điểm: "', '"Thao tác: "', '"Người thực hiện: "']
    shot(lead, "ho-so")
    lead.goto("/can-bo/ho-so/")  # the search form stacks: the status list is not squeezed beside the search box
    assert lead.get_by_label("Trạng thái").bounding_box()["width"] >= PHONE["width"] / 2
    _links_tappable(lead)
    _inside_cards(lead)


def _no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url
    return width


def _cells_on_screen(page):
    """No page scrolls sideways, and no cell of a table runs past the screen's right edge: each figure, status and
    deadline is read without panning the table."""
    width = _no_sideways_scroll(page)
    cut = page.locator("main table td, main table th").evaluate_all(
        "els => els.filter(e => e.getClientRects().length).map(e => [e.innerText, e.getBoundingClientRect().right])")
    assert cut and not [(text, right) for text, right in cut if right > width + 1], (page.url, cut)


def _reads_as_cards(table):
    """Each row of ``table`` reads as a small card: the cells shown one under another, none past the screen's right
    edge, none empty; per row, each shown cell's (label before it, text)."""
    width = table.page.evaluate("document.documentElement.clientWidth")
    rows = table.locator("tbody tr").evaluate_all("""rows => rows.map(r => [...r.cells]
        .filter(c => c.getClientRects().length).map(c => { const box = c.getBoundingClientRect();
          return [getComputedStyle(c, '::before').content, c.innerText, Math.round(box.left), box.right]; }))""")
    assert rows, table
    for cells in rows:
        assert len({left for *_, left, _ in cells}) == 1, cells  # one under another, not side by side
        assert all(right <= width + 1 and text.strip() for _, text, _, right in cells), cells
    return [[(label, text) for label, text, *_ in cells] for cells in rows]


def _label_before(locator):
    return locator.evaluate("e => getComputedStyle(e, '::before').content")


def test_statistics_and_feedback_read_on_a_phone_and_forms_bring_up_the_right_keyboard(new_page, settings, shot):
    world = build(settings)
    w = world.w
    march = "tu=2026-03-01&den=2026-03-31"
    lead = new_page(PHONE)
    login(lead, enrolled(w.leader).username)
    lead.goto("/thong-ke/?ky=2026-03")  # by unit: received, resolved, on time, online — all four on screen
    expect(lead.locator("main")).to_contain_text(w.agency.name)
    _cells_on_screen(lead)
    charts_fit(lead)  # the months' trend and the units ranked
    shot(lead, "thong-ke")
    lead.goto(f"/thong-ke/don-vi/{w.agency.code}/?nam=2026")  # twelve months × seven figures: the table pans
    charts_fit(lead)
    months = lead.locator("main .scroll", has=lead.get_by_role("columnheader", name="Tháng"))
    months.evaluate("box => { box.scrollLeft = box.scrollWidth }")
    assert months.evaluate("box => box.scrollLeft") > 0
    march_row = lead.get_by_role("rowheader", name="T3", exact=True).bounding_box()
    assert 0 <= march_row["x"] < PHONE["width"] / 2  # the month still names the figures
    lead.goto(f"/thong-ke/chi-so-766/?don-vi={w.agency.code}&ky=2026-03")
    group = lead.locator("table.i766 tr.group").nth(1)  # "2. Tiến độ, kết quả giải quyết": its maximum is named
    assert _label_before(group.locator("td").first) == '"Tối đa: "'
    _cells_on_screen(lead)
    charts_fit(lead)  # the five groups' points
    lead.locator("#chi-so-2\\.1").get_by_role("link", name="2 hồ sơ").click()  # the dossiers that lost a point
    expect(lead.get_by_role("heading", level=1)).to_have_text("2.1. Hồ sơ giải quyết trước hạn, đúng hạn")
    lead.wait_for_load_state()  # its style sheet applied
    _cells_on_screen(lead)
    shot(lead, "ho-so-bi-tru-diem")
    lead.goto(f"/thong-ke/ho-so/?chi-tieu=received&{march}&don-vi={w.agency.code}")
    expect(lead.locator("main")).to_contain_text(world.d["d2"].code)
    _cells_on_screen(lead)
    lead.goto("/can-bo/phan-anh/")  # the status and the deadline of each item waiting
    expect(lead.locator("main")).to_contain_text("Thái độ cán bộ")
    _cells_on_screen(lead)
    shot(lead, "phan-anh")

    cit = new_page(PHONE)
    cit.goto("/tra-cuu/")  # the code as printed on the slip, in capitals, not "corrected" by the keyboard
    code = cit.get_by_label("Mã hồ sơ")
    assert (code.get_attribute("autocapitalize"), code.get_attribute("spellcheck")) == ("characters", "false")
    cit.goto("/gui-phan-anh/")
    assert cit.get_by_label("Họ và tên").get_attribute("autocomplete") == "name"
    assert cit.get_by_label("Số điện thoại").get_attribute("autocomplete") == "tel"
    assert cit.get_by_label("Mã hồ sơ (nếu có)").get_attribute("autocapitalize") == "characters"
    login(cit, w.citizen.username)
    done = lifecycle.receive(w.submit(when=at(2026, 3, 23, 8)), officer=w.counter, at=at(2026, 3, 23, 9))
    done = lifecycle.return_result(resolve(w, done, at(2026, 3, 23, 9), 3), officer=w.counter, at=at(2026, 3, 23, 16))
    cit.goto(f"/ho-so-cua-toi/{done.pk}/")
    _thumb_sized(cit, "#danh-gia fieldset label")  # "Hài lòng", "Không hài lòng", each criterion's answers
    cit.goto(f"/thu-tuc/{w.procedure.code}/nop-truc-tuyen/")
    phone = cit.get_by_label("Số điện thoại")
    assert (phone.get_attribute("type"), phone.get_attribute("autocomplete")) == ("tel", "tel")
    assert cit.get_by_label("Thư điện tử").get_attribute("autocomplete") == "email"
    assert cit.get_by_label("Họ và tên người nộp").get_attribute("autocomplete") == "name"
    _inside_cards(cit)


MAIN_ACTION = 43.5  # px: the button a leader came to the page for, 44 × 44 CSS px (WCAG 2.2, 2.5.5; rounding aside)


def test_a_commune_leader_walks_the_day_on_a_phone_without_panning_and_taps_each_action(new_page, at_the_leader):
    """The leader's day at 360 px: what waits, the dossier to approve, the dashboard, the statistics, Decision 766,
    the commune's DX plan to approve (its targets) and its tasks. No page scrolls sideways, no table cell runs past
    the screen; each page's buttons and action panels are on screen from left to right and 44 px tall, the action
    the leader came for among them."""
    from django.utils import timezone

    from motcua.transformation.services import indicators, plans

    leader = at_the_leader.assignee
    agency = at_the_leader.agency
    plan = plans.create_plan(leader, agency=agency, year=timezone.localdate().year)
    section = plans.add_section(leader, plan, title="Phát triển chính quyền số")
    plans.add_task(leader, plan, section=section, content="Trang bị máy quét cho Bộ phận Một cửa")
    indicators.add_target(leader, plan, measure="online_rate_full", value="70")
    walk = [
        ("/can-bo/viec-cua-toi/", None),
        (f"/can-bo/ho-so/{at_the_leader.pk}/", "Phê duyệt kết quả"),
        ("/can-bo/bang-dieu-khien/", None),
        ("/thong-ke/", "Xem"),
        (f"/thong-ke/chi-so-766/?don-vi={agency.code}", "Xem"),
        (f"/can-bo/chuyen-doi-so/ke-hoach/{plan.pk}/", "Phê duyệt kế hoạch"),
        ("/can-bo/chuyen-doi-so/nhiem-vu-cua-toi/", "Lưu"),
    ]
    lead = new_page(PHONE)
    login(lead, "lanhdao")
    for url, action in walk:
        lead.goto(url)
        lead.wait_for_load_state()  # its style sheet applied
        width = _no_sideways_scroll(lead)
        # No cell panned out of sight, and no phrase squeezed into a column a word wide (a row then reads as a card)
        cells = lead.locator("main table td").evaluate_all("""els => els.filter(e => e.getClientRects().length)
            .map(e => [e.innerText, e.getBoundingClientRect().right, e.getBoundingClientRect().width])""")
        bad = [(text, right, w) for text, right, w in cells if right > width + 1 or (len(text) > 20 and w < width / 3)]
        assert not bad, (url, bad)
        if action:
            lead.locator("main").locator("button, summary", has_text=action).first.scroll_into_view_if_needed()
        controls = lead.locator("main button, main .btn, main summary").evaluate_all(
            """els => els.filter(e => e.getClientRects().length).map(e => { const box = e.getBoundingClientRect();
                 return [e.innerText.trim(), box.left, box.right, box.height]; })""")
        assert not action or action in [text for text, *_ in controls], (url, action, controls)
        off = [(text, left, right, h) for text, left, right, h in controls
               if left < 0 or right > width + 1 or h < MAIN_ACTION]
        assert not off, (url, off)

    # Refusing without a reason: the page comes back at the refusal's panel, its message on screen, not at the top
    # with the panel two screens below; done, it opens where it says what was done.
    lead.goto(f"/can-bo/ho-so/{at_the_leader.pk}/")
    lead.locator("summary", has_text="Không giải quyết").click()
    lead.locator("#tt-reject").get_by_role("button", name="Không giải quyết").click()
    lead.wait_for_load_state()
    expect(lead.locator("#tt-reject .err").first).to_be_in_viewport()
    lead.locator("#tt-reject").get_by_label("Lý do").fill("Hồ sơ thiếu giấy xác nhận nơi cư trú")
    lead.locator("#tt-reject").get_by_role("button", name="Không giải quyết").click()
    lead.wait_for_load_state()
    expect(lead.locator("main .msgs .success")).to_be_in_viewport()


def _header_targets(page):
    """(name, height, width) of each link and button of the page's header, and of the skip link once focused."""
    page.keyboard.press("Tab")  # the skip link shows on the first Tab
    skip = page.locator("a.skip")
    expect(skip).to_be_focused()
    return [("skip", skip.evaluate("e => e.getBoundingClientRect().height"))] + page.locator(
        "header a, header button").evaluate_all(
        "els => els.filter(e => e.getClientRects().length)"
        "          .map(e => [e.innerText.trim(), e.getBoundingClientRect().height])")


def test_the_header_links_are_as_tall_as_the_main_actions_on_a_phone(new_page, at_the_leader):
    """On a phone the skip link, the site's name and each link of the menus — "Đăng nhập", "Đăng ký", "Hồ sơ của tôi",
    the back office's "Việc của tôi"… — are 44 px targets like the buttons beside them (WCAG 2.2, 2.5.5; they were
    40), and no taller than the target asks: the header grows by no more than the few pixels each row of the menu
    needed."""
    pages = [(new_page(PHONE), None, "/"), (new_page(PHONE), "congdan", "/ho-so-cua-toi/"),
             (new_page(PHONE), "lanhdao", "/can-bo/viec-cua-toi/")]
    for page, who, url in pages:
        if who:
            login(page, who)
        page.goto(url)
        page.wait_for_load_state()  # its style sheet applied
        found = _header_targets(page)
        assert len(found) > 3 and not [(n, h) for n, h in found if h < MAIN_ACTION], (url, found)
        assert all(h < 48 for _, h in found), (url, found)  # a target's height, not a taller header
        # the menu is its rows and nothing more: no padding around the 44 px targets, no gap between rows
        rows, height = page.locator("header nav").evaluate("""nav => [new Set([...nav.querySelectorAll('a, button')]
            .map(e => Math.round(e.getBoundingClientRect().top))).size, nav.getBoundingClientRect().height]""")
        assert height <= rows * 44 + 1, (url, rows, height)
