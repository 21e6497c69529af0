"""Every page each role can reach reads Vietnamese: the portal, the back office, the statistics and the admin.

The demo data (setup_demo) fills the pages; each role starts from its home and menu (the admin: also every
changelist and add form of every registered model) and follows every same-site link breadth-first. A page fails
on English words of the interface or raw codes (tests/vietnamese.py, plus the admin's words below)."""

import logging
import re
from collections import deque
from io import StringIO
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from motcua.accounts.models import User
from motcua.documents.result_drafts import FIELDS as RESULT_MERGE_FIELDS
from tests.factories import sign_in
from tests.vietnamese import page_problems, problems

pytestmark = pytest.mark.django_db

# English a Django page shows when a label, a widget or an admin screen is left untranslated.
ADMIN_WORDS = {
    "select", "option", "save", "delete", "history", "task", "tasks", "outbox", "audit", "catalog", "record",
    "payment", "submitted", "add", "change", "view", "search", "filter", "home", "groups", "group", "permissions",
    "permission", "results", "result", "events", "event", "log", "entries", "entry", "object", "objects", "user",
    "users", "name", "date", "time", "active", "created", "updated", "description", "type", "kind", "code",
    "attempt", "attempts", "access", "failure", "failures", "queued", "running", "successful", "failed", "ready",
    "load_calendar", "the", "of", "and", "by", "all", "show", "hide", "first", "last", "next", "previous",
    "yes", "no", "unknown", "empty", "authentication", "authorization", "sites", "site", "administration",
    "welcome", "documentation", "password", "token", "tokens", "device", "devices", "not", "found", "forbidden",
    "bad", "request", "requested", "server",
}
# Acronyms and proper names on the pages, read as they are.
NAMES = {"JSON", "URL", "IP", "ID", "HTTP", "HTTPS", "GET", "POST", "XML", "CCCD", "CMND", "VietQR", "Django",
         "MoMo", "VNPay", "VNPAY", "ZaloPay", "Patroni", "Mẫu"}
# Pages that must show a few codes people type there, and why.
PAGE_ALLOW = {
    # the e-form schema is JSON the administrator writes: the help text names its keys
    "/admin/catalog/procedure/": {"name", "label", "type", "required"},
    # a webhook subscribes to event names that other systems receive as they are (dossier.*, payment.paid)
    "/admin/integrations/webhooksubscription/": {"dossier", "payment", "paid"},
    # a result template's merge fields are typed as they are in the Word file ({{ applicant_name }})
    r"/can-bo/thu-tuc/[^/]+/mau-ket-qua/": set(RESULT_MERGE_FIELDS),
}
PER_ROLE = 400  # pages at most per role
PER_SHAPE = 1  # pages of one shape (/ho-so/12/ and /ho-so/34/, ?o=1 and ?o=2 are one shape)
SKIP = re.compile(r"/(dang-xuat|logout)/|^/(api|static|media)/|\.(pdf|docx|xlsx|csv|png|svg|zip|json)$|/tep/"
                  r"|/phieu/|/tai-ve|/download")
ROLES = {  # demo account: where it starts
    "công dân": ("congdan", ["/", "/ho-so-cua-toi/", "/thu-tuc/", "/tra-cuu/", "/gui-phan-anh/"]),
    "công chức một cửa": ("motcua.xa", ["/can-bo/", "/thong-ke/"]),
    "chuyên viên": ("chuyenvien", ["/can-bo/"]),
    "trưởng phòng": ("truongphong", ["/can-bo/"]),
    "lãnh đạo": ("lanhdao", ["/can-bo/", "/thong-ke/"]),
    "quản trị đơn vị": ("quantri.xa", ["/can-bo/", "/admin/"]),
    "thanh tra": ("thanhtra", ["/can-bo/", "/thong-ke/", "/admin/"]),
}


def _shape(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted(k.split("=")[0] for k in parts.query.split("&") if k)
    return re.sub(r"\d+", "#", parts.path) + "?" + "&".join(keys)


def _links(html: str, base: str) -> list[str]:
    out = []
    for href in re.findall(r"""<a\b[^>]*\bhref=["']([^"'#]+)""", html):
        href = href.replace("&amp;", "&")
        url = urljoin(base, href)
        parts = urlsplit(url)
        if parts.scheme in ("", "http") and parts.netloc in ("", "testserver"):
            out.append(parts.path + ("?" + parts.query if parts.query else ""))
    return out


def crawl(client: Client, starts: list[str]) -> tuple[dict[str, list], int]:
    """Breadth-first over same-site GET links; {page: [(word, context)]} and the number of pages read."""
    seen, shapes, found = set(starts), {}, {}
    queue, pages = deque(starts), 0
    while queue and pages < PER_ROLE:
        url = queue.popleft()
        resp = client.get(url)
        if resp.status_code in (301, 302):
            target = resp["Location"]
            if target not in seen and not SKIP.search(urlsplit(target).path):
                seen.add(target)
                queue.append(target)
            continue
        if "html" not in resp.get("Content-Type", ""):
            continue
        pages += 1
        html = resp.content.decode()  # a refusal (403, 404) is read by people as well
        allow = NAMES | next((words for prefix, words in PAGE_ALLOW.items() if re.match(prefix, url)), set())
        bad = page_problems(_data_removed(html) if url.startswith("/admin/") else html, allow=allow,
                            extra=ADMIN_WORDS)
        if bad:
            found[url] = bad
        if resp.status_code != 200:
            continue
        for link in _links(html, url):
            if link in seen or SKIP.search(urlsplit(link).path):
                continue
            seen.add(link)
            shape = _shape(link)
            if shapes.get(shape, 0) >= PER_SHAPE:
                continue
            shapes[shape] = shapes.get(shape, 0) + 1
            queue.append(link)
    return found, pages


# In the admin, stored JSON shown as is (an event's payload, a form's schema) is data, not interface; and the
# agency identity codes (H51.01) are the very field being administered there.
READONLY_JSON = re.compile(r'(<div class="readonly">)\s*[\[{].*?(</div>)', re.S)
AGENCY_CELL = re.compile(r"(>)\s*[A-Z]\d{2}(?:\.[0-9A-Z]{1,5})+\s*(<)")


def _data_removed(html: str) -> str:
    return AGENCY_CELL.sub(r"\1\2", READONLY_JSON.sub(r"\1\2", html))


def _admin_pages() -> list[str]:
    urls = ["/admin/"]
    for model in admin.site._registry:
        meta = model._meta
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
    return urls


def _report(found: dict[str, list]) -> str:
    return "\n".join(f"{page}: " + "; ".join(f"{w!r} in “{ctx}”" for w, ctx in words[:6])
                     for page, words in sorted(found.items()))


@pytest.fixture
def demo(settings):
    settings.MOTCUA_OFFICER_2FA = False
    logging.getLogger("django.request").setLevel(logging.ERROR)  # the crawl meets 403/404 by design
    out = StringIO()
    call_command("setup_demo", "--dossiers", "30", stdout=out)
    return out.getvalue()


def test_the_checker_tells_a_dossier_code_from_an_agency_code():
    assert problems("Hồ sơ H51.50.01-261012-0001 của UBND xã") == []
    assert [t for t, _ in problems("Cơ quan H51.50.01 tiếp nhận; cơ quan H51.01.")] == ["H51.50.01", "H51.01"]


def test_the_checker_finds_a_date_as_the_machine_writes_it_and_not_a_code_or_a_file_name():
    assert [t for t, _ in problems("Hẹn trả 2026-12-02; kỳ 2026-01-01–2026-03-31.")] == [
        "2026-12-02", "2026-01-01", "2026-03-31"]
    assert problems("Hẹn trả 02/12/2026, hồ sơ H51.01-261202-0001, tệp bao-cao-2026-12-02.xlsx") == []


def test_every_kind_of_dossier_event_has_a_vietnamese_name():
    from pathlib import Path

    from motcua.dossiers import lifecycle
    from motcua.web.display import action_label

    source = "".join(p.read_text() for p in Path(lifecycle.__file__).parent.glob("*.py"))
    kinds = set(lifecycle.GUARDS) | set(re.findall(r'action="([a-z_]+)"', source))
    assert {"record_payment", "digitized", "data_linked", "save_draft"} <= kinds
    assert kinds <= set(lifecycle.ACTION_LABELS), kinds - set(lifecycle.ACTION_LABELS)
    assert action_label("record_payment") == "Ghi nhận thanh toán trực tuyến"
    assert action_label("khong_co") == "Cập nhật hồ sơ"


def test_refusals_and_errors_read_vietnamese(client, rf):
    from django.template.loader import render_to_string

    from tests.factories import citizen

    sign_in(client, citizen())
    pages = {"không có trang": client.get("/khong-co-trang-nay/"), "không có quyền": client.get("/thong-ke/bao-cao/")}
    assert [r.status_code for r in pages.values()] == [404, 403]
    pages["yêu cầu hỏng"] = render_to_string("400.html", request=rf.get("/"))
    pages["lỗi hệ thống"] = render_to_string("500.html")  # Django renders it without a request
    for what, page in pages.items():
        html = page if isinstance(page, str) else page.content.decode()
        assert not page_problems(html, extra=ADMIN_WORDS), (what, page_problems(html, extra=ADMIN_WORDS))


def test_a_form_sent_without_its_anti_forgery_cookie_or_referer_is_told_in_vietnamese(world):
    # a session expired or cookies switched off: Django's page said why in English
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["citizen"])
    pages = {"không có cookie": client.post("/gui-phan-anh/", {"name": "Lan"}),
             "không có Referer (HTTPS)": client.post("/gui-phan-anh/", {"name": "Lan"}, secure=True)}
    for what, resp in pages.items():
        html = resp.content.decode()
        assert resp.status_code == 403 and "Vui lòng tải lại trang và thử lại." in html, what
        assert '<html lang="vi">' in html, what
        assert not page_problems(html, extra=ADMIN_WORDS), (what, page_problems(html, extra=ADMIN_WORDS))
        assert "Những gì bạn vừa nhập chưa được lưu." in html, what


def test_every_page_of_every_role_reads_vietnamese(demo):
    # what the demo prints: Vietnamese, and no command that does not exist (it once named load_calendar)
    assert not problems(demo), problems(demo)
    assert "Lịch làm việc: ngày nghỉ lễ" in demo and "Hồ sơ mẫu trong 60 ngày qua" in demo
    bad_pages, read = {}, {}
    public = Client(raise_request_exception=False)
    found, read["khách"] = crawl(public, ["/", "/thu-tuc/", "/tra-cuu/", "/thong-ke/", "/tai-khoan/dang-nhap/",
                                          "/tai-khoan/dang-ky/", "/gui-phan-anh/"])
    bad_pages.update({f"khách {k}": v for k, v in found.items()})
    for who, (username, starts) in ROLES.items():
        client = Client(raise_request_exception=False)
        sign_in(client, User.objects.get(username=username))
        found, read[who] = crawl(client, starts)
        bad_pages.update({f"{who} {k}": v for k, v in found.items()})
    client = Client(raise_request_exception=False)
    sign_in(client, User.objects.get(username="admin"))
    found, read["quản trị hệ thống"] = crawl(client, ["/can-bo/", *_admin_pages()])
    bad_pages.update({f"quản trị hệ thống {k}": v for k, v in found.items()})
    assert all(n >= 5 for n in read.values()), read
    print("pages read:", read)
    assert sum(read.values()) > 200, read
    assert not bad_pages, f"{len(bad_pages)} trang có chữ tiếng Anh hoặc mã thô:\n" + _report(bad_pages)
