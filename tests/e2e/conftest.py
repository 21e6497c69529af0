"""Browser journeys: Debian's Chromium driven by Playwright against pytest-django's live_server."""

import os
import re
import tempfile
import time
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses that unless told.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("MOTCUA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "e2e"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield b
    b.close()
    pw.stop()



class Shots:
    """Numbered screenshots of one test under test-output/e2e/<test>/."""

    def __init__(self, name):
        self.dir = SHOTS / re.sub(r"[^\w.-]", "_", name)
        self.dir.mkdir(parents=True, exist_ok=True)
        for old in self.dir.glob("*.png"):
            old.unlink()
        self.n = 0

    def __call__(self, page, label):
        self.n += 1
        page.screenshot(path=str(self.dir / f"{self.n:02d}-{label}.png"), full_page=True)


@pytest.fixture
def shot(request):
    return Shots(request.node.name)


@pytest.fixture
def new_page(browser, live_server):
    contexts = []
    blocked = []  # what the Content-Security-Policy refused: a script or style the pages need would show here

    def make(viewport=DESKTOP, locale="vi-VN", javascript=True):
        ctx = browser.new_context(viewport=viewport, locale=locale, timezone_id="Asia/Ho_Chi_Minh",
                                  base_url=live_server.url, accept_downloads=True, java_script_enabled=javascript)
        ctx.set_default_timeout(15000)
        contexts.append(ctx)
        page = ctx.new_page()
        page.on("console", lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None)
        return page

    yield make
    for ctx in contexts:
        ctx.close()
    assert not blocked, blocked


TOTP_SECRETS: dict[str, str] = {}


def enrolled(user):
    """An officer with a confirmed authenticator device; `login` types its current code."""
    from tests.factories import enrol_2fa

    TOTP_SECRETS[user.username] = enrol_2fa(user)
    return user


def login(page, username, password="matkhau-123"):
    page.goto("/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập hoặc số định danh").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state("networkidle")
    if "/xac-thuc-hai-lop/" in page.url and username in TOTP_SECRETS:  # officers: second factor
        import pyotp

        totp = pyotp.TOTP(TOTP_SECRETS[username])
        for _ in range(2):
            page.get_by_label("Mã xác thực").fill(totp.now())
            page.get_by_role("button", name="Xác nhận").click()
            page.wait_for_load_state("networkidle")
            if "/xac-thuc-hai-lop/" not in page.url:
                break
            # A code is accepted once (replay protection): a second sign-in wants the next 30-second code.
            time.sleep(totp.interval - time.time() % totp.interval + 1)


def confirm_enrolment(page):
    """On the enrolment page: type the current code of the secret shown for manual entry, then go on."""
    import pyotp
    from playwright.sync_api import expect

    secret = page.locator("#khoa-bi-mat").inner_text().replace(" ", "")
    page.get_by_label("Mã xác thực").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Bật xác thực hai lớp").click()
    expect(page.locator("main")).to_contain_text("mã khôi phục")
    page.get_by_role("link", name="Tiếp tục").click()


PDF_VIEWER = "chrome-extension://mhjfbmdgcfjbbpaeojofohoefgiehjai/"  # Chromium's own PDF viewer


def open_pdf(page, link) -> bytes:
    """Click a link to a PDF: the browser shows it in its PDF viewer, to read and print, and nothing lands in
    Downloads; a link meant to open beside the page (a slip the counter prints, target=_blank) opens in a new tab,
    the page staying where it was. Returns the bytes shown."""
    downloads = []
    page.on("download", lambda download: downloads.append(download))
    if link.get_attribute("target") == "_blank":
        left_at = page.url
        with page.context.expect_page() as opened:
            link.click()
        viewer = opened.value
        viewer.on("download", lambda download: downloads.append(download))
        viewer.wait_for_load_state()
        assert page.url == left_at
    else:
        with page.expect_navigation():
            link.click()
        viewer = page
    for _ in range(100):
        if any(f.url.startswith(PDF_VIEWER) for f in viewer.frames):
            break
        viewer.wait_for_timeout(100)
    else:
        raise AssertionError(f"no PDF viewer at {viewer.url}: {[f.url for f in viewer.frames]}")
    assert not downloads, [d.suggested_filename for d in downloads]
    shown = viewer.request.get(viewer.url)
    assert shown.headers["content-disposition"].startswith("inline; filename"), shown.headers
    assert shown.body()[:5] == b"%PDF-"
    if viewer is not page:
        viewer.close()
    return shown.body()


@pytest.fixture(scope="session")
def pdf_file():
    from tests.web.conftest import pdf_bytes

    path = Path(tempfile.mkdtemp()) / "giay-chung-sinh.pdf"
    path.write_bytes(pdf_bytes())
    return str(path)


def charts_fit(page):
    """Each chart shown fits the screen, not panned sideways, its words and figures at a readable size (10 px and
    more: a 544 px drawing shrunk to the screen would put them at 5)."""
    width = page.evaluate("document.documentElement.clientWidth")
    shown = page.locator("main svg.chart").evaluate_all("""charts => charts.filter(c => c.getClientRects().length)
        .map(c => [c.getBoundingClientRect().left, c.getBoundingClientRect().right,
                   Math.min(...[...c.querySelectorAll('text')].map(t => t.getBoundingClientRect().height))])""")
    assert shown and all(left >= 0 and right <= width + 1 and text >= 10 for left, right, text in shown), \
        (page.url, width, shown)
