"""Payment gateway plugins: one interface, a registry, configured in MOTCUA_INTEGRATIONS["payment"].

A gateway creates a payment (→ the page the citizen is sent to), signs its callbacks, and publishes
a daily settlement file for reconciliation. ``http`` speaks the simple JSON/CSV protocol of the
bundled simulator; a real gateway (VNPay, the national portal's payment platform) is one more class.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from motcua.core.errors import DomainError
from motcua.integrations.adapters.base import Adapter, PermanentError, TransientError
from motcua.integrations.config import target_config
from motcua.integrations.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify

GATEWAYS: dict[str, type[Gateway]] = {}


class GatewayUnavailable(DomainError):
    status = 503


def register(name: str):
    def wrap(cls):
        cls.name = name
        GATEWAYS[name] = cls
        return cls

    return wrap


@dataclass
class Created:
    gateway_ref: str
    payment_url: str


@dataclass
class Settlement:
    gateway_ref: str
    merchant_ref: str
    amount_vnd: int
    status: str
    paid_at: str


class Gateway:
    name = ""

    def __init__(self, config: dict):
        self.config = config

    def create(self, *, merchant_ref: str, amount_vnd: int, description: str, return_url: str) -> Created:
        raise NotImplementedError

    def verify_callback(self, body: bytes, headers) -> dict:
        raise NotImplementedError

    def settlement(self, day) -> list[Settlement]:
        raise NotImplementedError


@register("http")
class HttpGateway(Gateway):
    def __init__(self, config: dict):
        super().__init__(config)
        self.client = Adapter(config, "payment")

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except TransientError:
            raise GatewayUnavailable("payment_gateway_unavailable",
                                     "Cổng thanh toán tạm thời không trả lời; vui lòng thử lại sau.") from None
        except PermanentError as exc:
            raise GatewayUnavailable("payment_gateway_error", f"Cổng thanh toán từ chối yêu cầu: {exc}",
                                     status=502) from None

    def create(self, *, merchant_ref, amount_vnd, description, return_url) -> Created:
        class _Key:  # the merchant reference is the idempotency key: a retried create is one payment
            idempotency_key = merchant_ref
            event_id = None

        answer = self._call(self.client.post, "/payments", {
            "merchant_ref": merchant_ref, "amount_vnd": int(amount_vnd), "currency": "VND",
            "description": description, "return_url": return_url,
            "callback_url": self.config.get("callback_url", "")}, _Key)
        return Created(gateway_ref=answer["gateway_ref"], payment_url=answer["payment_url"])

    def verify_callback(self, body: bytes, headers) -> dict:
        import json

        verify(self.config.get("secret", ""), body, headers.get(TIMESTAMP_HEADER), headers.get(SIGNATURE_HEADER))
        try:
            return json.loads(body)
        except ValueError:
            raise DomainError("callback_invalid", "Nội dung thông báo thanh toán không hợp lệ.") from None

    def settlement(self, day) -> list[Settlement]:
        answer = self._call(self.client.get, "/reconciliation", {"date": day.isoformat()})
        text = answer.get("text", "") if isinstance(answer, dict) else str(answer)
        rows = csv.DictReader(io.StringIO(text))
        return [Settlement(r["gateway_ref"], r["merchant_ref"], int(r["amount_vnd"]), r["status"], r["paid_at"])
                for r in rows]


def gateway() -> Gateway:
    config = target_config("payment")
    if not config.get("url"):
        raise GatewayUnavailable("payment_not_configured", "Chưa cấu hình cổng thanh toán trực tuyến.")
    return GATEWAYS[config.get("kind", "http")](config)
