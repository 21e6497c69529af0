"""What the application's log lines may carry: no ID numbers or phone numbers in full.

Django writes the path of every 4xx/5xx answer to the log ("Forbidden: /api/v1/integrations/population/0511…"):
the deprecated population look-up has the ID number in its path, and any message may quote a number someone typed.
The filter puts the route's placeholder in place of that path's last segment, and keeps the first three and the last
two digits of every other run of 9 to 12 digits (old ID cards, phone numbers), enough to tell two lines apart, not to
know the person. An e-mail address (the feedback tracking's ``?contact=`` takes one, ``@`` or ``%40``) keeps the
first character of its name and its domain: l***@example.com. The value of a free-text parameter in a query string
(``?q=``: the back office's dossier search takes an applicant's name; ``?hint=``: the e-ID sign-in's login identifier)
is written ``q=***``, wherever the URL is (the request line, the Referer), also URL-encoded inside another parameter
(``?next=…%3Fq%3D***``), once or up to four times (``%253Fq%253D***``). Decree 13/2023/ND-CP art. 26: personal data processed only as far as needed."""

from __future__ import annotations

import logging
import re

_NUMBER = re.compile(r"(?<!\d)(\d{3})(\d{4,7})(\d{2})(?!\d)")
# The deprecated GET /api/v1/integrations/population/{id_number} (POST …/population/lookup replaced it) has the
# number as its last segment, in whatever form the caller sent it: percent-encoded, with spaces (Django logs the
# decoded path), a digit too many. The whole segment becomes the route's placeholder; "lookup" is left as it is.
_IN_SEGMENT = r"[^/?#\s\"']"
_POPULATION_PATH = re.compile(
    rf"(/integrations/population/)(?!lookup(?!{_IN_SEGMENT})){_IN_SEGMENT}+(?:\s+\d{_IN_SEGMENT}*)*")
POPULATION_PLACEHOLDER = "{id_number}"
# The same 9 to 12 digits with URL-encoded spaces between groups, as a query string carries them in an access line
# ("?id_number=051%20190%20012%20345", "…=051+190+012+345": core.cccd accepts the number with spaces).
_SPACED_NUMBER = re.compile(r"(?<![\d%])\d+(?:(?:%20|\+)\d+)+(?!\d)")
_EMAIL = re.compile(r"(?<![\w.%+-])([\w.%+-])[\w.%+-]*?(@|%40)(?=[\w-]+(?:\.[\w-]+)+)", re.IGNORECASE)
# Free text in a query string, a name as often as not: ``q`` (the back office's dossier list — «Mã hồ sơ, tên hoặc số
# định danh người nộp» — and walk-in procedure picker, the portal's and the API's catalog search, Django admin's
# change lists), ``reason`` (GET /api/v1/documents/vault: why an officer opens a citizen's documents) and ``hint``
# (the e-ID sign-in /tich-hop/vneid/dang-nhap/?hint=…, passed on as the provider's ``login_hint``: the citizen's login
# identifier as typed — an ID number with dots or dashes, which the digit rules do not see, a phone, an e-mail, a
# name). The value as sent, percent-encoded or ``+`` for spaces; a decoded value with spaces is taken up to the HTTP
# version or a quote.
SEARCH_PARAMETERS = ("q", "reason", "hint")
_SEARCH = re.compile(rf"(?<=[?&])((?:{'|'.join(SEARCH_PARAMETERS)})=)[^&#\"'\s]+(?:\s+(?!HTTP/)[^&#\"'\s]+)*")
# The same parameters inside another parameter's value, URL-encoded once: the sign-in page's
# ``?next=/backoffice/dossiers/%3Fq%3DTran%2BThi%2BMai`` brings back the search a signed-out officer was on; or
# encoded again at each further level (a ``next`` inside a ``next``: ``%253Fq%253D…``, ``%25253Fq%25253D…``), every
# ``%`` of one level written ``%25`` in the next. At level n the value runs up to an encoded ``&`` of that level or an
# outer one (``%26``, ``%2526``, … with at most n-1 ``25``) or the end of the outer parameter; an ``&`` typed in the
# value is encoded once more than its level, so it does not end it.
ENCODING_LEVELS = 4


def _encoded_search(level: int) -> re.Pattern:
    pct = "%" + "25" * (level - 1)
    return re.compile(rf"((?:{pct}3F|{pct}26)(?:{'|'.join(SEARCH_PARAMETERS)}){pct}3D)"
                      rf"(?:(?!%(?:25){{0,{level - 1}}}26)[^&#\"'\s])+", re.IGNORECASE)


_ENCODED_SEARCH = tuple(_encoded_search(level) for level in range(1, ENCODING_LEVELS + 1))


def _mask_spaced(m: re.Match) -> str:
    parts = re.split(r"(%20|\+)", m.group(0))  # digit groups at even places, separators at odd ones
    digits = "".join(parts[::2])
    if not 9 <= len(digits) <= 12:
        return m.group(0)
    masked = iter(digits[:3] + "*" * (len(digits) - 5) + digits[-2:])
    return "".join(part if i % 2 else "".join(next(masked) for _ in part) for i, part in enumerate(parts))


def mask_numbers(text: str) -> str:
    text = _POPULATION_PATH.sub(lambda m: m.group(1) + POPULATION_PLACEHOLDER, text)
    text = _SEARCH.sub(lambda m: m.group(1) + "***", text)
    for encoded in _ENCODED_SEARCH:
        text = encoded.sub(lambda m: m.group(1) + "***", text)
    text = _EMAIL.sub(lambda m: m.group(1) + "***" + m.group(2), text)
    text = _SPACED_NUMBER.sub(_mask_spaced, text)
    return _NUMBER.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)


class MaskPersonalNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_numbers(message)
        if masked != message:
            record.msg, record.args = masked, None
        # The traceback is written by the formatter after the filters ran, from exc_info, with the exception's own text
        # (a database's «Key (id_number)=(…) already exists»): written here, masked, where the formatter takes it.
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_numbers(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_numbers(record.stack_info)
        return True
