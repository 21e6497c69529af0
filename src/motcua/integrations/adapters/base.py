"""One adapter per target behind one interface, found through the ``adapters`` registry
(motcua.core.plugins)::

    @adapters.register("dvcqg")
    class NationalPortalAdapter(Adapter):
        topics = ("dossier.*",)
        def deliver(self, event, delivery) -> dict: ...

``deliver`` returns what the receiver answered (kept on the Delivery) or raises TransientError
(retry with backoff) / PermanentError (dead-letter at once). Every call carries the idempotency key
``{event id}:{target}`` so a receiver applies an event once however often it is retried.
"""

from __future__ import annotations

import fnmatch
import json
import threading

import httpx

from motcua.core.plugins import Registry

from ..config import dispatch_config, integrations, target_config
from ..signing import signed_headers

adapters: Registry[type[Adapter]] = Registry("adapter")
_local = threading.local()


def http_client() -> httpx.Client:
    """One HTTP client per thread, kept: a new client per call would build a TLS context each time (~35 ms)."""
    client = getattr(_local, "client", None)
    if client is None:
        client = _local.client = httpx.Client()
    return client


class TransientError(Exception):
    """The call may succeed later (network, timeout, 5xx, 429)."""


class PermanentError(Exception):
    """Retrying cannot help (4xx other than 408/409/429, bad data)."""


def envelope(event) -> dict:
    return {"id": event.pk, "topic": event.topic, "aggregate_type": event.aggregate_type,
            "aggregate_id": event.aggregate_id, "created_at": event.created_at.isoformat(), "data": event.payload}


class Adapter:
    name = ""
    topics: tuple[str, ...] = ("dossier.*",)
    # When set, the dispatcher records each delivered or refused event of a dossier as an outbox event of this
    # topic ({"dossier_id", "outcome": "acknowledged" | "rejected", ...}), so statistics can measure what the
    # receiver accepted (Decision 766 1.4 and 4.4).
    outcome_topic: str | None = None

    def __init__(self, config: dict, target: str | None = None):
        self.config = config
        self.target = target or self.name

    # which events --------------------------------------------------------------------------------
    def accepts(self, event) -> bool:
        return any(fnmatch.fnmatchcase(event.topic, pattern.strip()) for pattern in self.topics if pattern.strip())

    # how ----------------------------------------------------------------------------------------
    def deliver(self, event, delivery) -> dict:  # pragma: no cover - interface
        raise NotImplementedError

    @property
    def url(self) -> str:
        return self.config["url"].rstrip("/")

    @property
    def secret(self) -> str:
        return self.config.get("secret", "")

    def post(self, path_or_url: str, payload: dict, delivery=None) -> dict:
        url = path_or_url if path_or_url.startswith("http") else self.url + path_or_url
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        headers = signed_headers(self.secret, body, idempotency_key=delivery.idempotency_key if delivery else "",
                                 event_id=delivery.event_id if delivery else None)
        return self._send("POST", url, content=body, headers=headers)

    def get(self, path: str, params: dict | None = None, *, timeout_s: float | None = None) -> dict:
        body = b""
        headers = signed_headers(self.secret, body)
        return self._send("GET", self.url + path, params=params, headers=headers, timeout_s=timeout_s)

    def delete(self, path: str) -> dict:
        headers = signed_headers(self.secret, b"")
        return self._send("DELETE", self.url + path, headers=headers)

    def _send(self, method: str, url: str, *, timeout_s: float | None = None, **kwargs) -> dict:
        """``timeout_s``: a caller waiting for the answer (a person at the counter) waits less than the dispatcher."""
        try:
            response = http_client().request(method, url, timeout=timeout_s or dispatch_config()["timeout_s"],
                                             **kwargs)
        except httpx.HTTPError as exc:  # connection refused/reset, timeout, protocol error
            raise TransientError(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code in (408, 425, 429) or response.status_code >= 500:
            raise TransientError(f"HTTP {response.status_code}: {response.text[:200]}")
        if response.status_code >= 400:
            raise PermanentError(f"HTTP {response.status_code}: {response.text[:500]}")
        try:
            return response.json() if response.content else {}
        except ValueError:
            return {"text": response.text}


def build(target: str) -> Adapter | None:
    """The adapter instance serving `target` ('dvcqg', 'webhook:7', ...), or None when it is off."""
    kind, _, ref = target.partition(":")
    cls = adapters.get(kind)
    if cls is None:
        return None
    if kind == "webhook":
        return cls.for_subscription(ref)
    config = target_config(kind)
    if not config.get("url") or config.get("enabled") is False:
        return None
    return cls(config, target)


def active_targets() -> list[Adapter]:
    """Adapters that consume the outbox now: configured ones plus active webhook subscriptions."""
    found = []
    for name, cls in adapters.items():
        if getattr(cls, "consumes_outbox", True) is False:
            continue
        if name == "webhook":
            found.extend(cls.all_active())
        elif name in integrations():
            adapter = build(name)
            if adapter is not None:
                found.append(adapter)
    return found
