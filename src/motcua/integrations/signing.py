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
    # hmac.compare_digest raises on a str with anything but ASCII in it
    if not signature or not signature.isascii() or not hmac.compare_digest(sign(secret, body, ts), signature.strip()):
        raise SignatureInvalid("signature_invalid", "Chữ ký không hợp lệ.")


# A gateway's signed redirect (VNPay-style ``vnp_SecureHash``): the citizen's browser carries the result back to
# our return URL as query parameters; ``sig`` is the HMAC of the other parameters, sorted and URL-encoded, with
# ``ts`` among them. The browser cannot be trusted, so every field is inside the MAC.
PARAM_SIGNATURE = "sig"
RETURN_TOLERANCE_S = 900  # a citizen may linger on the gateway's receipt before coming back


def _canonical(params: dict) -> bytes:
    from urllib.parse import urlencode

    return urlencode(sorted((k, str(v)) for k, v in params.items() if k != PARAM_SIGNATURE)).encode()


def sign_params(secret: str, params: dict, *, now: float | None = None) -> dict[str, str]:
    """`params` with ``ts`` and ``sig`` added, ready for a redirect's query string."""
    out = {k: str(v) for k, v in params.items() if k != PARAM_SIGNATURE}
    out.setdefault("ts", str(int(now if now is not None else time.time())))
    out[PARAM_SIGNATURE] = sign(secret, _canonical(out), int(out["ts"]))
    return out


def verify_params(secret: str, params: dict, *, tolerance: int = RETURN_TOLERANCE_S, now: float | None = None) -> dict:
    """The parameters without ``sig``; SignatureInvalid if any of them was changed or the result is stale."""
    fields = {k: v for k, v in params.items() if k != PARAM_SIGNATURE}
    verify(secret, _canonical(fields), fields.get("ts"), params.get(PARAM_SIGNATURE), tolerance=tolerance, now=now)
    return fields
