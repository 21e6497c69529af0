"""Signed outgoing webhooks to third parties (one target per WebhookSubscription: 'webhook:<id>')."""

from __future__ import annotations

from motcua.core.digits import whole_number

from ..models import WebhookSubscription
from .base import Adapter, adapters, envelope


@adapters.register("webhook")
class WebhookAdapter(Adapter):
    def __init__(self, config: dict, target: str | None = None, subscription=None):
        super().__init__(config, target)
        self.subscription = subscription
        self.topics = tuple(t.strip() for t in (subscription.topics if subscription else "").split(",") if t.strip())

    @classmethod
    def for_subscription(cls, ref: str):
        sub = WebhookSubscription.objects.filter(pk=whole_number(ref) or -1, is_active=True).first()
        if sub is None:
            return None
        return cls({"url": sub.url, "secret": sub.secret}, sub.target, sub)

    @classmethod
    def all_active(cls) -> list:
        return [cls({"url": s.url, "secret": s.secret}, s.target, s) for s in WebhookSubscription.objects.filter(
            is_active=True)]

    def deliver(self, event, delivery) -> dict:
        return self.post(self.config["url"], envelope(event), delivery)
