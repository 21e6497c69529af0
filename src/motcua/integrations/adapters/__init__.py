"""Adapters to national systems and third parties; importing this package registers them all."""

from . import base, notify, portal, postal, webhook  # noqa: F401
from .base import REGISTRY, Adapter, PermanentError, TransientError, active_targets, build, register

__all__ = ["REGISTRY", "Adapter", "PermanentError", "TransientError", "active_targets", "build", "register"]
