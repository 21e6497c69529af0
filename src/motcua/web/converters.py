"""The ``<id:…>`` of the pages' addresses (registered in WebConfig.ready)."""

from motcua.core.digits import BIGINT_MAX


class RowId:
    """A row's id, a year or a page number in an address: ASCII digits up to the database's largest integer. A
    longer number (``/can-bo/ho-so/99999999999999999999/``) matches no page, a 404, instead of reaching a query
    that SQLite or PostgreSQL cannot run (Django's ``<int:…>`` takes any length)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > BIGINT_MAX:
            raise ValueError(value)  # Django: this pattern does not match
        return number

    def to_url(self, value) -> str:
        return str(value)
