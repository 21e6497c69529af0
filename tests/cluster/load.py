"""A citizen-and-officer load over the real HTTP API that retries like a careful client, and remembers
exactly what the server acknowledged.

Each client thread loops: submit a dossier (POST /dossiers with a fresh Idempotency-Key), then have the
counter officer receive it. A call that fails without an answer (connection error, 5xx such as the 503
of a lost database) is sent again — the same key for a submission — with a backoff of 0,2 s doubling to
1 s. A receipt retried after such a failure may find the dossier already received (its first try
committed, its answer was lost): a 409 is then resolved by reading the dossier.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field

import httpx

# The web servers of a drill run in their own processes, where the tests' "every day is a working day" does not
# reach: receptions send a reason, asked on a day off of the unit (422 off_day_reason_required), ignored otherwise.
RECEIVE = {"off_day_reason": "Diễn tập chạy cả ngày nghỉ"}


@dataclass
class Ledger:
    lock: threading.Lock = field(default_factory=threading.Lock)
    keys: set[str] = field(default_factory=set)  # every Idempotency-Key sent
    submitted: dict[str, str] = field(default_factory=dict)  # acknowledged key → dossier code
    received: set[str] = field(default_factory=set)  # dossier codes whose receipt was acknowledged
    acks: list[tuple[float, float]] = field(default_factory=list)  # (sent, answered) of acknowledged writes
    retries: int = 0
    resolved_by_reading: int = 0

    def ack(self, sent: float):
        self.acks.append((sent, time.monotonic()))

    def acks_sent_after(self, t: float) -> list[float]:
        """When the writes sent after `t` were acknowledged."""
        with self.lock:
            return [answered for sent, answered in self.acks if sent > t]


def send(client: httpx.Client, ledger: Ledger, method: str, path: str, deadline: float, **kw):
    """(response, failed_before, sent): retried until an answer below 500 or the deadline; `sent` is when
    the answered try was sent."""
    failed, pause = False, 0.2
    while time.monotonic() < deadline:
        sent = time.monotonic()
        try:
            r = client.request(method, path, **kw)
            if r.status_code < 500:
                return r, failed, sent
        except httpx.HTTPError:
            pass
        failed = True
        with ledger.lock:
            ledger.retries += 1
        time.sleep(pause)
        pause = min(pause * 2, 1.0)
    return None, failed, 0.0


def client_loop(base_url: str, setup: dict, citizen_token: str, ledger: Ledger, stop: threading.Event,
                deadline: float) -> None:
    citizen = {"Authorization": f"Bearer {citizen_token}"}
    counter = {"Authorization": f"Bearer {setup['counter']}"}
    body = {"procedure_code": setup["procedure_code"], "agency_code": setup["agency_code"],
            "applicant": {"name": "Trần Thị Diễn Tập"}, "form_data": {"noi_dung": "diễn tập chuyển đổi dự phòng"}}
    with httpx.Client(base_url=base_url, timeout=5.0) as client:
        while not stop.is_set() and time.monotonic() < deadline:
            key = uuid.uuid4().hex
            with ledger.lock:
                ledger.keys.add(key)
            r, _, sent = send(client, ledger, "POST", "/api/v1/dossiers", deadline, json=body,
                        headers={**citizen, "Idempotency-Key": key})
            if r is None or r.status_code not in (200, 201):
                continue
            code = r.json()["code"]
            with ledger.lock:
                ledger.submitted[key] = code
                ledger.ack(sent)
            r, failed, sent = send(client, ledger, "POST", f"/api/v1/dossiers/{code}/receive", deadline, json=RECEIVE,
                             headers=counter)
            if r is not None and r.status_code == 409 and failed:
                r2, _, _ = send(client, ledger, "GET", f"/api/v1/dossiers/{code}", deadline, headers=counter)
                if r2 is not None and r2.status_code == 200 and r2.json()["status"] == "received":
                    with ledger.lock:
                        ledger.resolved_by_reading += 1
                    r = r2
            if r is not None and r.status_code == 200:
                with ledger.lock:
                    ledger.received.add(code)
                    ledger.ack(sent)


def start_clients(base_url: str, setup: dict, n: int, ledger: Ledger, stop: threading.Event,
                  deadline: float) -> list[threading.Thread]:
    threads = [threading.Thread(target=client_loop, args=(base_url, setup, setup["citizens"][i], ledger, stop,
                                                          deadline), daemon=True, name=f"drill-client-{i}")
               for i in range(n)]
    for t in threads:
        t.start()
    return threads

