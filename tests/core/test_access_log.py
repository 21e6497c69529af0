"""gunicorn writes its access log itself, outside Django's LOGGING: started as scripts/demo.sh and docs/operations.md
start it (``--logger-class motcua.core.access_log.MaskedLogger``), its request line for the deprecated population
GET carries the route, not the citizen's ID number."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
NUMBER = "051190012345"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_web_servers_access_line_carries_no_id_number(tmp_path):
    port, log = _free_port(), tmp_path / "access.log"
    env = {**os.environ, "MOTCUA_DEMO": "1", "DJANGO_SETTINGS_MODULE": "motcua.settings",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}", "PYTHONPATH": str(ROOT / "src")}
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "motcua.wsgi", "-w", "1", "-b",
                               f"127.0.0.1:{port}", "--access-logfile", str(log), "--no-control-socket",
                               "--logger-class", "motcua.core.access_log.MaskedLogger"],
                              env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/api/v1/integrations/population/{NUMBER}", timeout=5)
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
        assert answer.status_code == 401
        deadline = time.monotonic() + 10
        while "/integrations/population/" not in (text := log.read_text() if log.exists() else ""):
            assert time.monotonic() < deadline, "no access line written"
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert "/integrations/population/{id_number}" in text and NUMBER not in text
