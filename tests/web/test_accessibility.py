"""WCAG 2.1 AA basics on the pages citizens and counter officers use most, checked on the server-rendered HTML.

Citizens read the portal on cheap phones, some with poor sight or with TalkBack reading Vietnamese; a counter
officer works the reception form, the dossier page and the queue from the keyboard with people waiting. Each page
below, as the user who opens it (and the forms also sent back wrong, to show their errors), is checked generically,
so a page added later that forgets a label, a title or a table's header cells is caught here:

- ``<html lang="vi">`` and a ``<title>`` of the page's own (3.1.1, 2.4.2);
- a skip link to ``<main>``, one ``<main>`` and a ``<nav>`` (2.4.1, 1.3.1);
- every control has a name: ``label[for]``, a wrapping label, ``aria-label`` or ``aria-labelledby`` (1.3.1, 4.1.2);
- every error message next to a field is that field's description (``aria-describedby``) and the field is marked
  ``aria-invalid``, so a screen reader says it on reaching the field; no ``aria-*`` reference points at nothing (3.3.1);
- a deadline coloured as overdue or close says so in words too (1.4.1);
- a required field says so in its label, not only by colour, and the page says what the mark means (3.3.2);
- images have ``alt``, links and buttons a name of words, not only a sign (1.1.1, 2.4.4); a link to a place on the
  page (the error summary's link to a field) leads to an element of the page (2.4.1);
- data tables have header cells with ``scope`` (1.3.1); a list keeps its role, a live region (``alert``, ``status``)
  or a note being an element around it (1.3.1);
- the style sheet keeps a visible focus on every control (2.4.7).

It runs without a browser, in the suite CI runs on every change. tests/e2e/test_axe.py runs axe-core in Chromium on
the same kind of pages, at desktop and phone width, for what needs the browser: text contrast on its computed
background, names as the browser computes them, ARIA roles and parents allowed where used, what CSS hides, the 24 px
target's spacing. Names, ``alt``, ``lang`` and roles on lists are checked by both; the descriptions of errors, the
required mark in words, deadlines in words, the skip link, ``<h1>`` and ``scope`` and the focus ring only here.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import lxml.html
import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import sign_in

pytestmark = pytest.mark.django_db

CONTROLS = "//input[not(@type='hidden' or @type='submit' or @type='button' or @type='reset' or @type='image')]" \
           "|//select|//textarea"
DEFAULT_TITLE = "Một Cửa Số"  # base.html's title when a page sets none
REQUIRED_MARK = "*"
REQUIRED_NOTE = re.compile(r"\*.{0,20}bắt buộc")  # what the mark means, in words: "Mục có dấu * là bắt buộc."
DEADLINE_WORDS = re.compile(r"quá hạn|sắp đến hạn")
WORD = re.compile(r"[^\W_]{2,}")  # a name a screen reader can say (a word, a code), not "‹", "×" or "+" alone


def _ids(doc) -> dict:
    return {el.get("id"): el for el in doc.xpath("//*[@id]")}


def _text(el) -> str:
    return " ".join(el.text_content().split())


def _name(el, ids, labels_for=None) -> str:
    """The accessible name of a control, a link or a button, as a browser computes it (the parts a page uses)."""
    if el.get("aria-labelledby"):
        return " ".join(_text(ids[i]) for i in el.get("aria-labelledby").split() if i in ids)
    if (el.get("aria-label") or "").strip():
        return el.get("aria-label").strip()
    if el.tag in ("a", "button"):
        alts = " ".join(img.get("alt") or "" for img in el.xpath(".//img"))
        return " ".join((_text(el) + " " + alts).split())
    labels = (labels_for or {}).get(el.get("id"), []) + el.xpath("ancestor::label")
    return " ".join(_text(lab) for lab in labels)


def problems(html: str) -> list[str]:
    """What a reviewer applying WCAG 2.1 AA basics would note on one page."""
    doc = lxml.html.fromstring(html)
    ids = _ids(doc)
    labels_for = {}
    for label in doc.xpath("//label[@for]"):
        labels_for.setdefault(label.get("for"), []).append(label)
    out = []
    if doc.get("lang") != "vi":
        out.append(f'<html lang="{doc.get("lang")}">, not "vi"')
    title = _text(doc.find(".//title")) if doc.find(".//title") is not None else ""
    if not WORD.search(title) or title.split(" — ")[0].strip() == DEFAULT_TITLE:
        out.append(f"title of its own missing: {title!r}")
    mains = doc.xpath("//main")
    if len(mains) != 1:
        out.append(f"{len(mains)} <main>")
    if not doc.xpath("//nav"):
        out.append("no <nav>")
    first = doc.xpath("//body//a[@href]")
    target = first[0].get("href")[1:] if first and first[0].get("href", "").startswith("#") else None
    if not (target and mains and ids.get(target) is mains[0]):
        out.append("the first link is not a skip link to <main>")
    if len(doc.xpath("//h1")) != 1:
        out.append(f"{len(doc.xpath('//h1'))} <h1>")

    for el in doc.xpath(CONTROLS):
        what = f"<{el.tag} name={el.get('name')!r}>"
        name = _name(el, ids, labels_for)
        if not WORD.search(name):
            out.append(f"{what} has no label")
        group = el.xpath("ancestor::fieldset[1]/legend")  # a choice among radio buttons is required as a group
        if el.get("required") is not None and REQUIRED_MARK not in name + "".join(_text(g) for g in group):
            out.append(f"{what} is required but its label does not say so")
        if el.get("aria-invalid") == "true":
            described = " ".join(_text(ids[i]) for i in (el.get("aria-describedby") or "").split() if i in ids)
            group = el.xpath("ancestor::fieldset[@aria-describedby][1]")
            if group:
                described += " ".join(_text(ids[i]) for i in group[0].get("aria-describedby").split() if i in ids)
            if not described:
                out.append(f"{what} is invalid but its error is not its description")
    for el in doc.xpath("//*[@aria-describedby or @aria-labelledby or @aria-controls]"):
        for attr in ("aria-describedby", "aria-labelledby", "aria-controls"):
            missing = [i for i in (el.get(attr) or "").split() if i not in ids]
            if missing:
                out.append(f"<{el.tag} name={el.get('name')!r}> {attr} points at nothing: {missing}")
    described_ids = {i for el in doc.xpath("//*[@aria-describedby]") for i in el.get("aria-describedby").split()}
    for err in doc.xpath("//form//*[contains(concat(' ', @class, ' '), ' err ')][not(ancestor-or-self::*[@role='alert'])]"):
        mine = {err.get("id")} | {a.get("id") for a in err.xpath("ancestor::*[@id]")}
        if not mine & described_ids:
            out.append(f"error {_text(err)[:60]!r} is no field's description")
    if doc.xpath(f"({CONTROLS})[@required]") and not (mains and REQUIRED_NOTE.search(_text(mains[0]))):
        out.append("required fields are marked but the page does not say what the mark means: "
                   + ", ".join(el.get("name") for el in doc.xpath(f"({CONTROLS})[@required]")))

    for due in doc.xpath("//*[contains(concat(' ', @class, ' '), ' due ')]"):  # a deadline coloured red or amber
        colour = {"overdue", "due-soon"} & set(due.get("class").split())
        if colour and not DEADLINE_WORDS.search(_text(due.getparent())):
            out.append(f"deadline {_text(due)!r} is {colour.pop()} by its colour only")
    for img in doc.xpath("//img[not(@alt)]"):
        out.append(f"<img src={img.get('src')!r}> without alt")
    for svg in doc.xpath("//svg[not(@aria-hidden='true')]"):
        if not (svg.get("aria-label") or svg.get("aria-labelledby")):
            out.append("<svg> without a name")
    for a in doc.xpath("//a[starts-with(@href, '#')]"):  # a link to a place on the page (a field in error) leads there
        if a.get("href")[1:] not in ids:
            out.append(f"<a href={a.get('href')!r}> {_text(a)[:40]!r} leads nowhere on the page")
    for el in doc.xpath("//a[@href]|//button"):
        if not WORD.search(_name(el, ids)):
            out.append(f"<{el.tag} href={el.get('href')!r}> has no name in words: {_text(el)!r}")
    for lst in doc.xpath("//ul[@role]|//ol[@role]|//li[@role]"):  # a role there hides the list and its count
        out.append(f"<{lst.tag} role={lst.get('role')!r}>: no longer a list (put the role on an element around it)")
    for table in doc.xpath("//table"):
        if table.get("role") == "presentation":
            continue
        if not table.xpath(".//th"):
            out.append(f"a table without header cells: {_text(table)[:60]!r}")
        for th in table.xpath(".//th[not(@scope)]"):
            out.append(f"<th> {_text(th)[:40]!r} without scope")
        for th in table.xpath(".//th"):  # a header said over nothing: a cell with no data is a <td>
            if not _text(th) and not th.get("aria-label"):
                out.append(f"an empty header cell in a table of {_text(table)[:40]!r}")
    scrolls = doc.xpath("//*[contains(concat(' ', @class, ' '), ' scroll ')]")
    if scrolls and len(doc.xpath("//script[contains(@src, 'motcua/scroll.js')]")) != 1:  # a box that pans, by keys
        out.append(f"{len(scrolls)} table boxes (.scroll) but scroll.js not loaded once")
    for el in doc.xpath("//*[@style]"):
        if re.search(r"outline\s*:\s*(none|0)", el.get("style")):
            out.append(f"<{el.tag}> removes its focus outline")
    return out


def _pages(world, submitted):
    """(who, method, url, data): the main portal and counter pages, and their forms sent back wrong."""
    code = world["proc"].code
    return [
        (None, "get", reverse("portal:home"), None),
        (None, "get", reverse("portal:procedures"), None),
        (None, "get", reverse("portal:procedure", args=[code]), None),
        (None, "get", reverse("portal:track"), None),
        (None, "get", reverse("portal:track"), {"ma": "KHONG-CO"}),
        (None, "get", reverse("portal:feedback"), None),
        (None, "post", reverse("portal:feedback"), {}),
        (None, "get", reverse("portal:feedback_answers"), None),
        (None, "get", reverse("portal:login"), None),
        (None, "post", reverse("portal:login"), {"username": "x", "password": "y"}),
        (None, "get", reverse("portal:signup"), None),
        (None, "post", reverse("portal:signup"), {}),
        ("citizen", "get", reverse("portal:my_dossiers"), None),
        ("citizen", "get", reverse("portal:dossier", args=[submitted.pk]), None),
        ("citizen", "get", reverse("portal:submit", args=[code]), None),
        ("citizen", "post", reverse("portal:submit", args=[code]), {"action": "submit", "idem": "a11y"}),
        ("counter", "get", reverse("backoffice:queue"), None),
        ("counter", "get", reverse("backoffice:walk_in"), None),
        ("counter", "get", reverse("backoffice:walk_in"), {"thu_tuc": code}),
        ("counter", "post", reverse("backoffice:walk_in"), {"thu_tuc": code, "idem": "a11y"}),
        ("counter", "get", reverse("backoffice:dossiers"), None),
        ("counter", "get", reverse("backoffice:dossier", args=[submitted.pk]), None),
        ("counter", "post", reverse("backoffice:action", args=[submitted.pk, "refuse"]), {"reason": ""}),
        ("counter", "post", reverse("backoffice:action", args=[submitted.pk, "request_supplement"]), {}),  # boxes' error
        ("counter", "get", reverse("backoffice:inbox"), None),
    ]


def _found(client, world, pages) -> list[str]:
    found = []
    who_now = object()
    for who, method, url, data in pages:
        if who != who_now:
            client.logout()
            if who:
                sign_in(client, world[who])
            who_now = who
        resp = getattr(client, method)(url, data or {}, follow=True)  # a form sent back may answer by a redirect
        assert resp.status_code < 500 and resp.status_code not in (403, 404), (url, resp.status_code)
        assert not resp.redirect_chain or "dang-nhap" not in resp.redirect_chain[-1][0], (url, "sent to sign in")
        found += [f"{method.upper()} {url} ({who or 'khách'}): {p}" for p in problems(resp.content.decode())]
    return found


def test_the_main_pages_meet_the_wcag_basics(client, world, submitted):
    found = _found(client, world, _pages(world, submitted))
    assert not found, "\n".join(found)


def test_a_dossier_further_on_meets_them_too(client, world, submitted):
    """The dossier page changes with its state: received, it shows the counter the forwarding and the scans; sent
    back for a supplement, it asks the citizen for files."""
    from motcua.dossiers import lifecycle
    from motcua.dossiers.models import Dossier

    lifecycle.receive(submitted, officer=world["counter"])
    Dossier.objects.filter(pk=submitted.pk).update(due_at=timezone.now() - dt.timedelta(days=2))  # overdue: red
    pages = [("counter", "get", reverse("backoffice:dossier", args=[submitted.pk]), None),
             ("counter", "get", reverse("backoffice:queue"), None)]
    found = _found(client, world, pages)
    lifecycle.request_supplement(submitted, officer=world["counter"], items=["Giấy chứng sinh"], reason="Bản mờ")
    pages = [("citizen", "get", reverse("portal:dossier", args=[submitted.pk]), None),
             ("citizen", "post", reverse("portal:supplement", args=[submitted.pk]), {"note": ""}),
             ("counter", "get", reverse("backoffice:dossier", args=[submitted.pk]), None)]
    found += _found(client, world, pages)
    assert not found, "\n".join(found)


def test_the_leaders_statistics_and_digital_transformation_plan_meet_them_too(client, world):
    """A commune's leader reads the statistics and Decision 766 (so does anyone) and writes the unit's digital
    transformation plan (its form sent back wrong, its page of groups, tasks and targets)."""
    from motcua.transformation.services.plans import create_plan

    plan = create_plan(world["leader"], agency=world["agency"], year=timezone.localdate().year,
                       title="Kế hoạch chuyển đổi số")
    pages = [("leader", "get", reverse("backoffice:dashboard"), None),
             ("leader", "get", reverse("backoffice:dx_home"), None),
             ("leader", "get", reverse("backoffice:dx_plan_new"), None),
             ("leader", "post", reverse("backoffice:dx_plan_new"), {}),
             ("leader", "get", reverse("backoffice:dx_plan", args=[plan.pk]), None),
             ("leader", "get", reverse("reporting:index766"), None),
             (None, "get", reverse("reporting:index766"), None)]
    found = _found(client, world, pages)
    assert not found, "\n".join(found)


def test_the_password_page_after_a_vneid_sign_in_meets_them_too(client, world):
    """Choosing a password again, open only to a session signed in with VNeID as the holder of the number."""
    from motcua.integrations import eid

    holder = world["citizen"]
    holder.verified_id_number = holder.id_number
    holder.save(update_fields=["verified_id_number"])
    sign_in(client, holder)
    session = client.session
    session[eid.VERIFIED_KEY] = holder.id_number
    session.save()
    url = reverse("portal:set_password")
    found = []
    for resp in (client.get(url), client.post(url, {"password": "ngan"})):
        assert resp.status_code in (200, 400), resp.status_code
        found += [f"{resp.request['REQUEST_METHOD']} {url}: {p}" for p in problems(resp.content.decode())]
    assert not found, "\n".join(found)


def test_a_file_asked_for_again_is_read_at_its_field(client, world, monkeypatch):
    """A file the citizen chose but the portal could not keep (the form came back with a field to fix and the file
    store refused it): the words asking for it again are the file field's description, read when TalkBack reaches
    the field, not a paragraph it never visits."""
    from motcua.core.errors import DomainError
    from motcua.portal.views import submission

    from .test_portal import _submit_payload

    def refused(*args, **kwargs):
        raise DomainError("storage_unavailable", "Kho tệp tạm thời không nhận tệp.")

    monkeypatch.setattr(submission, "hold_upload", refused)
    url = reverse("portal:submit", args=[world["proc"].code])
    sign_in(client, world["citizen"])
    resp = client.post(url, _submit_payload(world, agency=""))  # no place chosen: the files would be held
    assert resp.status_code == 400 and "vui lòng chọn lại tệp này" in resp.content.decode()
    found = [f"POST {url}: {p}" for p in problems(resp.content.decode())]
    assert not found, "\n".join(found)


def test_the_reorganization_form_meets_them_too(client):
    """The provincial administrator's plan: the roles to end are check boxes named as a group, their error read
    on reaching any of them."""
    from tests.units import reorganization_world

    from .test_reorganization_pages import _form

    w = reorganization_world.build()
    plan = reorganization_world.draft(w)
    edit = reverse("backoffice:reorganization_edit", args=[plan.pk])
    wrong = _form(w, ended_roles=["999999"])  # a role not among the boxes: the group's error
    pages = [("admin", "get", reverse("backoffice:reorganization_new"), None),
             ("admin", "post", reverse("backoffice:reorganization_new"), {}),
             ("admin", "get", edit, None),
             ("admin", "post", edit, wrong)]
    found = _found(client, {"admin": w.admin}, pages)
    assert "999999 không phải là một trong các lựa chọn" in client.post(edit, wrong).content.decode()
    assert not found, "\n".join(found)


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_style_sheet_keeps_a_visible_focus():
    """Every control shows where the keyboard is, a ring of 3:1 at least (WCAG 1.4.11) on each background a control
    sits on: the page, a card, the red header; no rule hides the outline without drawing something else."""
    from django.contrib.staticfiles import finders

    css = re.sub(r"/\*.*?\*/", "", Path(finders.find("motcua/site.css")).read_text(encoding="utf-8"), flags=re.S)
    variables = dict(re.findall(r"(--[\w-]+):(#[0-9a-fA-F]{6})", css))
    rules = re.findall(r"([^{}]+)\{([^{}]*)\}", css)
    for selector, body in rules:
        if re.search(r"outline\s*:\s*(none|0)\b", body):
            assert re.search(r"box-shadow|border", body), f"{selector.strip()} hides the focus outline"
    for tag in ("a", "button", "input", "select", "textarea", "summary"):
        rings = [body for selector, body in rules if re.search(r"outline\s*:\s*\d", body)
                 and any(re.fullmatch(rf"{tag}:focus(-visible)?", s.strip()) for s in selector.split(","))]
        assert rings, f"{tag} shows no focus"
        colours = re.findall(r"#[0-9a-fA-F]{6}", " ".join(rings))
        for background in ("#ffffff", variables["--bg"], variables["--c"]):
            assert max(_contrast(c, background) for c in colours) >= 3, f"{tag}'s focus hardly shows on {background}"


def test_the_return_method_is_a_group_named_by_its_legend_and_described_by_its_error(client, world):
    """How the citizen gets the result (counter, online, post) is drawn like the other groups of choices
    (web/check_group.html): a fieldset named by its legend, "*" in it, its error its description, and the error
    summary's link to it leads to its first choice (it was "#", leading nowhere)."""
    from .test_portal import _submit_payload

    sign_in(client, world["citizen"])
    url = reverse("portal:submit", args=[world["proc"].code])
    resp = client.post(url, _submit_payload(world, return_method="bay"))
    assert resp.status_code == 400
    doc = lxml.html.fromstring(resp.content.decode())
    ids = _ids(doc)
    group = doc.xpath("//input[@name='return_method']/ancestor::fieldset[1]")[0]
    assert "group" in group.get("class", "").split()
    assert _text(group.find("legend")) == f"Hình thức nhận kết quả {REQUIRED_MARK}"
    assert [_text(lab) for lab in group.xpath(".//label[@for]")] == [
        "Tại Bộ phận Một cửa", "Trực tuyến", "Qua bưu chính công ích"]
    error = ids[group.get("aria-describedby").split()[-1]]  # after the note on a paper result, if any
    assert "bay không phải là một trong các lựa chọn" in _text(error) and error.getparent() is group
    link = doc.xpath("//div[@role='alert']//a[normalize-space()='Hình thức nhận kết quả']")[0]
    assert ids[link.get("href")[1:]] is group.xpath(".//input[@name='return_method']")[0]
    assert not problems(resp.content.decode())
