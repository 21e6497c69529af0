"""The ``<id:…>`` of the pages' addresses and the API's ``{id:…}`` path parameters (registered in WebConfig.ready)."""

from motcua.core.digits import whole_number


class RowId:
    """A row's id, a year or a page number in an address: ASCII digits up to the database's largest integer
    (core.digits.whole_number). Anything else matches no page and no API route, a 404: a longer number
    (``/can-bo/ho-so/99999999999999999999/``) instead of a query that SQLite or PostgreSQL cannot run (Django's
    ``<int:…>`` takes any length), "1_2", " 12", "+12" or "12.0", which pydantic's ``int`` would read as 12, and
    "１２"."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = whole_number(value)
        if number is None:
            raise ValueError(value)  # Django: this pattern does not match
        return number

    def to_url(self, value) -> str:
        return str(value)
