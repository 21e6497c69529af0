"""Run the application's processes against a database, for the failover drill and the national bench.

    with AppProcesses(env, data_dir) as app:
        app.manage("migrate", "--noinput")
        url = app.web(port=8731, workers=2)
        app.worker("dispatch_outbox", "--interval", "0.2")

Each process gets the same environment (DATABASE_URL, MOTCUA_REPLICA_URL, …), logs to
``<data_dir>/log/<name>.log``, and is stopped on exit (SIGTERM, then SIGKILL after 10 s). Every wait is
bounded. Uses the repository's virtualenv (.venv).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = REPO / ".venv" / "bin"


def python() -> str:
    return str(VENV_BIN / "python")


class AppProcesses:
    def __init__(self, env: dict, data_dir: str | Path):
        self.data_dir = Path(data_dir)
        (self.data_dir / "log").mkdir(parents=True, exist_ok=True)
        self.env = {**os.environ, "PYTHONPATH": f"{REPO / 'src'}:{REPO}", "MOTCUA_DATA_DIR": str(self.data_dir),
                    "PYTHONDONTWRITEBYTECODE": "1", **env}
        self.procs: dict[str, subprocess.Popen] = {}
        self.static_collected = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def manage(self, *args: str, timeout: float = 300, check: bool = True,
               env: dict | None = None) -> subprocess.CompletedProcess:
        """manage.py in this environment, `env` changing it for this call (a value None removes a variable)."""
        full = {k: v for k, v in {**self.env, **(env or {})}.items() if v is not None}
        out = subprocess.run([python(), str(REPO / "manage.py"), *args], env=full, cwd=REPO,
                             capture_output=True, text=True, timeout=timeout)
        if check and out.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
        return out

    def spawn(self, name: str, argv: list[str], env: dict | None = None) -> subprocess.Popen:
        full = {k: v for k, v in {**self.env, **(env or {})}.items() if v is not None}
        log = open(self.data_dir / "log" / f"{name}.log", "ab")  # noqa: SIM115 (closed with the process)
        proc = subprocess.Popen(argv, env=full, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        proc.log = log
        self.procs[name] = proc
        return proc

    def web(self, port: int, workers: int = 2, name: str = "web", timeout: float = 60, env: dict | None = None) -> str:
        """gunicorn on 127.0.0.1:`port`; returns its base URL once /healthz answers. The static files are collected
        first, once, as on a server: pages name them by their hashed names (settings.STORAGES)."""
        if not self.static_collected:
            self.manage("collectstatic", "--noinput", "-v0")
            self.static_collected = True
        self.spawn(name, [str(VENV_BIN / "gunicorn"), "motcua.wsgi", "-w", str(workers), "-b",
                          f"127.0.0.1:{port}", "--timeout", "30", "--graceful-timeout", "5",
                          "--access-logfile", "/dev/null",
                          # each node its own: gunicorn's default control socket is one path per user
                          "--no-control-socket"], env=env)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + timeout
        while True:
            if self.procs[name].poll() is not None:
                raise RuntimeError(f"{name} exited: see {self.data_dir / 'log' / (name + '.log')}")
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=5) as r:
                    if r.status == 200:
                        return url
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not answer /healthz within {timeout:.0f}s")
            time.sleep(0.2)

    def worker(self, command: str, *args: str, name: str | None = None) -> subprocess.Popen:
        return self.spawn(name or command, [python(), str(REPO / "manage.py"), command, *args])

    def stop(self, name: str | None = None) -> None:
        names = [name] if name else list(self.procs)
        for n in names:
            proc = self.procs.get(n)
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for n in names:
            proc = self.procs.pop(n, None)
            if proc is None:
                continue
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
            proc.log.close()
