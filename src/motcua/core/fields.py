"""What a model field holds, read from the field itself, so that a rule that checks a value follows the model."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Overlong:
    """A text longer than its field keeps: the field's Vietnamese name, its ``max_length``, the text's length.
    Each import phrases the error its own way (catalog.io.validate, transformation.xlsx.bounds)."""

    label: str
    limit: int
    length: int


def overlong(field, value) -> Overlong | None:
    """How `value` overflows `field` (a model field): None when it is no text, fits, or the field has no limit."""
    limit = getattr(field, "max_length", None)
    if limit is None or not isinstance(value, str) or len(value) <= limit:
        return None
    return Overlong(str(field.verbose_name), limit, len(value))
