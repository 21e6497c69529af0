"""Columns of a plan spreadsheet: the canonical ones written on export, and the headings recognised on
import (seed 000's list, seed 003's Phụ lục 04, seed 004's Phụ lục I and II all read the same way)."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from motcua.core.digits import ascii_digits
from motcua.core.errors import ValidationFailed
from motcua.core.text import fold

# (key, heading) in the order of the export; the first seven are Phụ lục II's columns.
COLUMNS = [
    ("number", "STT"),
    ("content", "Nội dung nhiệm vụ"),
    ("lead", "Đơn vị chủ trì"),
    ("explanation", "Diễn giải"),
    ("planned", "Kinh phí (triệu đồng)"),
    ("sources", "Nguồn vốn"),
    ("time", "Thời gian thực hiện"),
    ("cooperating", "Đơn vị phối hợp"),
    ("disbursed", "Giải ngân (triệu đồng)"),
    ("result", "Kết quả thực hiện"),
    ("note", "Ghi chú"),
]
HEADINGS = dict(COLUMNS)


def column_key(label) -> str | None:
    """The field a heading names ("Tên nhiệm vụ", "Nhiệm vụ cụ thể" → content; "Cơ quan chủ trì" → lead …)."""
    t = fold(str(label or "")).strip(" :.")
    if not t:
        return None
    if t in ("stt", "tt", "so tt", "so thu tu"):
        return "number"
    rules = [
        ("disbursed", ("giai ngan",)),
        ("sources", ("nguon von",)),
        ("planned", ("kinh phi", "du toan")),
        ("lead", ("chu tri",)),
        ("cooperating", ("phoi hop",)),
        ("explanation", ("dien giai",)),
        ("content", ("noi dung nhiem vu", "ten nhiem vu", "nhiem vu cu the", "nhiem vu")),
        ("explanation", ("noi dung thuc hien", "noi dung")),
        ("time", ("thoi gian", "thoi han")),
        ("result", ("ket qua", "tien do")),
        ("note", ("ghi chu",)),
    ]
    for key, words in rules:
        if any(w in t for w in words):
            return key
    return None


# ASCII digits only (core.digits): without re.ASCII, \d also matches "２０２６" and "٢٠٢٦", which int() reads as 2026
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", re.ASCII)
_QUARTER = re.compile(r"^quy\s+([ivx]+|\d)\s*[/-]?\s*(?:nam\s+)?(\d{4})$", re.ASCII)
_MONTH = re.compile(r"^(?:thang\s+)?(\d{1,2})\s*/\s*(\d{4})$", re.ASCII)
_YEAR = re.compile(r"^(?:nam\s+)?(\d{4})$", re.ASCII)
_ROMAN_Q = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
TIME_HELP = "dd/mm/yyyy, yyyy, Quý I/yyyy hoặc Tháng m/yyyy"


def parse_time(value) -> tuple[dt.date | None, int | None]:
    """(deadline, year) from a "Thời gian thực hiện / Thời hạn hoàn thành" cell."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        return None, int(value)
    text = fold(str(value)).strip(" .")
    bad = ValidationFailed("time_invalid", f"Thời gian \u201c{value}\u201d không hiểu được (ghi {TIME_HELP}).")
    try:
        if m := _DMY.match(text):
            return dt.date(int(m[3]), int(m[2]), int(m[1])), None
        if m := _YEAR.match(text):
            return None, int(m[1])
        if m := _QUARTER.match(text):
            q = int(m[1]) if ascii_digits(m[1]) else _ROMAN_Q.get(m[1], 0)
            if not 1 <= q <= 4:
                raise bad
            year, month = int(m[2]), 3 * q
            return dt.date(year, month, calendar.monthrange(year, month)[1]), None
        if m := _MONTH.match(text):
            year, month = int(m[2]), int(m[1])
            return dt.date(year, month, calendar.monthrange(year, month)[1]), None
    except ValueError:
        raise bad from None
    raise bad


def plain_year(value) -> int | None:
    """A cell that holds only a year (Phụ lục I writes the year of execution in its result column)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        year = int(value)
    elif isinstance(value, str) and re.fullmatch(r"\d{4}", value.strip(), re.ASCII):
        year = int(value)
    else:
        return None
    return year if 1990 <= year <= 2100 else None


def text(value) -> str:
    """A cell as text: spaces collapsed within each line, line breaks kept."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    lines = str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(" ".join(line.split()) for line in lines).strip()
