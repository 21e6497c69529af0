"""Stand-in for a payment gateway: payment pages, signed callbacks, a daily reconciliation file."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import datetime

import httpx

from motcua.core.calendar import TZ
from motcua.integrations.signing import signed_headers

from .base import Simulator


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
        with self.lock:
            payment = self.payments[ref]
            if payment["status"] != "paid":
                moment = datetime.fromisoformat(at) if at else datetime.now(TZ)
                # The settlement day is the Vietnamese calendar day.
                payment.update(status="paid", paid_at=moment.isoformat(), day=moment.astimezone(TZ).date().isoformat())
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
