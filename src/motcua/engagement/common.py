"""Small helpers both engagement services use."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

MAX_COMMENT = 2000
MAX_CONTENT = 5000


def clean_text(value) -> str:
    """User text without NUL characters (PostgreSQL refuses them) and surrounding blanks."""
    return (value or "").replace("\x00", "").strip()


def percent(num: int, den: int) -> Decimal | None:
    if not den:
        return None
    return (Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def iso(value):
    return value.isoformat() if value else None
