"""VND amounts are whole numbers of đồng; shown as 1.234.567 đ."""

from decimal import Decimal


def format_vnd(amount: int | Decimal | None) -> str:
    if amount is None:
        return ""
    value = int(amount)
    sign = "-" if value < 0 else ""
    return f"{sign}{abs(value):,}".replace(",", ".") + " đ"


def format_number(value, decimals: int = 0) -> str:
    """Vietnamese number format: thousands '.', decimals ','  (1.234,5)."""
    if value is None:
        return ""
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_typed_number(value) -> str | None:
    """A number a person typed or a client sent in an e-form (``"125.5"``, ``1500000000``), as Vietnamese write it:
    125,5; 1.500.000.000. Four digits or fewer are not grouped (2020, a year; 1500): the grouping is optional there
    (TCVN 7870-1 / ISO 80000-1) and the e-form does not say which numbers are years. None when it is not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        return None
    try:
        number = Decimal(value.strip() if isinstance(value, str) else str(value))
    except ArithmeticError:
        return None
    if (not number.is_finite() or abs(number.adjusted()) > 40  # "1e999999999" would print a billion digits
            or (isinstance(value, str) and not value.strip().isascii())):
        return None
    sign = "-" if number < 0 else ""
    whole, _, decimals = f"{abs(number):f}".partition(".")
    if len(whole) > 4:
        whole = f"{int(whole):,}".replace(",", ".")
    return f"{sign}{whole}," + decimals if decimals else f"{sign}{whole}"
