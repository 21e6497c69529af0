"""Personal identification number (số định danh cá nhân, 12 digits)."""

from __future__ import annotations

from dataclasses import dataclass

from .digits import ascii_digits
from .errors import ValidationFailed

# Law on Identification 26/2023/QH15 art. 12; Decree 70/2024/ND-CP art. 11:
# 3 digits place of birth registration, 1 digit century+gender, 2 digits year, 6 random.
ID_NUMBER_DIGITS = 12
_CENTURY = {0: (1900, "male"), 1: (1900, "female"), 2: (2000, "male"), 3: (2000, "female"),
            4: (2100, "male"), 5: (2100, "female"), 6: (2200, "male"), 7: (2200, "female"),
            8: (2300, "male"), 9: (2300, "female")}


@dataclass(frozen=True)
class IdNumber:
    value: str
    place_code: str
    birth_year: int
    gender: str


def parse_id_number(raw: str) -> IdNumber:
    value = (raw or "").replace(" ", "").strip()
    if not (ascii_digits(value) and len(value) == ID_NUMBER_DIGITS):
        raise ValidationFailed("id_number_invalid", "Số định danh cá nhân phải gồm đúng 12 chữ số.")
    century, gender = _CENTURY[int(value[3])]
    return IdNumber(value=value, place_code=value[:3], birth_year=century + int(value[4:6]), gender=gender)


def is_valid_id_number(raw: str) -> bool:
    try:
        parse_id_number(raw)
    except ValidationFailed:
        return False
    return True
