"""Where each integration lives, from ``settings.MOTCUA_INTEGRATIONS`` (read from the environment
variable of the same name, JSON, by motcua.settings)::

    {"dvcqg": {"url": "https://…", "secret": "…"}, "sms": {...}, "email": {...}, "postal": {...},
     "population": {...}, "payment": {"url": "…", "secret": "…", "callback_url": "…", "platform": "dvcqg"},
     "dvcqg_storage": {"url": "…", "secret": "…"}}

``payment.platform = "dvcqg"`` says the gateway is the national portal's payment platform (Decision 766 3.5);
``dvcqg_storage`` is the personal data storage of the national portal (Decision 766 4.4).

A target without a ``url`` is off. ``MOTCUA_DISPATCH`` tunes the dispatcher (see DEFAULT_DISPATCH).
"""

from __future__ import annotations

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
    return settings.MOTCUA_INTEGRATIONS or {}


def target_config(name: str) -> dict:
    return dict(integrations().get(name) or {})


def dispatch_config() -> dict:
    return {**DEFAULT_DISPATCH, **settings.MOTCUA_DISPATCH}


def is_configured(name: str) -> bool:
    config = target_config(name)
    return bool(config.get("url")) and config.get("enabled") is not False


def national_payment_platform() -> bool:
    """Fees are paid through the national portal's payment platform (configured, marked platform "dvcqg")."""
    return is_configured("payment") and target_config("payment").get("platform") == "dvcqg"
