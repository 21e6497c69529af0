"""Every URL pattern of the web pages, for every role, with hostile input: never a 500, never Django's English page.

Where tests/web/test_crawl.py follows the links a role is shown, this sweep starts from Django's URL resolver: every
pattern of the citizen portal, the back office (DX and reorganization pages included), the public statistics and
the documents and integration pages — the API has its own fuzz (tests/api/test_openapi_fuzz.py), Django's admin is
crawled by test_crawl.py. On the demo installation (``setup_demo``), as anonymous, citizen, counter officer,
leader, unit administrator and a provincial administrator who is not a superuser:

- each pattern's parameters are filled with ids of real rows (found in the links and forms of the pages already
  seen, so a dossier's file is that dossier's; rows the demo lacks are made first through their pages, among them a
  scan uploaded at the counter whose OCR runs as the upload commits, so that its job, progress, retry and page
  images are met with real ids too) and with ids that are not there: 0, a number beyond 64 bits, a negative one,
  non-ASCII digits, non-ASCII text, a very long slug. Every parameter meets each of those (each role let in sends
  two, the last one let in sends the rest: a page only one role opens meets them all); every pattern with
  parameters must have met real ids, and the scan's pages must have answered its counter officer and turned the
  citizen and anonymous away;
- each URL is fetched plainly, then with a hostile query string, then sent hostile forms by POST, where every
  field a page or a form class of the project knows gets a value from HOSTILE (empty, very long text, NUL,
  impossible dates in both orders, numbers with thousands separators of both conventions, negative, beyond 64
  bits, "²", a wrong choice, a list where one value is expected, unicode oddities, a garbage file); the citizen and
  the provincial administrator also send each of FOCUS in every field at once.

The values are assigned by position, not by chance, so a failure is repeatable; the message lists each request that
got a 5xx (with the exception) or Django's English error page. CSRF: the test client does not check tokens, as
usual. Bounded: about 4.100 requests, about a minute on SQLite (docs/web.md, Tests).
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.signals import got_request_exception
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone

from motcua.accounts.models import Role, User
from tests.factories import officer, sign_in
from tests.web.conftest import ids_above, web_routes

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2] / "src" / "motcua"
NOT_SENT = ("tai-khoan/dang-xuat/",)  # signing out would end the role's sweep
ROLES = (None, "congdan", "motcua.xa", "lanhdao", "quantri.xa", "tinh.quantri")
# Documents made on each request (a slip's PDF, a plan's spreadsheet, an annual report): one real row per role, and
# no hostile query (it would make the same document again); the ids of no row are sent as to every page.
SLOW = ("phieu/<slug:kind>.<str:fmt>", "xuat.xlsx", "bao-cao-nam/")
REAL_PER_PATTERN = 6  # distinct real argument sets per pattern (e.g. a dossier's actions), at most

GARBAGE = b"\x00\xff\xfe%PDF-1.4\n\x00garbage\x89PNG" + bytes(range(256))
HOSTILE: list = [
    "", " ", "x" * 5000, "31/02/2026", "2026-13-45", "29/02/2025", "00/00/0000", "2026-02-30",
    "1.234.567,5", "1,234,567.5", "-1", "-99999", "99999999999999999999", "-99999999999999999999", "1e400", "NaN",
    "inf", "0", "khong-co-lua-chon", ["1", "2"], ["", "x"], "😀\u202e\u200b", "Ǹ̸̢ͅ", "\ufeffĐ", "<script>x</script>",
    "' OR 1=1 --", "../../etc/passwd", "١٢٣", "²", "true", "on", "０１２",
]
# Values that break a parser of numbers or dates: every page a role reaches gets each of them in every field at once
# (e.g. a form's kind and its year), by GET and POST, as the citizen and as the provincial administrator.
FOCUS = ["²", "99999999999999999999", "31/02/2026", "1.234,5"]
FOCUS_ROLES = ("congdan", "tinh.quantri")
BAD_INT = ["0", "999999999", "99999999999999999999", "-1", "١٢", "²", "1.5"]
BAD_STR = ["khong-co", "Đơn-vị-ế", "x" * 300, "%00", "..%2F..%2Fetc", "'\""]


def _names_in_source() -> tuple[set[str], set[str]]:
    """Parameter names the views read (request.GET/POST/FILES) and the fields of every form class of the project."""
    get, post = set(), set()
    reads = re.compile(r"request\.(GET|POST|FILES)(?:\.get|\.getlist|\.__contains__)?[\[(]\s*[\"'](\w+)[\"']")
    for path in SRC.rglob("*.py"):
        for kind, name in reads.findall(path.read_text(encoding="utf-8")):
            (get if kind == "GET" else post).add(name)
    from django import forms

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    for form in subclasses(forms.BaseForm):
        if form.__module__.startswith("motcua."):
            post |= set(getattr(form, "base_fields", {}))
    return get, post


PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


class Sweep:
    def __init__(self):
        self.get_names, self.post_names = _names_in_source()
        self.real: dict[str, list[dict]] = defaultdict(list)  # route → argument sets of real rows
        self.fields: dict[str, dict[str, str]] = defaultdict(dict)  # route → field name → input type, from forms
        self.reached: set[str] = set()  # routes sent the ids of real rows
        self.answers: dict[tuple[str, str], int] = {}  # (route, role) → status of its first GET with real ids
        self.failures: list[str] = []
        self.requests = 0
        self.exceptions: list[BaseException] = []
        self.route_turn: dict[str, int] = defaultdict(int)
        self.untried: dict[tuple[str, str], list[str]] = {}  # (route, parameter) → wrong values not sent yet
        self.last_through: dict[str, tuple] = {}  # route → (client, who, real args) of the last role let in

    # What the pages show: links, images and forms, resolved back to their routes.
    def harvest(self, resp, url: str) -> None:
        if "html" not in resp.get("Content-Type", "") or resp.streaming or not resp.content.strip():
            return
        doc = lxml.html.fromstring(resp.content)
        for href in doc.xpath("//a/@href|//img/@src|//*/@hx-get|//*/@hx-post"):
            self.note(href)
        for form in doc.xpath("//form"):
            route = self.note(form.get("action") or url)
            if route:
                for el in form.xpath(".//input|.//select|.//textarea"):
                    if el.get("name") and el.get("name") != "csrfmiddlewaretoken":
                        self.fields[route][el.get("name")] = el.get("type") or el.tag

    def note(self, href: str) -> str | None:
        path = urlsplit(href).path
        if not path.startswith("/"):
            return None
        try:
            match = resolve(path)
        except Resolver404:
            return None
        args = {k: str(v) for k, v in match.captured_kwargs.items()}
        if args and args not in self.real[match.route] and len(self.real[match.route]) < REAL_PER_PATTERN:
            self.real[match.route].append(args)
        return match.route

    def real_args(self, route: str) -> list[dict]:
        """The argument sets seen for this route; else each parameter from a route that shares its path up to it."""
        if self.real[route]:
            self.reached.add(route)
            return self.real[route]
        args, found = {}, True
        for m in PARAM.finditer(route):
            head = route[: m.end()]
            value = next((a[m.group(2)] for r, sets in self.real.items() if r.startswith(head) for a in sets
                          if m.group(2) in a), None)
            args[m.group(2)] = value if value is not None else ("1" if m.group(1) in ("int", "id") else "khong-co")
            found = found and value is not None
        if found:
            self.reached.add(route)
        return [args]

    def bad_args(self, route: str, base: dict, count: int = 2) -> list[dict]:
        """The real arguments with one parameter at a time replaced by a value of no row: the next ``count`` values of
        its table this route's parameter has not met yet (each role let in takes its share; ``leftovers`` sends the
        rest), so every parameter meets every wrong value of its kind."""
        out = []
        for m in PARAM.finditer(route):
            table = BAD_INT if m.group(1) in ("int", "id") else BAD_STR
            untried = self.untried.setdefault((route, m.group(2)), list(table))
            out += [{**base, m.group(2): untried.pop(0)} for _ in range(min(count, len(untried)))]
        return out

    # Hostile values, by position: field j of the route's k-th hostile request gets HOSTILE[(k + j) % len], so
    # each field of a route meets a different value at each request. A NUL character is answered 400 before any
    # view (db.middleware.NulCharacterMiddleware): it is sent in requests of its own (nul=True), so that the other
    # values reach the views.
    def hostile(self, route: str, names, types: dict, files: bool = False, nul: bool = False) -> dict:
        k = self.route_turn[route]
        self.route_turn[route] += 1
        data = {}
        for j, name in enumerate(sorted(names)):
            value = HOSTILE[(k + j) % len(HOSTILE)]
            if nul and j % 5 == 0:
                data[name] = "a\x00b"
            elif files and (types.get(name) == "file" or (k + j) % 11 == 0):
                data[name] = SimpleUploadedFile(f"giay-to-{j}.pdf", GARBAGE, content_type="application/pdf")
            else:
                data[name] = value
        return data

    def send(self, client, who: str, method: str, url: str, data=None):
        self.requests += 1
        self.exceptions.clear()
        resp = (client.get if method == "GET" else client.post)(url, data or {})
        body = resp.content[:4000].decode("utf-8", "replace") if not resp.streaming else ""
        shown = {k: (v if not isinstance(v, str) or len(v) < 40 else v[:20] + f"…({len(v)})") for k, v in
                 (data or {}).items() if not isinstance(v, SimpleUploadedFile)}
        if resp.status_code >= 500:
            exc = self.exceptions[-1] if self.exceptions else None
            self.failures.append(f"{who}: {method} {url[:120]} {shown if resp.status_code == 500 else ''} → "
                                 f"{resp.status_code} {type(exc).__name__}: {str(exc)[:160]}")
        elif resp.status_code >= 400 and "html" in resp.get("Content-Type", "") and _english_error_page(body):
            self.failures.append(f"{who}: {method} {url[:120]} → {resp.status_code}, Django's English page: "
                                 f"{body[:80]!r}")
        return resp

    def sweep_route(self, client, who: str, role: int, route: str, focus: bool = False) -> None:
        """Real rows (two of those seen, a different two for each role), then rows that are not there. A role the
        page turns away (sign-in, 403) gets one hostile form only: the other roles go further."""
        path_of = lambda args: "/" + PARAM.sub(lambda m: args[m.group(2)], route)  # noqa: E731
        types = self.fields[route]  # the fields of the forms sent to this route, as its pages show them
        sets = self.real_args(route)
        slow = any(part in route for part in SLOW)
        sets = list({tuple(sorted(sets[(role + i) % len(sets)].items())): sets[(role + i) % len(sets)]
                     for i in range(min(1 if slow else 2, len(sets)))}.values())
        sendable = route not in NOT_SENT
        for n, args in enumerate(sets):
            url = path_of(args)
            resp = self.send(client, who, "GET", url)
            self.answers.setdefault((route, who), resp.status_code)
            self.harvest(resp, url)
            get_names, post_names = self.get_names | set(types), self.post_names | set(types)
            turned_away = resp.status_code in (401, 403) or (
                resp.status_code == 302 and "dang-nhap" in resp["Location"])
            if sendable:
                self.send(client, who, "POST", url, self.hostile(route, post_names, types, files=True))
            if turned_away:
                return
            if not slow:
                self.send(client, who, "GET", url, self.hostile(route, get_names, {}))
            if n == 0 and sendable and role < 2:
                self.send(client, who, "POST", url, self.hostile(route, post_names, types, files=True, nul=True))
            if n == 0 and focus:
                for value in FOCUS:
                    if not slow:
                        self.send(client, who, "GET", url, dict.fromkeys(get_names, value))
                    if sendable:
                        self.send(client, who, "POST", url, dict.fromkeys(post_names, value))
        self.last_through[route] = (client, who, sets[0])
        self.send_bad(client, who, route, self.bad_args(route, sets[0]))

    def send_bad(self, client, who: str, route: str, arg_sets: list[dict]) -> None:
        types = self.fields[route]
        for args in arg_sets:
            url = "/" + PARAM.sub(lambda m: args[m.group(2)], route)  # noqa: B023
            self.send(client, who, "GET", url, self.hostile(route, self.get_names | set(types), {}))
            if route not in NOT_SENT:
                self.send(client, who, "POST", url, self.hostile(route, self.post_names | set(types), files=True,
                                                                  types=types))

    def leftovers(self) -> None:
        """The wrong values a parameter has not met yet (a page fewer roles than values may open), sent as the last
        role let in."""
        for route, (client, who, base) in self.last_through.items():
            self.send_bad(client, who, route, self.bad_args(route, base, count=len(BAD_INT) + len(BAD_STR)))


def _rows_the_demo_lacks(sweep: Sweep, clients: dict, run_on_commit) -> None:
    """Rows the demo installation has none of, made through their own pages (as a user would) so that the sweep
    meets their pages too: a statistics report, a DX paper, a target and a task's evidence, a reorganization plan,
    and a scan waiting for its fields to be confirmed (``_scan_job``)."""
    from motcua.transformation.models import Plan
    from motcua.units.models import AdministrativeUnit, Agency
    from tests.web.conftest import pdf_bytes

    admin, unit_admin = clients["tinh.quantri"], clients["quantri.xa"]
    plan = Plan.objects.filter(agency=User.objects.get(username="quantri.xa").role_assignments.first().agency).first()
    task = plan.tasks.first()
    wards = AdministrativeUnit.objects.filter(level=AdministrativeUnit.WARD).order_by("code")[:2]
    today = timezone.localdate()
    for client, url, data in [
        (admin, "/thong-ke/bao-cao/", {"loai": "xlsx", "ky": str(today.year)}),
        (admin, "/can-bo/chuyen-doi-so/giay-to/", {"loai": "plan_budget", "dinh_dang": "xlsx", "ke_hoach": plan.pk}),
        (unit_admin, f"/can-bo/chuyen-doi-so/ke-hoach/{plan.pk}/chi-tieu/",
         {"measure": "households_internet", "value": "70", "comparator": "gt"}),
        (unit_admin, f"/can-bo/chuyen-doi-so/nhiem-vu/{task.pk}/minh-chung/",
         {"file": SimpleUploadedFile("bien-ban.pdf", pdf_bytes())}),
        (admin, "/can-bo/sap-xep-don-vi/moi/", {
            "resolution_number": "1677/NQ-UBTVQH15", "resolution_date": "16/06/2025",
            "effective_date": today.strftime("%d/%m/%Y"), "old_units": [w.pk for w in wards], "new_code": "99001",
            "new_name": "Phường Hợp Nhất", "new_level": "ward", "assignments": "", "note": ""}),
    ]:
        resp = sweep.send(client, "setup", "POST", url, data)
        sweep.harvest(resp, url)
        if resp.status_code == 302:
            sweep.note(resp["Location"])
    sweep.note(f"/thong-ke/don-vi/{Agency.objects.filter(kind=Agency.COMMUNE_COMMITTEE).first().code}/")
    _scan_job(sweep, clients["motcua.xa"], run_on_commit)


def _scan_job(sweep: Sweep, counter, run_on_commit) -> None:
    """A scan uploaded as the counter officer uploads one. The demo's scans are all confirmed (a confirmed job is
    linked from nowhere, and its dossier offers no upload any more): a paper dossier is received at the officer's
    counter (as the walk-in page receives one, with the procedure and e-form of the agency's first dossier), then
    its page's first scan form is sent with a one-page scan of a few lines (the demo's own, read by Tesseract in a
    fraction of a second), its OCR run by the task as the upload commits (``run_on_commit``). The job's page and its
    page images get real ids, and so do its progress, its retry and the documents' job page, which a finished job
    does not link."""
    from django.urls import reverse

    from motcua.demo.synthetic import document_scan
    from motcua.dossiers import lifecycle
    from motcua.dossiers.models import Dossier

    officer = User.objects.get(username="motcua.xa")
    agency = officer.role_assignments.get(role=Role.COUNTER_OFFICER).agency
    like = Dossier.objects.filter(agency=agency).order_by("pk").first()
    who = {"name": like.applicant_name, "id_number": like.applicant_id_number}
    dossier = lifecycle.receive_at_counter(officer=officer, procedure=like.procedure, agency=agency,
                                           applicant_data=who, form_data=like.form_data)
    url = reverse("backoffice:dossier", args=[dossier.pk])
    page = sweep.send(counter, "setup", "GET", url)
    sweep.harvest(page, url)
    form = lxml.html.fromstring(page.content).xpath("//form[contains(@action, '/so-hoa/')]")[0]
    data = {el.get("name"): el.get("value") for el in form.xpath(".//input[@type='hidden']")}
    data["scans"] = SimpleUploadedFile("to-khai.png", document_scan("Tờ khai", who), content_type="image/png")
    with run_on_commit(execute=True):
        resp = sweep.send(counter, "setup", "POST", form.get("action"), data)
    assert resp.status_code == 302, re.sub(r"\s+", " ", lxml.html.fromstring(resp.content).text_content())[:3000]
    job = resp["Location"]
    sweep.harvest(sweep.send(counter, "setup", "GET", job), job)  # the page images
    progress = sweep.send(counter, "setup", "GET", f"{job}tien-do/").json()
    assert progress["state"] == "done", progress
    for url in (job, f"{job}tien-do/", f"{job}nhan-dang-lai/",
                reverse("documents:job", args=[resolve(job).kwargs["job_id"]])):
        sweep.note(url)


ENGLISH_PAGES = ("<h1>Not Found</h1>", "<h1>Bad Request (400)</h1>", "<h1>403 Forbidden</h1>",
                 "The requested resource was not found", "CSRF verification failed", "<h1>Server Error (500)</h1>",
                 "<title>Not Found</title>")


def _english_error_page(body: str) -> bool:
    return any(marker in body for marker in ENGLISH_PAGES)


def test_every_web_url_for_every_role_survives_hostile_input(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    # Configured integrations (nothing listens there): the pages go as far as they can with what was sent.
    settings.MOTCUA_INTEGRATIONS = {name: {"url": "http://127.0.0.1:9/", "secret": "sweep-secret"}
                                    for name in ("eid", "payment", "population")}
    ids_above(100_000)  # as on an installation in use: an id written plainly into a page would read "100.001"
    call_command("setup_demo", dossiers=12, seed=11, verbosity=0)
    officer(Role.PROVINCIAL_ADMIN, None, username="tinh.quantri")
    routes = web_routes()  # loads the URLconf, so every view's form class is known to Sweep()
    sweep = Sweep()
    got_request_exception.connect(lambda sender, **kw: sweep.exceptions.append(sys.exc_info()[1]),
                                  weak=False, dispatch_uid="url-sweep")
    # Routes without parameters first (lists, queues), then by depth: each page seen gives the next ones real ids.
    routes.sort(key=lambda r: (len(PARAM.findall(r)), r))
    clients = {}
    for username in ROLES:
        clients[username] = Client(raise_request_exception=False)
        if username:
            sign_in(clients[username], User.objects.get(username=username))
    try:
        _rows_the_demo_lacks(sweep, clients, django_capture_on_commit_callbacks)
        for role, username in enumerate(ROLES):
            client = clients[username]
            for route in routes:
                sweep.sweep_route(client, username or "anonymous", role, route, focus=username in FOCUS_ROLES)
        sweep.leftovers()
    finally:
        got_request_exception.disconnect(dispatch_uid="url-sweep")
    assert not sweep.failures, f"{len(sweep.failures)} of {sweep.requests} requests:\n" + "\n".join(sweep.failures)
    # The sweep reached the rows it means to: every pattern with parameters had real ids (a broken harvest would let
    # it pass on 404s alone).
    unreached = {r for r in routes if PARAM.search(r)} - sweep.reached
    assert not unreached, sorted(unreached)
    # …and every parameter of a page some role was let into met every wrong value of its kind.
    assert sweep.untried and not any(sweep.untried.values()), {k: v for k, v in sweep.untried.items() if v}
    # The scan's pages met with its real ids open to the counter officer who made it (a form's address: 405 to a
    # GET) and closed to the others: anonymous to the sign-in, the citizen a 403 or 404.
    for route in (r for r in routes if "so-hoa/" in r):
        seen = {who: sweep.answers[route, who] for who in ("anonymous", "congdan", "motcua.xa")}
        ok = seen["anonymous"] == 302 and seen["congdan"] in (403, 404) and seen["motcua.xa"] in (200, 405)
        assert ok, (route, seen)
    print(f"{sweep.requests} requests")
    assert sweep.requests > 3000, sweep.requests
