"""Stand-in for a payment gateway: payment pages, signed callbacks, a daily reconciliation file."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import datetime
from html import escape
from urllib.parse import urlencode

import httpx

from motcua.core.calendar import TZ
from motcua.core.digits import typed_whole
from motcua.core.money import format_vnd
from motcua.integrations.signing import sign_params, signed_headers

from .base import Html, Simulator

PAGE = """<!doctype html><html lang="vi"><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Cổng thanh toán (mô phỏng)</title>
<body style="font-family:sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem">
<h1>Thanh toán trực tuyến</h1><p>Cổng thanh toán mô phỏng (bản trình diễn).</p>
<dl><dt>Nội dung</dt><dd>{description}</dd><dt>Số tiền</dt><dd><strong>{amount}</strong></dd>
<dt>Mã giao dịch</dt><dd>{ref}</dd></dl>
<form method="post"><button name="action" value="pay" style="font-size:1.1rem;padding:.6rem 1.2rem">Xác nhận thanh toán</button>
<button name="action" value="cancel">Hủy giao dịch</button></form></body></html>"""


class PaymentGatewaySimulator(Simulator):
    """Payment gateway: create → pay page URL; the page's button pays, sends the citizen back to the
    merchant's return URL with the HMAC-signed result (as VNPay does) and queues the signed callback;
    daily reconciliation CSV."""

    name = "payment"

    def __init__(self, callback_url: str = "", **kw):
        super().__init__(**kw)
        self.callback_url = callback_url
        self.payments: dict[str, dict] = {}
        self.callbacks: list[tuple[bytes, dict]] = []  # (body, headers) waiting to be delivered

    def signed(self, path: str) -> bool:
        return not path.startswith("/pay/")  # the citizen's browser posts the pay page's form

    def handle(self, method, path, query, data, h):
        if method == "POST" and path == "/payments":
            amount = typed_whole(data.get("amount_vnd"))  # int() would take true as 1 đồng
            if amount is None or amount <= 0:
                return 400, {"error": "amount_invalid"}
            ref = "GW" + uuid.uuid4().hex[:14].upper()
            self.payments[ref] = {"gateway_ref": ref, "merchant_ref": data["merchant_ref"], "amount_vnd": amount,
                                  "status": "pending", "paid_at": "", "day": "",
                                  "return_url": data.get("return_url", ""), "description": data.get("description", "")}
            return 201, {"gateway_ref": ref, "payment_url": f"{self.url}/pay/{ref}"}
        if path.startswith("/pay/"):
            ref = path.rsplit("/", 1)[-1]
            if ref not in self.payments:
                return 404, {"error": "not_found"}
            if method == "GET":
                return 200, self.page(ref)
            if method == "POST":
                payment = self.pay(ref) if data.get("action") == "pay" else self.cancel(ref)
                if payment["return_url"]:
                    return 302, {"location": self.return_location(payment)}
                return 200, {k: v for k, v in payment.items() if k != "return_url"}
        if method == "GET" and path == "/reconciliation":
            day = query.get("date", [""])[0]
            return 200, self.reconciliation_csv(day)
        return 404, {"error": "not_found"}

    def page(self, ref: str) -> Html:
        p = self.payments[ref]
        return Html(PAGE.format(description=escape(p["description"]), amount=format_vnd(p["amount_vnd"]),
                                ref=escape(ref)))

    def result(self, payment: dict) -> dict:
        """The signed result sent back with the citizen (query parameters of the return URL)."""
        fields = {k: payment[k] for k in ("gateway_ref", "merchant_ref", "amount_vnd", "status", "paid_at")}
        return sign_params(self.secret, fields)

    def return_location(self, payment: dict) -> str:
        sep = "&" if "?" in payment["return_url"] else "?"
        return f"{payment['return_url']}{sep}{urlencode(self.result(payment))}"

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

    def cancel(self, ref: str) -> dict:
        """The citizen gives up on the gateway's page (a paid payment stays paid)."""
        with self.lock:
            payment = self.payments[ref]
            if payment["status"] == "pending":
                payment["status"] = "cancelled"
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
