"""axe-core 4.12 (bundled by axe-playwright-python) in Chromium on the pages citizens, counter officers, commune leaders
and the digital transformation (chuyển đổi số) users open most — the portal's home, a procedure, tracking, the
statistics and a unit's months, the feedback form (also sent back wrong), the sign-in sent back wrong; the citizen's
dossiers, a dossier returned and one in progress, the submission form, also sent back wrong and saved as a draft; the
counter's queue, reception form (also sent back wrong), dossier list, a dossier, the feedback list and an item; the
leader's work, a dossier to approve and one to sign, the dashboard, the statistics, Decision 766, the DX home, new
plan, a plan, my tasks and the reporting rounds — each at desktop (1280 px) and phone (360 px) width, with WCAG
2.0/2.1/2.2 A and AA rules (tags ``wcag2a`` … ``wcag22aa``). Every action panel (``<details>``) is opened first, so a
form folded away is checked too. Each violation of impact serious or critical fails the test, listed as rule (impact)
target — page (user) @width: what is wrong | the element.

Who checks what. axe, here, checks what only a browser knows: text contrast on its computed background (1.4.3),
names as the browser computes them for controls, links, buttons and images (4.1.2, 2.4.4, 1.1.1), ARIA roles,
attributes and parents allowed where used — a list whose ``<ul>`` took a live region's role (1.3.1, 4.1.2) —, what
CSS hides, and the 24 px target with its spacing (WCAG 2.2, 2.5.8). tests/web/test_accessibility.py checks, without a
browser and in the suite CI runs on every change, the same pages' HTML for what axe has no rule for or sees only
partly: an error message that is its field's description and ``aria-invalid``, the required mark said in words, a
deadline not told by colour only, a skip link to ``<main>`` and one ``<h1>``, a title of the page's own, header
cells with ``scope``, and the style sheet's focus ring of 3:1 on each background (axe does not look at focus); it
also checks names, ``alt``, ``lang``, missing ``aria-*`` targets and roles on lists, which axe checks again here.
A rule that does not apply to one element (a false positive in context) goes in NOT_APPLICABLE, with why.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from motcua.dossiers import lifecycle
from tests.dossiers.factories import at
from tests.e2e.conftest import DESKTOP, PHONE, enrolled, login
from tests.reporting.world766 import build

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]  # axe's tags for WCAG 2.0, 2.1, 2.2 A and AA
FAILING = {"serious", "critical"}
# (rule id, CSS selector as axe reports it): a rule that does not apply to that element, with why.
NOT_APPLICABLE: dict[tuple[str, str], str] = {}

OPEN_PANELS = "() => document.querySelectorAll('main details').forEach(d => { d.open = true; })"
NO_VALIDATION = "() => document.querySelectorAll('main form').forEach(f => { f.noValidate = true; })"


@pytest.fixture
def axe_world(settings):
    """The Decision 766 commune in March 2026 (statistics, feedback), a dossier waiting at the leader and the
    commune's digital transformation plan with a group, a task and a target."""
    from motcua.transformation.services import indicators, plans

    world = build(settings)
    w = world.w
    for officer in (w.counter, w.leader):
        enrolled(officer)
    waiting = lifecycle.receive(w.submit(when=at(2026, 3, 23, 8)), officer=w.counter, at=at(2026, 3, 23, 9))
    waiting = lifecycle.start_processing(waiting, officer=w.counter, assignee=w.specialist, at=at(2026, 3, 23, 10))
    world.d["at_leader"] = lifecycle.complete_step(waiting, officer=w.specialist, assignee=w.leader,
                                                   at=at(2026, 3, 23, 11))
    approved = lifecycle.receive(w.submit(when=at(2026, 3, 24, 8)), officer=w.counter, at=at(2026, 3, 24, 9))
    approved = lifecycle.start_processing(approved, officer=w.counter, assignee=w.specialist, at=at(2026, 3, 24, 10))
    approved = lifecycle.complete_step(approved, officer=w.specialist, assignee=w.leader, at=at(2026, 3, 24, 11))
    world.d["to_sign"] = lifecycle.approve(approved, officer=w.leader, at=at(2026, 3, 24, 12))
    plan = plans.create_plan(w.leader, agency=w.agency, year=timezone.localdate().year)
    section = plans.add_section(w.leader, plan, title="Phát triển chính quyền số")
    plans.add_task(w.leader, plan, section=section, content="Trang bị máy quét cho Bộ phận Một cửa")
    indicators.add_target(w.leader, plan, measure="online_rate_full", value="70")
    world.plan = plan
    return world


def _sent_empty(button):
    """Send the page's form by ``button`` as it is, the browser's own checks off: it comes back with its errors."""

    def send(page):
        page.evaluate(NO_VALIDATION)
        page.locator("main").get_by_role("button", name=button, exact=True).click()
        page.wait_for_load_state()
        expect(page.locator("[role=alert]:visible, [role=status]:visible").first).to_be_visible()  # what was wrong

    return send


def _shows(text):
    """The page is the one meant: it shows ``text`` (an action panel, a heading)."""
    return lambda page: expect(page.locator("main")).to_contain_text(text)


def _pages(world):
    """(who, url, what to do there before the check): who is None (anyone), "citizen", "counter" or "leader"."""
    w = world.w
    code, agency, d = w.procedure.code, w.agency.code, world.d
    return [
        (None, "/", None),
        (None, f"/thu-tuc/{code}/", None),
        (None, "/tra-cuu/?ma=KHONG-CO", None),
        (None, "/thong-ke/?ky=2026-03", None),  # public transparency
        (None, f"/thong-ke/don-vi/{agency}/?nam=2026", None),  # a unit's months: a table that pans on a phone
        (None, "/gui-phan-anh/", None),
        (None, "/gui-phan-anh/", _sent_empty("Gửi")),
        (None, "/tai-khoan/dang-nhap/", _sent_empty("Đăng nhập")),
        ("citizen", "/ho-so-cua-toi/", None),
        ("citizen", f"/ho-so-cua-toi/{d['d1'].pk}/", _shows("Đánh giá")),  # returned: the rating form
        ("citizen", f"/ho-so-cua-toi/{d['d3'].pk}/", None),  # being processed
        ("citizen", f"/thu-tuc/{code}/nop-truc-tuyen/", None),
        ("citizen", f"/thu-tuc/{code}/nop-truc-tuyen/", _sent_empty("Nộp hồ sơ")),
        ("citizen", f"/thu-tuc/{code}/nop-truc-tuyen/", _sent_empty("Lưu nháp")),  # a message says it is kept
        ("counter", "/can-bo/tiep-nhan/", None),
        ("counter", f"/can-bo/tiep-nhan/truc-tiep/?thu_tuc={code}", None),
        ("counter", f"/can-bo/tiep-nhan/truc-tiep/?thu_tuc={code}", _sent_empty("Tiếp nhận và in giấy hẹn")),
        ("counter", "/can-bo/ho-so/", None),
        ("counter", f"/can-bo/ho-so/{d['d3'].pk}/", None),
        ("counter", "/can-bo/phan-anh/", None),
        ("counter", f"/can-bo/phan-anh/{world.fb['f4'].pk}/", None),
        ("leader", "/can-bo/viec-cua-toi/", None),
        ("leader", f"/can-bo/ho-so/{d['at_leader'].pk}/", _shows("Phê duyệt kết quả")),
        ("leader", f"/can-bo/ho-so/{d['to_sign'].pk}/", _shows("Ký kết quả")),
        ("leader", "/can-bo/bang-dieu-khien/", None),
        ("leader", "/thong-ke/?ky=2026-03", None),
        ("leader", f"/thong-ke/chi-so-766/?don-vi={agency}&ky=2026-03", None),
        ("leader", "/can-bo/chuyen-doi-so/", None),
        ("leader", "/can-bo/chuyen-doi-so/ke-hoach/moi/", None),
        ("leader", f"/can-bo/chuyen-doi-so/ke-hoach/{world.plan.pk}/", _shows("Trang bị máy quét")),
        ("leader", "/can-bo/chuyen-doi-so/nhiem-vu-cua-toi/", None),
        ("leader", "/can-bo/chuyen-doi-so/ky-bao-cao/", None),
    ]


def _serious(results, where) -> list[str]:
    """(rule, impact, target, page) of each serious or critical violation, but those NOT_APPLICABLE names."""
    found = []
    for rule in results.response["violations"]:
        if rule["impact"] not in FAILING:
            continue
        for node in rule["nodes"]:
            target = " ".join(map(str, node["target"]))
            if (rule["id"], target) not in NOT_APPLICABLE:
                found.append(f"{rule['id']} ({rule['impact']}) {target} — {where}: "
                             f"{node['failureSummary'].splitlines()[-1].strip()} | {node['html'][:120]}")
    return found


def test_axe_finds_nothing_serious_on_the_main_pages(new_page, axe_world):
    """One tab per user, signed in once, checks every page of theirs at desktop, then at phone width."""
    w = axe_world.w
    users = {"citizen": w.citizen, "counter": w.counter, "leader": w.leader}
    tabs = {who: new_page(DESKTOP) for who in (None, *users)}
    for who, user in users.items():
        login(tabs[who], user.username)
    axe = Axe()
    options = {"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}
    found = []
    for viewport in (DESKTOP, PHONE):
        for who, url, then in _pages(axe_world):
            page = tabs[who]
            page.set_viewport_size(viewport)
            answer = page.goto(url)
            assert answer.ok and (who is None or "/dang-nhap/" not in page.url), (who, url, answer.status, page.url)
            if then:
                then(page)
            page.evaluate(OPEN_PANELS)
            where = f"{urlsplit(page.url)._replace(scheme='', netloc='').geturl()} ({who or 'khách'}) @{viewport['width']}px"
            found += _serious(axe.run(page, options=options), where)
    assert not found, f"{len(found)} serious or critical violations:\n" + "\n".join(found)
