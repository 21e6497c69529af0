"""The name a download is saved under, when it is built from codes or text someone typed (a report's scope, an
agency's code): anything but letters, digits, dots and dashes becomes a dash, so a quote, a colon or a line break
can neither break the Content-Disposition header (a 500) nor add a header of its own; Vietnamese letters stay and
travel as RFC 6266 ``filename*=utf-8''…`` (django.utils.http.content_disposition_header)."""

from __future__ import annotations

import re

from django.utils.http import content_disposition_header

_UNSAFE = re.compile(r"[^\w.]+")  # a run of anything else, dashes with it, is one dash


def download_name(name: str) -> str:
    return _UNSAFE.sub("-", name).strip("-.") or "tep"


def attachment_header(name: str) -> str:
    """Content-Disposition: attachment, under `name` made safe (download_name)."""
    return content_disposition_header(True, download_name(name))
