"""Payment gateway plugins: one interface and the ``gateways`` registry (motcua.core.plugins), configured
in MOTCUA_INTEGRATIONS["payment"] ({"kind": "http", "url", "secret", "callback_url"}).

A gateway creates a payment (→ the page the citizen is sent to), signs its callbacks and the result it
sends the citizen back with (to the return URL, as VNPay-style gateways do), and publishes
a daily settlement file for reconciliation. The ``http`` gateway (motcua.integrations.adapters.payment)
speaks the simple JSON/CSV protocol of the bundled simulator; a real gateway (VNPay, the national
portal's payment platform) is one more registered class.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from motcua.core.errors import DomainError
from motcua.core.plugins import Registry

gateways: Registry[type[Gateway]] = Registry("payment gateway")


class GatewayUnavailable(DomainError):
    status = 503


class ReturnInvalid(DomainError):
    """The result in the citizen's redirect is not the gateway's (changed on the way) or is too old."""

    status = 400

    @classmethod
    def tampered(cls):
        return cls("return_signature_invalid", "Kết quả thanh toán không có chữ ký hợp lệ của cổng thanh toán "
                                               "(có thể đã bị sửa); hệ thống không ghi nhận.")

    @classmethod
    def stale(cls):
        return cls("return_expired", "Kết quả thanh toán đã quá hạn; trang hồ sơ sẽ cập nhật khi cổng thanh toán "
                                     "xác nhận.")


@dataclass
class Created:
    gateway_ref: str
    payment_url: str


@dataclass
class Settlement:
    """One line of the gateway's settlement file, as written: ``services.reconcile`` reads the amount strictly (a
    whole number of đồng, or the line is reported to the accountant and nothing is confirmed by it). ``line`` is
    where it stands in the file (the header is line 1), so that the accountant can find it."""

    gateway_ref: str
    merchant_ref: str
    amount_vnd: int | str | None
    status: str
    paid_at: str
    line: int = 0


class Gateway:
    name = ""

    def __init__(self, config: dict):
        self.config = config

    def create(self, *, merchant_ref: str, amount_vnd: int, description: str, return_url: str) -> Created:
        raise NotImplementedError

    def verify_callback(self, body: bytes, headers) -> dict:
        """The fields of the gateway's signed notice, as sent (merchant_ref, gateway_ref, amount_vnd, status,
        paid_at: ``services`` reads the amount and the moment strictly). Raises a DomainError when the signature
        does not hold or the body has no fields."""
        raise NotImplementedError

    def verify_return(self, params: dict) -> dict:
        """The result the gateway signed into the citizen's redirect to return_url: merchant_ref, gateway_ref,
        amount_vnd, status, paid_at, as sent. Raises ReturnInvalid when the signature does not hold."""
        raise NotImplementedError

    def settlement(self, day) -> list[Settlement]:
        """The lines of the settlement file for ``day``, their fields as written. Raises a DomainError when the
        file cannot be read at all."""
        raise NotImplementedError


def gateway() -> Gateway:
    config = dict(settings.MOTCUA_INTEGRATIONS.get("payment") or {})
    cls = gateways.get(config.get("kind", "http"))
    if not config.get("url") or cls is None:
        raise GatewayUnavailable("payment_not_configured", "Chưa cấu hình cổng thanh toán trực tuyến.")
    return cls(config)
