"""Where each integration lives, from settings or the environment.

``settings.MOTCUA_INTEGRATIONS`` (or the JSON in the environment variable of the same name)::

    {"dvcqg": {"url": "https://…", "secret": "…"}, "sms": {...}, "email": {...}, "postal": {...},
     "population": {...}, "payment": {"url": "…", "secret": "…", "callback_url": "…"}}

A target without a ``url`` is off. ``MOTCUA_DISPATCH`` tunes the dispatcher (see DEFAULT_DISPATCH).
"""

from __future__ import annotations

import json
import os

from django.conf import settings

DEFAULT_DISPATCH = {
    "batch": 50,  # deliveries claimed per batch
    "lease_s": 60,  # a claimed delivery is retried by another worker after this (worker died)
    "base_delay_s": 5.0,  # first retry after 5 s, then ×2 …
    "max_delay_s": 3600.0,  # … capped at one hour
    "max_attempts": 12,  # then the delivery is dead (dead-letter list, resend from the admin)
    "timeout_s": 10.0,  # HTTP timeout per call
    "fanout_window": 100_000,  # outbox ids looked back below the newest fanned-out one
    "postal_every_s": 300,  # how often dispatch_outbox asks the post office for parcel statuses
}


def integrations() -> dict:
    value = getattr(settings, "MOTCUA_INTEGRATIONS", None)
    if value is None:
        raw = os.environ.get("MOTCUA_INTEGRATIONS", "")
        value = json.loads(raw) if raw.strip() else {}
    return value


def target_config(name: str) -> dict:
    return dict(integrations().get(name) or {})


def dispatch_config() -> dict:
    return {**DEFAULT_DISPATCH, **getattr(settings, "MOTCUA_DISPATCH", {})}
