"""Every page a role can reach, and every form on it sent back with odd values, answers without a 500.

A bounded crawl over the demo installation (``setup_demo``): for each role, breadth first from its start pages,
following the links of each page; each form found is sent once as the page filled it and once with odd values
(a quote, very long text, numbers that do not fit, impossible dates, a NUL character, markup…), each file field
with a real PDF then an odd file. The deletions met are confirmed last, after every role's crawl. The values and
the order are fixed (seeded), so a failure is repeatable; it lists each request that got a 500 with what was sent.
"""

from __future__ import annotations

import random
import re
from collections import Counter, deque
from urllib.parse import parse_qsl, urlsplit

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from motcua.accounts.models import User
from tests.factories import sign_in
from tests.web.conftest import pdf_bytes

pytestmark = pytest.mark.django_db

ODD = ["'", "x" * 600, "-1", "0", "99999999999999999999", "2026-13-45", "31/02/2026", "abc", "\x00", "<b>",
       "1e400", "NaN", " ", "../../etc/passwd", "😀", "1,5", "1.234,5"]
START = ["/", "/thu-tuc/", "/tra-cuu/", "/ho-so-cua-toi/", "/can-bo/", "/thong-ke/", "/admin/"]
# Leaving the session and whole-installation exports are not what this is about; deletions wait until the end.
SKIP = ("/static/", "/media/", "dang-xuat", "logout", "/admin/r/")
DELETE = ("/delete/", "/xoa/")
PAGES_PER_ROLE = 300
FORMS_PER_ROLE = 200
PER_SHAPE = 3  # e.g. three dossiers' pages, in different states


def _shape(url: str) -> str:
    """Pages of one kind (one dossier or another, page 2 or 3 of a list) are visited PER_SHAPE times at most."""
    parts = urlsplit(url)
    return re.sub(r"\d+", "N", parts.path) + "?" + ",".join(sorted({k for k, _ in parse_qsl(parts.query)}))


def _odd_files() -> list[tuple[str, bytes]]:
    """Files a careless or hostile upload sends: empty, a text or a truncated file named as a PDF, a name too long,
    a picture declaring a huge size, a spreadsheet where a picture is asked, a PDF whose bytes are junk inside."""
    pdf = pdf_bytes()
    png_header = (b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (60000).to_bytes(4, "big") * 2
                  + b"\x08\x02\x00\x00\x00" + b"\x00" * 4)
    return [("rong.pdf", b""), ("van-ban.pdf", b"khong phai pdf"), ("cut.pdf", pdf[: len(pdf) // 2]),
            ("x" * 300 + ".pdf", pdf), ("anh.png", png_header), ("bang.xlsx", b"PK\x03\x04" + b"\x00" * 40),
            ("hong.pdf", pdf.replace(b"/Type", b"/Tyqe")), ("ten\x00.pdf", pdf), ("anh.jpg", b"\xff\xd8\xff" + b"\x00" * 20)]


def _fields(form, rnd, odd: bool) -> dict:
    data = {}
    for el in form.xpath(".//input|.//select|.//textarea"):
        name = el.get("name")
        if el.get("type") == "file" and name:
            name_, content = rnd.choice(_odd_files()) if odd else ("giay-to.pdf", pdf_bytes())
            data[name] = SimpleUploadedFile(name_, content)
            continue
        if not name or name == "csrfmiddlewaretoken" or el.get("type") in ("submit", "button"):
            continue
        if el.get("type") in ("checkbox", "radio") and not odd and el.get("checked") is None:
            continue
        if odd:
            data[name] = rnd.choice(ODD)
        elif el.tag == "select":
            chosen = el.xpath(".//option[@selected]/@value") or el.xpath(".//option/@value")
            data[name] = chosen[0] if chosen else ""
        elif el.tag == "textarea":
            data[name] = el.text or ""
        else:
            data[name] = el.get("value") or ""
    return data


def _crawl(client: Client, rnd: random.Random, failures: list, who: str, deletions: list) -> int:
    """Pages and forms of one role; the deletions it meets are kept in ``deletions`` for the end."""
    queue, seen, shapes, sent, pages, forms = deque(START), set(), Counter(), set(), 0, 0
    while queue and pages < PAGES_PER_ROLE:
        url = queue.popleft()
        if url in seen or shapes[_shape(url)] >= PER_SHAPE or any(s in url for s in SKIP):
            continue
        if any(s in url for s in DELETE):
            seen.add(url)
            shapes[_shape(url)] += 1
            deletions.append((client, who, "GET", url))
            continue
        seen.add(url)
        shapes[_shape(url)] += 1
        pages += 1
        if re.fullmatch(r"/admin/\w+/\w+/\d+/change/", url) and shapes[_shape(url)] == 1:
            deletions.append((client, who, "GET", url.replace("/change/", "/delete/")))  # one row of each kind
        resp = client.get(url)
        if resp.status_code >= 500:
            failures.append(f"{who}: GET {url} → {resp.status_code}")
            continue
        if resp.status_code in (301, 302) and resp["Location"].startswith("/"):
            queue.append(resp["Location"])
            continue
        if "html" not in resp.get("Content-Type", "") or resp.streaming or not resp.content.strip():
            continue
        doc = lxml.html.fromstring(resp.content)
        for href in doc.xpath("//a/@href"):
            href = href.split("#")[0]
            if href.startswith("/"):
                queue.append(href)
            elif href.startswith("?"):
                queue.append(url.split("?")[0] + href)
        for form in doc.xpath("//form"):
            action = form.get("action") or url
            if (not action.startswith("/") or any(s in action for s in SKIP) or forms >= FORMS_PER_ROLE
                    or action + (form.get("method") or "") in sent):
                continue
            if any(s in action for s in DELETE):
                sent.add(action + (form.get("method") or ""))
                deletions.append((client, who, (form.get("method") or "get").upper(), action))
                continue
            sent.add(action + (form.get("method") or ""))
            forms += 1
            send = client.post if (form.get("method") or "get").lower() == "post" else client.get
            for odd in (False, True):
                data = _fields(form, rnd, odd)
                answer = send(action, data)
                if answer.status_code >= 500:
                    failures.append(f"{who}: {send.__name__.upper()} {action} {data!r} → {answer.status_code}")
    return pages


def _delete(deletions: list, failures: list) -> int:
    """After every role's crawl: each deletion met, its confirmation page then its form (Django's admin asks first),
    so what it removes no longer matters to the crawl. Returns how many were confirmed."""
    done = 0
    for client, who, method, url in deletions:
        resp = client.get(url) if method == "GET" else client.post(url, {})
        if resp.status_code >= 500:
            failures.append(f"{who}: {method} {url} → {resp.status_code}")
            continue
        done += method == "POST" and resp.status_code in (200, 302)
        if method != "GET" or "html" not in resp.get("Content-Type", "") or not resp.content.strip():
            continue
        for form in lxml.html.fromstring(resp.content).xpath("//form[@method='post']"):
            action = form.get("action") or url
            if any(s in action for s in SKIP):  # the admin's sign-out form in its header
                continue
            data = {el.get("name"): el.get("value") or "" for el in form.xpath(".//input[@type='hidden']")
                    if el.get("name") and el.get("name") != "csrfmiddlewaretoken"}
            answer = client.post(action, data)
            done += answer.status_code in (200, 302)
            if answer.status_code >= 500:
                failures.append(f"{who}: POST {action} {data!r} → {answer.status_code}")
    return done


def test_no_page_or_form_of_any_role_answers_500(settings, tmp_path):
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    call_command("setup_demo", dossiers=16, seed=7, verbosity=0)
    rnd, failures, crawled, deletions = random.Random(20261201), [], {}, []
    for username in (None, "congdan", "motcua.xa", "chuyenvien", "truongphong", "lanhdao", "quantri.xa", "thanhtra",
                     "admin"):
        client = Client(raise_request_exception=False)
        if username:
            sign_in(client, User.objects.get(username=username))
        crawled[username] = _crawl(client, rnd, failures, username or "anonymous", deletions)
    deleted = _delete(deletions, failures)
    assert not failures, "\n".join(failures)
    assert deleted >= 20, deleted  # the back office's deletions and the admin's of several kinds of row were confirmed
    # The crawl reached well into each role's pages (a broken start page would make this test pass vacuously).
    assert all(n >= 10 for n in crawled.values()), crawled
