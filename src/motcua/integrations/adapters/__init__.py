"""Adapters to national systems and third parties; importing this package registers them all
(motcua.integrations.apps does it at start-up)."""

from . import base, notify, payment, portal, postal, storage, webhook  # noqa: F401
from .base import Adapter, PermanentError, TransientError, active_targets, adapters, build

__all__ = ["Adapter", "PermanentError", "TransientError", "active_targets", "adapters", "build"]
