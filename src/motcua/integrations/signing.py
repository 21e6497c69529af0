"""HMAC-SHA256 signatures for everything we send (webhooks, adapters) and receive (gateway callbacks).

Signature = ``v1=`` + hex(HMAC-SHA256(secret, f"{timestamp}." + body)), sent with the Unix timestamp
in ``X-Motcua-Timestamp``. The timestamp is inside the MAC, so a captured request cannot be replayed
after the tolerance window. See integrations/README.md for the receiver side.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from motcua.core.errors import DomainError

SIGNATURE_HEADER = "X-Motcua-Signature"
TIMESTAMP_HEADER = "X-Motcua-Timestamp"
EVENT_HEADER = "X-Motcua-Event-Id"
IDEMPOTENCY_HEADER = "Idempotency-Key"
TOLERANCE_S = 300


class SignatureInvalid(DomainError):
    status = 401


def sign(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{int(timestamp)}.".encode() + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def signed_headers(secret: str, body: bytes, *, idempotency_key: str = "", event_id=None,
                   now: float | None = None) -> dict[str, str]:
    ts = int(now if now is not None else time.time())
    headers = {"Content-Type": "application/json; charset=utf-8", TIMESTAMP_HEADER: str(ts),
               SIGNATURE_HEADER: sign(secret, body, ts)}
    if idempotency_key:
        headers[IDEMPOTENCY_HEADER] = idempotency_key
    if event_id is not None:
        headers[EVENT_HEADER] = str(event_id)
    return headers


def verify(secret: str, body: bytes, timestamp: str | None, signature: str | None, *,
           tolerance: int = TOLERANCE_S, now: float | None = None) -> None:
    """Raise SignatureInvalid unless `signature` is ours for `body` and `timestamp` is fresh."""
    try:
        ts = int(timestamp or "")
    except ValueError:
        raise SignatureInvalid("signature_invalid", "Thiếu hoặc sai dấu thời gian của chữ ký.") from None
    current = now if now is not None else time.time()
    if abs(current - ts) > tolerance:
        raise SignatureInvalid("signature_expired", "Chữ ký đã hết hạn (lệch thời gian quá 5 phút).")
    if not signature or not hmac.compare_digest(sign(secret, body, ts), signature.strip()):
        raise SignatureInvalid("signature_invalid", "Chữ ký không hợp lệ.")
