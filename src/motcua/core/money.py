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
