"""The HTTP payment gateway: the payments app's ``Gateway`` over our signed JSON/CSV protocol (the bundled
simulator speaks it), registered as ``http`` in ``motcua.payments.gateway.gateways``."""

from __future__ import annotations

import csv
import io
import json

from motcua.core.errors import DomainError
from motcua.payments.gateway import Created, Gateway, GatewayUnavailable, ReturnInvalid, Settlement, gateways

from ..signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, SignatureInvalid, verify, verify_params
from .base import Adapter, PermanentError, TransientError


@gateways.register("http")
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
        verify(self.config.get("secret", ""), body, headers.get(TIMESTAMP_HEADER), headers.get(SIGNATURE_HEADER))
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if not isinstance(data, dict):  # a list or a bare value has no fields to read
            raise DomainError("callback_invalid", "Nội dung thông báo thanh toán không hợp lệ.")
        return data

    def verify_return(self, params: dict) -> dict:
        try:
            fields = verify_params(self.config.get("secret", ""), params)
        except SignatureInvalid as exc:
            raise (ReturnInvalid.stale() if exc.code == "signature_expired" else ReturnInvalid.tampered()) from None
        return fields  # amount_vnd as sent: payments.services reads it as a whole number, or refuses it

    def settlement(self, day) -> list[Settlement]:
        answer = self._call(self.client.get, "/reconciliation", {"date": day.isoformat()})
        text = answer.get("text", "") if isinstance(answer, dict) else str(answer)
        reader = csv.DictReader(io.StringIO(text))
        rows = []
        try:
            for r in reader:  # a field missing from a line (or from the header) is None: reported, not a KeyError
                rows.append(Settlement(r.get("gateway_ref") or "", r.get("merchant_ref") or "", r.get("amount_vnd"),
                                       r.get("status") or "", r.get("paid_at") or "", line=reader.line_num))
        except csv.Error:  # e.g. a field longer than the csv module reads (131.072 characters)
            raise GatewayUnavailable("settlement_invalid", f"Bảng đối soát của cổng thanh toán không đọc được "
                                                           f"(dòng {reader.reader.line_num}); chưa đối soát.",
                                     status=502) from None
        return rows  # amounts as written: payments.services reads each as a whole number, or reports its line
