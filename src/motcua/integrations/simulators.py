"""Small HTTP stand-ins for the national systems, for tests and the demo (stdlib only).

Each simulator runs a ThreadingHTTPServer on 127.0.0.1 (port 0 = a free port) in a daemon thread,
verifies our HMAC signature, and applies each ``Idempotency-Key`` once, counting duplicates — so a
test can check "every event delivered exactly once" at the receiver. ``Chaos`` makes it unreliable:
drop a share of calls (half before applying, half after applying with the answer lost), delay the
others, or go down for a while.
"""

from __future__ import annotations

import csv
import io
import json
import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from .signing import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, SignatureInvalid, signed_headers, verify


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

            def log_message(self, *args):  # quiet
                pass

            def _serve(self, method):
                sim._serve(self, method)

            def do_GET(self):  # noqa: N802
                self._serve("GET")

            def do_POST(self):  # noqa: N802
                self._serve("POST")

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
        if self.verify_signatures and method == "POST":
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
        if isinstance(answer, (bytes, str)):
            return self._reply_raw(h, status, answer if isinstance(answer, bytes) else answer.encode(), "text/csv")
        return self._reply(h, status, answer)

    verify_signatures = True

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


class PortalSimulator(Simulator):
    """National Public Service Portal: keeps every dossier's status history in arrival order."""

    name = "dvcqg"

    def __init__(self, **kw):
        super().__init__(**kw)
        self.history: dict[str, list[tuple[int, str]]] = {}

    def handle(self, method, path, query, data, h):
        if method == "POST" and path == "/dossier-status":
            self.history.setdefault(data["dossier_code"], []).append((data["event_id"], data["status"]))
            return 200, {"accepted": True}
        return 404, {"error": "not_found"}


class InboxSimulator(Simulator):
    """SMS gateway (/sms) or e-mail relay (/email): keeps the messages it accepted."""

    def __init__(self, name: str, **kw):
        super().__init__(**kw)
        self.name = name
        self.messages: list[dict] = []

    def handle(self, method, path, query, data, h):
        if method == "POST" and path in ("/sms", "/email"):
            self.messages.append(data)
            return 200, {"message_id": uuid.uuid4().hex[:12]}
        return 404, {"error": "not_found"}


class WebhookReceiver(InboxSimulator):
    """A third party's endpoint: any POST path."""

    def handle(self, method, path, query, data, h):
        self.messages.append(data)
        return 200, {"ok": True}


class PostalSimulator(Simulator):
    """Post office: pickup requests get a tracking number; each status query moves the parcel on."""

    name = "postal"
    FLOW = ("pickup_requested", "picked_up", "in_transit", "delivered")

    def __init__(self, **kw):
        super().__init__(**kw)
        self.parcels: dict[str, dict] = {}
        self.counter = 0

    def handle(self, method, path, query, data, h):
        if method == "POST" and path == "/pickups":
            self.counter += 1
            tracking = f"EB{self.counter:09d}VN"
            self.parcels[tracking] = {"reference": data["reference"], "status": 0, "recipient": data["recipient"]}
            return 201, {"tracking_number": tracking, "status": self.FLOW[0]}
        if method == "GET" and path.startswith("/pickups/"):
            parcel = self.parcels.get(path.rsplit("/", 1)[-1])
            if parcel is None:
                return 404, {"error": "not_found"}
            parcel["status"] = min(parcel["status"] + 1, len(self.FLOW) - 1)
            return 200, {"status": self.FLOW[parcel["status"]]}
        return 404, {"error": "not_found"}


class PopulationSimulator(Simulator):
    """National Population Database: residence data by ID number (fictional people)."""

    name = "population"
    verify_signatures = False

    def __init__(self, people: dict | None = None, **kw):
        super().__init__(**kw)
        self.people = people if people is not None else dict(DEMO_PEOPLE)

    def handle(self, method, path, query, data, h):
        if method == "GET" and path.startswith("/citizens/"):
            person = self.people.get(path.rsplit("/", 1)[-1])
            return (200, person) if person else (404, {"error": "not_found"})
        return 404, {"error": "not_found"}


DEMO_PEOPLE = {
    "051190012345": {"id_number": "051190012345", "full_name": "Nguyễn Thị Hồng Nhung", "date_of_birth": "1990-07-14",
                     "gender": "Nữ", "permanent_address": "Tổ dân phố 3, phường Cẩm Thành, tỉnh Quảng Ngãi",
                     "current_address": "Tổ dân phố 3, phường Cẩm Thành, tỉnh Quảng Ngãi",
                     "place_of_origin": "Xã Tịnh Khê, tỉnh Quảng Ngãi", "ethnicity": "Kinh", "nationality": "Việt Nam"},
    "051085004321": {"id_number": "051085004321", "full_name": "Trần Văn Bình", "date_of_birth": "1985-02-03",
                     "gender": "Nam", "permanent_address": "Thôn An Kỳ, xã Tịnh Khê, tỉnh Quảng Ngãi",
                     "current_address": "Thôn An Kỳ, xã Tịnh Khê, tỉnh Quảng Ngãi",
                     "place_of_origin": "Xã Tịnh Khê, tỉnh Quảng Ngãi", "ethnicity": "Kinh", "nationality": "Việt Nam"},
}


class PaymentGatewaySimulator(Simulator):
    """Payment gateway: create → pay page URL; pay → signed callback; daily reconciliation CSV."""

    name = "payment"

    def __init__(self, callback_url: str = "", **kw):
        super().__init__(**kw)
        self.callback_url = callback_url
        self.payments: dict[str, dict] = {}
        self.callbacks: list[tuple[bytes, dict]] = []  # (body, headers) waiting to be delivered

    def handle(self, method, path, query, data, h):
        if method == "POST" and path == "/payments":
            amount = int(data["amount_vnd"])
            if amount <= 0:
                return 400, {"error": "amount_invalid"}
            ref = "GW" + uuid.uuid4().hex[:14].upper()
            self.payments[ref] = {"gateway_ref": ref, "merchant_ref": data["merchant_ref"], "amount_vnd": amount,
                                  "status": "pending", "paid_at": "", "day": ""}
            return 201, {"gateway_ref": ref, "payment_url": f"{self.url}/pay/{ref}"}
        if method == "GET" and path.startswith("/pay/"):
            ref = path.rsplit("/", 1)[-1]
            return (200, self.pay(ref)) if ref in self.payments else (404, {"error": "not_found"})
        if method == "GET" and path == "/reconciliation":
            day = query.get("date", [""])[0]
            return 200, self.reconciliation_csv(day)
        return 404, {"error": "not_found"}

    def pay(self, ref: str, *, at: str | None = None) -> dict:
        """The citizen pays on the gateway's page: mark paid and queue the signed callback."""
        from datetime import datetime
        from zoneinfo import ZoneInfo

        tz = ZoneInfo("Asia/Ho_Chi_Minh")  # the settlement day is the Vietnamese calendar day
        with self.lock:
            payment = self.payments[ref]
            if payment["status"] != "paid":
                moment = datetime.fromisoformat(at) if at else datetime.now(tz)
                payment.update(status="paid", paid_at=moment.isoformat(), day=moment.astimezone(tz).date().isoformat())
                body = json.dumps({k: payment[k] for k in ("gateway_ref", "merchant_ref", "amount_vnd", "status",
                                                           "paid_at")}).encode()
                self.callbacks.append((body, signed_headers(self.secret, body)))
            return dict(payment)

    def reconciliation_csv(self, day: str) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["gateway_ref", "merchant_ref", "amount_vnd", "status", "paid_at"])
        with self.lock:
            for p in self.payments.values():
                if p["status"] == "paid" and (not day or p["day"] == day):
                    writer.writerow([p["gateway_ref"], p["merchant_ref"], p["amount_vnd"], p["status"], p["paid_at"]])
        return out.getvalue()

    def push_callbacks(self) -> int:
        """Demo mode: POST queued callbacks to callback_url (drops follow the chaos settings)."""
        import httpx

        sent = 0
        with self.lock:
            queued, self.callbacks = self.callbacks, []
        for body, headers in queued:
            if self.chaos.rng.random() < self.chaos.drop_rate:
                continue  # lost; reconciliation will find it
            try:
                httpx.post(self.callback_url, content=body, headers=headers, timeout=5)
                sent += 1
            except httpx.HTTPError:
                pass
        return sent


class EidSimulator(Simulator):
    """National e-ID provider (VNeID-like, OIDC authorization code + PKCE), auto-approving a test person."""

    name = "eid"
    verify_signatures = False

    def __init__(self, client_id: str = "motcua", client_secret: str = "eid-secret", people: dict | None = None, **kw):
        super().__init__(**kw)
        self.client_id, self.client_secret = client_id, client_secret
        self.people = people if people is not None else {k: {**v, "phone": "0905123456"} for k, v in DEMO_PEOPLE.items()}
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, str] = {}

    def handle(self, method, path, query, data, h):
        import base64
        import hashlib

        from .eid import encode_hs256

        q = {k: v[0] for k, v in query.items()}
        if method == "GET" and path == "/authorize":
            if q.get("client_id") != self.client_id or q.get("response_type") != "code":
                return 400, {"error": "invalid_request"}
            person = self.people.get(q.get("login_hint") or next(iter(self.people)))
            if person is None:
                return 400, {"error": "access_denied"}
            code = uuid.uuid4().hex
            self.codes[code] = {"person": person, "nonce": q.get("nonce", ""), "redirect_uri": q["redirect_uri"],
                                "challenge": q.get("code_challenge", "")}
            sep = "&" if "?" in q["redirect_uri"] else "?"
            return 302, {"location": f"{q['redirect_uri']}{sep}code={code}&state={q.get('state', '')}"}
        if method == "POST" and path == "/token":
            grant = self.codes.pop(data.get("code", ""), None)
            if grant is None or data.get("client_secret") != self.client_secret or \
                    data.get("redirect_uri") != grant["redirect_uri"]:
                return 400, {"error": "invalid_grant"}
            verifier = data.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if challenge != grant["challenge"]:
                return 400, {"error": "invalid_grant", "error_description": "PKCE"}
            person = grant["person"]
            now = int(time.time())
            id_token = encode_hs256({"iss": self.url, "aud": self.client_id, "sub": person["id_number"],
                                     "nonce": grant["nonce"], "iat": now, "exp": now + 300}, self.client_secret)
            access = uuid.uuid4().hex
            self.tokens[access] = person["id_number"]
            return 200, {"access_token": access, "token_type": "Bearer", "expires_in": 300, "id_token": id_token}
        if method == "GET" and path == "/userinfo":
            token = (h.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
            id_number = self.tokens.get(token)
            if id_number is None:
                return 401, {"error": "invalid_token"}
            person = self.people[id_number]
            return 200, {"sub": id_number, **person}
        return 404, {"error": "not_found"}


def start_all(*, secret: str = "sim-secret", chaos: Chaos | None = None, ports: dict | None = None,
              callback_url: str = "") -> dict[str, Simulator]:
    ports = ports or {}
    sims = {
        "dvcqg": PortalSimulator(secret=secret, chaos=chaos, port=ports.get("dvcqg", 0)),
        "sms": InboxSimulator("sms", secret=secret, chaos=chaos, port=ports.get("sms", 0)),
        "email": InboxSimulator("email", secret=secret, chaos=chaos, port=ports.get("email", 0)),
        "postal": PostalSimulator(secret=secret, chaos=chaos, port=ports.get("postal", 0)),
        "population": PopulationSimulator(secret=secret, port=ports.get("population", 0)),
        "payment": PaymentGatewaySimulator(callback_url=callback_url, secret=secret, chaos=chaos,
                                           port=ports.get("payment", 0)),
        "eid": EidSimulator(client_secret=secret, port=ports.get("eid", 0)),
    }
    for sim in sims.values():
        sim.start()
    return sims


def settings_for(sims: dict[str, Simulator], *, secret: str = "sim-secret", callback_url: str = "") -> dict:
    """The MOTCUA_INTEGRATIONS value pointing at running simulators."""
    config = {name: {"url": sim.url, "secret": secret} for name, sim in sims.items()}
    if "eid" in config:
        config["eid"]["client_id"] = "motcua"
    if "payment" in config:
        config["payment"]["callback_url"] = callback_url
    return config
