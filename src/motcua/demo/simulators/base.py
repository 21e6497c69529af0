"""The simulators' common part (stdlib only).

Each simulator runs a ThreadingHTTPServer on 127.0.0.1 (port 0 = a free port) in a daemon thread,
verifies our HMAC signature, and applies each ``Idempotency-Key`` once, counting duplicates — so a
test can check "every event delivered exactly once" at the receiver. ``Chaos`` makes it unreliable:
drop a share of calls (half before applying, half after applying with the answer lost), delay the
others, or go down for a while.
"""

from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from motcua.integrations.signing import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, SignatureInvalid, verify


@dataclass
class Chaos:
    drop_rate: float = 0.0  # share of calls that fail
    max_delay_s: float = 0.0  # others wait up to this long
    down: bool = False  # answer 503 to everything
    seed: int | None = None
    rng: random.Random = field(init=False)

    def __post_init__(self):
        self.rng = random.Random(self.seed)


class _Drop(Exception):
    pass


class Html(str):
    """An answer sent as a web page (the pages a citizen's browser is sent to)."""


def _parse_body(h, body: bytes) -> dict:
    if not body:
        return {}
    if (h.headers.get("Content-Type") or "").startswith("application/x-www-form-urlencoded"):
        return {k: v[0] for k, v in parse_qs(body.decode("utf-8")).items()}
    return json.loads(body)


class Simulator:
    """Base: routes, signature check, idempotency, chaos. Subclasses define handle(method, path, query, body)."""

    name = "simulator"

    def __init__(self, *, secret: str = "sim-secret", chaos: Chaos | None = None, port: int = 0):
        self.secret = secret
        self.chaos = chaos or Chaos()
        self.port = port
        self.lock = threading.RLock()
        self.applied: dict[str, int] = {}  # idempotency key → times applied (must stay 1)
        self.duplicates = 0
        self.requests = 0
        self.dropped = 0
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    # life cycle -------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> Simulator:
        sim = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out as two writes: with Nagle's algorithm the body waits for the client's
            # delayed ACK (~40 ms a call on loopback).
            disable_nagle_algorithm = True

            def log_message(self, *args):  # quiet
                pass

            def _serve(self, method):
                sim._serve(self, method)

            def do_GET(self):  # noqa: N802
                self._serve("GET")

            def do_POST(self):  # noqa: N802
                self._serve("POST")

            def do_DELETE(self):  # noqa: N802
                self._serve("DELETE")

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name=f"sim-{self.name}", daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    # request handling -------------------------------------------------------------------------
    def _serve(self, h: BaseHTTPRequestHandler, method: str):
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        parsed = urlparse(h.path)
        with self.lock:
            self.requests += 1
            down = self.chaos.down
            roll = self.chaos.rng.random()
            half = self.chaos.rng.random()
            delay = self.chaos.rng.uniform(0, self.chaos.max_delay_s) if self.chaos.max_delay_s else 0
        if down:
            return self._reply(h, 503, {"error": "service_down"})
        drop = roll < self.chaos.drop_rate
        if drop and half < 0.5:  # lost on the way in
            with self.lock:
                self.dropped += 1
            return self._cut(h)
        if delay:
            time.sleep(delay)
        if self.verify_signatures and method == "POST" and self.signed(parsed.path):
            try:
                verify(self.secret, body, h.headers.get(TIMESTAMP_HEADER), h.headers.get(SIGNATURE_HEADER))
            except SignatureInvalid as exc:
                return self._reply(h, 401, exc.as_dict())
        key = h.headers.get(IDEMPOTENCY_HEADER, "")
        try:
            with self.lock:
                if key and key in self.applied:
                    self.duplicates += 1
                    status, answer = 200, {"duplicate": True, **self.answers.get(key, {})}
                else:
                    data = _parse_body(h, body) if method == "POST" else {}
                    status, answer = self.handle(method, parsed.path, parse_qs(parsed.query), data, h)
                    if key and status < 300:
                        self.applied[key] = self.applied.get(key, 0) + 1
                        self.answers[key] = answer if isinstance(answer, dict) else {}
        except _Drop:
            return self._cut(h)
        except (ValueError, KeyError) as exc:
            return self._reply(h, 400, {"error": str(exc)})
        if drop:  # applied, but the answer is lost
            with self.lock:
                self.dropped += 1
            return self._cut(h)
        if status == 302:
            h.send_response(302)
            h.send_header("Location", answer["location"])
            h.send_header("Content-Length", "0")
            h.end_headers()
            return None
        if isinstance(answer, Html):
            return self._reply_raw(h, status, answer.encode("utf-8"), "text/html; charset=utf-8")
        if isinstance(answer, (bytes, str)):
            return self._reply_raw(h, status, answer if isinstance(answer, bytes) else answer.encode(), "text/csv")
        return self._reply(h, status, answer)

    verify_signatures = True

    def signed(self, path: str) -> bool:
        """Whether a POST to `path` must carry our signature (not a form a citizen's browser sends)."""
        return True

    @property
    def answers(self) -> dict:
        if not hasattr(self, "_answers"):
            self._answers = {}
        return self._answers

    def _cut(self, h):
        h.close_connection = True
        try:
            h.connection.shutdown(2)
        except OSError:
            pass

    def _reply(self, h, status: int, payload) -> None:
        self._reply_raw(h, status, json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                        "application/json; charset=utf-8")

    def _reply_raw(self, h, status: int, body: bytes, content_type: str) -> None:
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def handle(self, method, path, query, data, h):  # pragma: no cover - interface
        return 404, {"error": "not_found"}
