"""gunicorn writes its access log itself, outside Django's LOGGING: started as scripts/demo.sh and docs/operations.md
start it (``--logger-class motcua.core.access_log.MaskedLogger``), its request line for the deprecated population
GET carries the route, not the citizen's ID number. ``manage.py runserver`` writes its request lines through the
django.server logger (settings.LOGGING), with the same mask."""

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


def _env(tmp_path) -> dict:
    return {**os.environ, "MOTCUA_DEMO": "1", "DJANGO_SETTINGS_MODULE": "motcua.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}", "PYTHONPATH": str(ROOT / "src")}


def _get_when_up(server: subprocess.Popen, url: str) -> httpx.Response:
    deadline = time.monotonic() + 60
    while True:
        try:
            return httpx.get(url, timeout=5)
        except httpx.TransportError:
            assert server.poll() is None and time.monotonic() < deadline, "the web server did not start"
            time.sleep(0.3)


def _wait_for(log: Path, text: str) -> str:
    deadline = time.monotonic() + 10
    while text not in (written := log.read_text() if log.exists() else ""):
        assert time.monotonic() < deadline, f"not written: {text}"
        time.sleep(0.1)
    return written


def test_the_web_servers_access_line_carries_no_id_number(tmp_path):
    port, log = _free_port(), tmp_path / "access.log"
    env = _env(tmp_path)
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "motcua.wsgi", "-w", "1", "-b",
                               f"127.0.0.1:{port}", "--access-logfile", str(log), "--no-control-socket",
                               "--logger-class", "motcua.core.access_log.MaskedLogger"],
                              env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        answer = _get_when_up(server, f"http://127.0.0.1:{port}/api/v1/integrations/population/{NUMBER}")
        assert answer.status_code == 401
        text = _wait_for(log, "/integrations/population/")
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert "/integrations/population/{id_number}" in text and NUMBER not in text


def test_the_development_servers_request_lines_are_written_and_carry_no_id_number(tmp_path):
    """``manage.py runserver``: a line for every answer (a 200 as well as a refusal), the ID number masked."""
    port, log = _free_port(), tmp_path / "runserver.log"
    with log.open("w") as out:
        server = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "runserver", "--noreload", "--skip-checks",
                                   f"127.0.0.1:{port}"], env=_env(tmp_path), cwd=tmp_path, stdout=out, stderr=out)
    try:
        assert _get_when_up(server, f"http://127.0.0.1:{port}/healthz").status_code == 200
        answer = httpx.get(f"http://127.0.0.1:{port}/api/v1/integrations/population/{NUMBER}", timeout=5)
        assert answer.status_code == 401
        # The request line, not the "Unauthorized: …" warning the same request writes just before it
        text = _wait_for(log, 'HTTP/1.1" 401')
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert '"GET /healthz HTTP/1.1" 200' in text
    assert '"GET /api/v1/integrations/population/{id_number} HTTP/1.1" 401' in text and NUMBER not in text
