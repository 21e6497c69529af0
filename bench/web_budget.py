"""Citizen page budgets, measured in Debian's Chromium on emulated slow 3G.

    .venv/bin/python bench/web_budget.py [--keep]

Builds a throw-away demo install (SQLite in a temp folder: migrate, collectstatic, setup_demo),
serves it with gunicorn + WhiteNoise exactly as in production (DEBUG off, compressed static files),
then loads the citizen home page, a search result (the one page that loads htmx), a procedure page,
a tracking result, the public statistics page and the Decision 766 index (server-side SVG charts) at 360 px wide
through
Chromium's network emulation (400 kbps down/up, 400 ms RTT, via CDP). For each page it prints

  - baseline: the same page fetched with `Accept-Encoding: identity` (no compression), cold cache;
  - ours cold: compressed, empty cache (HTML + CSS + htmx);
  - ours warm: compressed, static files cached (a second visit);

with the bytes transferred (sum of CDP encodedDataLength) and the first contentful paint.
Budgets (DESIGN.md §7): ≤ 50 KB transferred, first render ≤ 2 s on slow 3G. Exit status 1 if a
budget is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
CHROMIUM = os.environ.get("MOTCUA_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
BUDGET_BYTES = 50 * 1024
BUDGET_FCP_MS = 2000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env, *args):
    subprocess.run([PY, str(ROOT / "manage.py"), *args], env=env, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)


def pick_targets(env) -> dict:
    """A procedure with its components and a dossier code + last 4 digits, from the demo data."""
    code = (
        "import json\n"
        "from django.db.models import Count\n"
        "from motcua.catalog.models import Procedure\n"
        "from motcua.dossiers.models import Dossier\n"
        "p = Procedure.objects.annotate(n=Count('components')).order_by('-n', 'code').first()\n"
        "d = Dossier.objects.exclude(code=None).exclude(applicant_id_number='').order_by('-received_at').first()\n"
        "print(json.dumps({'procedure': p.code, 'dossier': d.code if d else '',"
        " 'secret': d.applicant_id_number[-4:] if d else ''}))\n"
    )
    out = subprocess.run([PY, str(ROOT / "manage.py"), "shell", "-c", code], env=env, check=True, cwd=ROOT,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


FCP_JS = """() => new Promise(resolve => {
  new PerformanceObserver(list => {
    const e = list.getEntriesByName('first-contentful-paint')[0];
    if (e) resolve(e.startTime);
  }).observe({type: 'paint', buffered: true});
  setTimeout(() => resolve(null), 10000);
})"""


def measure(browser, url, *, identity=False, warm=False) -> dict:
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN",
                              extra_http_headers={"Accept-Encoding": "identity"} if identity else None)
    page = ctx.new_page()
    cdp = ctx.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    if warm:  # first visit fills the cache
        page.goto(url, wait_until="load")
    total = {"bytes": 0, "requests": 0}

    def finished(event):
        total["bytes"] += event.get("encodedDataLength", 0)
        total["requests"] += 1

    cdp.on("Network.loadingFinished", finished)
    started = time.monotonic()
    page.goto(url, wait_until="load")
    load_ms = (time.monotonic() - started) * 1000
    fcp = page.evaluate(FCP_JS)
    ctx.close()
    return {"bytes": total["bytes"], "requests": total["requests"], "fcp_ms": round(fcp) if fcp else None,
            "load_ms": round(load_ms)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", action="store_true", help="keep the temp install")
    parser.add_argument("--json", help="write results to this file")
    opts = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="motcua-web-budget-"))
    env = {**os.environ, "MOTCUA_DATA_DIR": str(tmp), "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
           "MOTCUA_DEBUG": "0", "MOTCUA_DEMO": "1",  # a scratch demo install served over plain HTTP
           "MOTCUA_ALLOWED_HOSTS": "127.0.0.1,localhost", "PYTHONPATH": str(ROOT / "src"),
           "DJANGO_SETTINGS_MODULE": "motcua.settings"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    server = None
    try:
        print("Chuẩn bị bản cài thử (migrate, collectstatic, setup_demo)…", flush=True)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        manage(env, "setup_demo", "--dossiers", "20")
        targets = pick_targets(env)
        port = free_port()
        server = subprocess.Popen([str(Path(PY).parent / "gunicorn"), "motcua.wsgi", "-b", f"127.0.0.1:{port}",
                                   "-w", "2", "--log-level", "warning", "--no-control-socket"], env=env, cwd=ROOT)
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        pages = {"home": "/", "search": "/thu-tuc/?q=dang+ky", "procedure": f"/thu-tuc/{targets['procedure']}/",
                 # the tracking form page (lookups are POSTed, so no digits travel in a URL; the result
                 # page's weight is checked by tests/web/test_portal.py)
                 "tracking": "/tra-cuu/",
                 # public statistics with their SVG charts (trend, units ranked, the index's five groups)
                 "statistics": "/thong-ke/", "index766": "/thong-ke/chi-so-766/"}
        from playwright.sync_api import sync_playwright

        results = {}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            for name, path in pages.items():
                url = base + path
                results[name] = {"url": path,
                                 "baseline_identity_cold": measure(browser, url, identity=True),
                                 "ours_cold": measure(browser, url),
                                 "ours_warm": measure(browser, url, warm=True)}
            browser.close()
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        if not opts.keep:
            shutil.rmtree(tmp, ignore_errors=True)

    ok = True
    print(f"\nSlow 3G (400 kbps, RTT 400 ms), 360 px. Ngân sách: ≤ {BUDGET_BYTES // 1024} KB, FCP ≤ {BUDGET_FCP_MS} ms\n")
    print(f"{'trang':<10} {'đo':<24} {'KB':>7} {'req':>4} {'FCP ms':>7} {'load ms':>8}")
    for name, row in results.items():
        for label, key in (("baseline (không nén)", "baseline_identity_cold"), ("ours, lần đầu", "ours_cold"),
                           ("ours, static đã cache", "ours_warm")):
            m = row[key]
            print(f"{name:<10} {label:<24} {m['bytes'] / 1024:>7.1f} {m['requests']:>4} {m['fcp_ms'] or 0:>7} "
                  f"{m['load_ms']:>8}")
        for key in ("ours_cold", "ours_warm"):
            m = row[key]
            if m["bytes"] > BUDGET_BYTES or (m["fcp_ms"] or 10**9) > BUDGET_FCP_MS:
                ok = False
    print("\nKết quả:", "ĐẠT" if ok else "KHÔNG ĐẠT")
    if opts.json:
        Path(opts.json).parent.mkdir(parents=True, exist_ok=True)
        Path(opts.json).write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
