"""Amounts: stored in đồng, written in triệu đồng the Vietnamese way (92,460 · 8.962,46 · 13.570).

A budget line keeps the number of decimals it was written with, so a line typed "92,460" prints as
"92,460" (seed 004, Phụ lục I) while a computed subtotal prints its own decimals ("6.992,46").
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from motcua.core.errors import ValidationFailed

MILLION = Decimal(1_000_000)
MAX_DECIMALS = 6  # triệu đồng to the đồng
MAX_VND = 10**15  # a million billion đồng: anything larger is a typing error
# ASCII digits only (core.digits): Python's \d also matches "９２" and "٩٢", which Decimal() reads as 92
_VN_NUMBER = re.compile(r"^(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$", re.ASCII)
EXAMPLE = "ví dụ 92,460 hoặc 8.962,46"


def _invalid(code: str, message: str) -> ValidationFailed:
    return ValidationFailed(code, message)


def vn_decimal(value) -> tuple[Decimal, int] | None:
    """Text written the Vietnamese way ('8.962,46', '-5', '72,5') → (number, decimals); None if it is not."""
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    negative = text.startswith(("-", "−"))
    body = text.lstrip("-−")
    if not _VN_NUMBER.match(body):
        return None
    whole, _, frac = body.partition(",")
    number = Decimal(whole.replace(".", "") + ("." + frac if frac else ""))
    return (-number if negative else number), len(frac)


def decimals_of_format(number_format: str | None) -> int | None:
    """Decimals an Excel number format shows ('#,##0.000' → 3); None for 'General'."""
    fmt = (number_format or "").split(";")[0]
    if "0" not in fmt:
        return None
    _, dot, tail = fmt.partition(".")
    return len(re.match(r"0*", tail).group(0)) if dot else 0


def parse_million(value, number_format: str | None = None) -> tuple[int, int]:
    """A value in triệu đồng (a cell or typed text) → (đồng, decimals written). Raises ValidationFailed."""
    if isinstance(value, bool) or value is None:
        raise _invalid("amount_invalid", f"Kinh phí phải là số triệu đồng ({EXAMPLE}).")
    if isinstance(value, (int, float, Decimal)):
        try:
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation:
            raise _invalid("amount_invalid", f"Kinh phí phải là số triệu đồng ({EXAMPLE}).") from None
        if not number.is_finite():
            raise _invalid("amount_invalid", f"Kinh phí phải là số triệu đồng ({EXAMPLE}).")
        shown = decimals_of_format(number_format)
        decimals = shown if shown is not None else max(0, -number.normalize().as_tuple().exponent)
    else:
        parsed = vn_decimal(value)
        if parsed is None:
            raise _invalid("amount_invalid", f"Kinh phí \u201c{value}\u201d không phải số triệu đồng ({EXAMPLE}).")
        number, decimals = parsed
    if number < 0:
        raise _invalid("amount_negative", "Kinh phí không được âm.")
    vnd = number * MILLION
    if vnd != vnd.to_integral_value():
        raise _invalid("amount_precision", "Kinh phí chỉ lẻ đến đồng (tối đa 6 chữ số thập phân của triệu đồng).")
    if vnd > MAX_VND:
        raise _invalid("amount_too_large", "Kinh phí quá lớn, vui lòng kiểm tra lại đơn vị (triệu đồng).")
    return int(vnd), min(decimals, MAX_DECIMALS)


def minimal_decimals(vnd: int) -> int:
    exponent = (Decimal(int(vnd)) / MILLION).normalize().as_tuple().exponent
    return max(0, -exponent)


def format_million(vnd: int | None, decimals: int | None = None) -> str:
    """đồng → '8.962,46' (triệu đồng); decimals None = as few as the amount needs."""
    if vnd is None:
        return ""
    if decimals is None:
        decimals = minimal_decimals(vnd)
    number = (Decimal(int(vnd)) / MILLION).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    whole, _, frac = f"{abs(number):f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{sign}{grouped},{frac}" if frac else f"{sign}{grouped}"


def million_value(vnd: int) -> Decimal:
    """đồng → Decimal triệu đồng (for spreadsheet cells)."""
    return Decimal(int(vnd)) / MILLION
