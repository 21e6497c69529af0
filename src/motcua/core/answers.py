"""An e-form answer as people read it, on the dossier's pages and in the result drafted from it. The answers are
stored as the machine writes them (``"2026-11-12"``, ``"1234.5"``, ``true``); shown: 12/11/2026, 1.234,5, «Có»."""

from __future__ import annotations

import datetime as dt

from .money import format_typed_number


def shown_answer(value, kind: str | None = None):
    """``value`` of an e-form field of type ``kind`` (catalog.io.format.FORM_FIELD_TYPES; None: not in the schema)
    for a person to read; anything else as it is."""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if kind == "number" and (number := format_typed_number(value)) is not None:
        return number
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            pass
    return value


def field_kinds(schema) -> dict:
    """{field name: its type} of a procedure's e-form schema."""
    return {f.get("name"): f.get("type", "text") for f in schema or [] if isinstance(f, dict)}
