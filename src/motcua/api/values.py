"""The values the public API reads from a caller, one rule each: bounded text (a huge string is a 422 with a message,
never a database error; no NUL), the caller's form data capped in size, whole numbers written in ASCII digits only
(ids, years, paging), booleans written true or false only. The request and response shapes that use them:
api/schemas.py.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated

from ninja import Field
from pydantic import AfterValidator, BeforeValidator, StringConstraints
from pydantic_core import PydanticCustomError

from motcua.core.digits import ascii_digits

MAX_FORM_BYTES = 64 * 1024


def _no_nul(value: str) -> str:
    # PostgreSQL text and jsonb cannot hold U+0000; refuse it here rather than fail in the database.
    if "\x00" in value:
        raise ValueError("nul_character")
    return value


def text(max_length: int, min_length: int = 0):
    """A trimmed string with bounds and no NUL character."""
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
                     AfterValidator(_no_nul)]


Code = text(64, 1)
ShortText = text(255)
Reason = text(2000, 1)
Note = text(2000)
Username = text(150, 1)


def _walk_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _walk_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk_strings(item)


def _form_size(value: dict | None) -> dict | None:
    if value is None:
        return value
    if len(json.dumps(value, ensure_ascii=False, default=str)) > MAX_FORM_BYTES:
        raise ValueError("form_too_large")
    if any("\x00" in s for s in _walk_strings(value)):
        raise ValueError("nul_character")
    return value


FormData = Annotated[dict, AfterValidator(_form_size)]


def _whole(value):
    """pydantic reads the strings " 2024 ", "2_024", "+2024" and "2024.0" as 2024 and true as 1. A whole number sent is
    a JSON number (pydantic's rules), or a string of 0–9 with an optional minus (core.digits; a query or form value is
    a string), so that what was sent is what is used. The errors are pydantic's own (int_type, int_parsing): the
    answer is the usual 422 invalid_input, «Phải là một số nguyên.» under the field."""
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    if isinstance(value, str) and not ascii_digits(value.removeprefix("-")):
        raise PydanticCustomError("int_parsing", "Input should be a valid integer, unable to parse string as an integer")
    return value


def whole(**bounds):
    """A whole number sent (a year, a count, a number of days, an id), within ``bounds`` (ge, le): given here, not on
    the field, they stay the OpenAPI's minimum and maximum when the field may also be null."""
    return Annotated[int, Field(**bounds), BeforeValidator(_whole)]


WholeNumber = whole()


def _number(value):
    """As ``_whole``, for a number that may have a decimal part (half a working day): a JSON number, or a string of 0–9
    with at most one decimal point, so that true, "1_5", " 1.5" and "1,5" are refused, not read as pydantic reads
    them (its float_type, float_parsing errors: «Phải là một số.»)."""
    if isinstance(value, bool):
        raise PydanticCustomError("float_type", "Input should be a valid number")
    if isinstance(value, str) and not all(ascii_digits(part) for part in value.split(".", 1)):
        raise PydanticCustomError("float_parsing", "Input should be a valid number, unable to parse string as a number")
    return value


def _decimal(value: float) -> Decimal:
    """The number as a form's DecimalField gives it: 2 for 2.0, 0.5 for 0.5."""
    exact = Decimal(str(value))
    return exact.quantize(Decimal(1)) if exact == exact.to_integral_value() else exact


def number(**bounds):
    """A number sent, within ``bounds`` (ge, le), used as a Decimal; a JSON number in the OpenAPI schema."""
    return Annotated[float, Field(**bounds), BeforeValidator(_number), AfterValidator(_decimal)]


def page_size(maximum: int):
    """``?limit=`` of a list: 1 to ``maximum`` rows, sent as 0–9 (``whole``): "1_0", " 10", "+10", "10.0" and "１０" are
    the usual 422 invalid_input, «Phải là một số nguyên.» under limit, past ``maximum`` «Phải nhỏ hơn hoặc bằng …»."""
    return whole(ge=1, le=maximum)


def page_start(maximum: int):
    """``?offset=`` of a list: how many rows to skip, 0 to ``maximum``, sent as 0–9 like ``page_size``."""
    return whole(ge=0, le=maximum)


def _json_boolean(value):
    """pydantic reads "yes", "on", "1", "t", 1 and 1.0 as true and "no", "off", "0", 0 and 0.0 as false: a citizen's
    app sending ``"satisfied": "no"`` rated a dossier as dissatisfying, one sending ``"khong"`` was refused. A yes or
    no in a JSON body is the JSON literal true or false, nothing else; the error is pydantic's bool_type: the usual
    422 invalid_input, «Phải là true hoặc false.» under the field."""
    if not isinstance(value, bool):
        raise PydanticCustomError("bool_type", "Input should be a valid boolean")
    return value


def _text_boolean(value):
    """A query-string or form value is text: the words true and false, lower case, as JSON writes them. "1", "on",
    "yes", "True" and " true" are the usual 422 invalid_input, «Phải là true hoặc false.» (pydantic's bool_parsing).
    A value left out takes the parameter's default."""
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise PydanticCustomError("bool_parsing", "Input should be a valid boolean, unable to interpret input")


Boolean = Annotated[bool, BeforeValidator(_json_boolean)]
"""Every yes-or-no field of a JSON body: JSON true or false only (OpenAPI: boolean)."""

TextBoolean = Annotated[bool, BeforeValidator(_text_boolean)]
"""Every yes-or-no query or form parameter: the text true or false only (OpenAPI: boolean). Written
``name: TextBoolean = NAME`` with ``NAME = Form(False, description=TRUE_OR_FALSE)`` (or ``Query``) at module level:
ninja drops the default of ``Form[TextBoolean] = False``, and the parameter would become required."""
TRUE_OR_FALSE = "Chỉ nhận true hoặc false."
