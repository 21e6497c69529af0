"""What the application's log lines may carry: no ID numbers or phone numbers in full.

Django writes the path of every 4xx/5xx answer to the log ("Forbidden: /api/v1/integrations/population/0511…"):
the population look-up has the ID number in its path, and any message may quote a number someone typed. The filter
keeps the first three and the last two digits of every run of 9 to 12 digits (ID numbers, old ID cards, phone
numbers), enough to tell two lines apart, not to know the person. Decree 13/2023/ND-CP art. 26: personal data
processed only as far as needed."""

from __future__ import annotations

import logging
import re

_NUMBER = re.compile(r"(?<!\d)(\d{3})(\d{4,7})(\d{2})(?!\d)")


def mask_numbers(text: str) -> str:
    return _NUMBER.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)


class MaskPersonalNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_numbers(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
