"""Numbers people type or send (an id in a form value, a code, a year, a one-time code): ASCII digits only.

``str.isdigit()`` also says yes to "²" (which ``int()`` then refuses: a 500), to Arabic-Indic "١٢" and full-width
"１２" (which ``int()`` reads as 12, so what is shown and what is used differ). Every such check goes through here."""

from __future__ import annotations

BIGINT_MAX = 2**63 - 1  # the largest id a row can have (bigint on PostgreSQL, integer on SQLite)


def read_otherwise(value) -> bool:
    """Whether a typed number or date ``value`` holds what Python's converters read as digits though it does not
    show them as 0–9: other scripts' digits ("２０２４", "٢٠٢٤", which int(), Decimal() and strptime() read as 2024)
    or an underscore ("2_024"). Spaces around it, a no-break space included, are not: the converters strip them."""
    return isinstance(value, str) and not (value.strip().isascii() and "_" not in value)


def ascii_digits(text) -> bool:
    """Whether ``text`` is one or more of 0–9 and nothing else."""
    return isinstance(text, str) and text.isascii() and text.isdigit()


def whole_number(raw, high: int = BIGINT_MAX) -> int | None:
    """A row's id or a year sent in a query or form value (``?nhap=12``, ``nam=2026``), or None when it is not one:
    anything but ASCII digits ("2026-13-45", "1e400", "²", "١٢"), or a number beyond ``high`` (by default the
    database's largest integer, past which PostgreSQL fails the query). The length is compared first: ``int()``
    refuses more than 4,300 digits with a ValueError (Python's limit on converting long strings)."""
    text = str(raw or "")
    if not ascii_digits(text):
        return None
    text = text.lstrip("0") or "0"
    if len(text) > len(str(high)) or int(text) > high:
        return None
    return int(text)


def typed_whole(value, high: int = BIGINT_MAX) -> int | None:
    """A whole number typed in a form, held by a spreadsheet cell or sent in JSON (a year, a count, a place in a
    list): an int as it is (the caller checks its range), or ASCII digits with spaces around; None for anything else
    — "２０２６", "١٢", "²", "1_000" and "+5" (which ``int()`` reads), "12.0", True, a number beyond ``high``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value <= high else None
    return whole_number(value.strip(), high) if isinstance(value, str) else None
