"""Find English words and raw codes in what people read: pages, printed reports, workbook headers.

Everything a user reads is Vietnamese (CONVENTIONS.md): a status, a channel, a metric or an agency is shown by its
name, never by the value the code stores (``received``, ``resolved_early``, ``online``, ``H51.01``). This module is
the one checker every test uses, whichever pages it crawls::

    from tests.vietnamese import assert_vietnamese, page_problems

    resp = client.get(url)
    assert_vietnamese(resp, where=url)                  # an HTML response: visible text and labels only
    assert_vietnamese(docx_text(data), where="báo cáo")  # plain text
    assert not page_problems(html, allow={"Zalo"})      # a list of (token, context) instead of an assertion

What counts: text nodes outside <script>/<style>, the <title> of pages and of SVG charts, and the attributes a
person reads (title, alt, aria-label, placeholder, value of buttons and submit inputs). Links, ids, classes and form
values are code and are not checked. Forbidden: the values our models store for statuses, channels, levels, roles
and kinds (taken from the code itself, so a new value is caught), the statistics' metric names, English words of
the interface, snake_case identifiers, agency identity codes (``H51.01``; a dossier code ``H51.01-260302-0001``
is fine), report scopes (``level:commune``), dates as the machine writes them (``2026-12-02``: people read
02/12/2026) and leaked Python values (``None``, ``True``).
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

ALLOWED = {  # acronyms and names people read as they are
    "VNeID", "PDF", "QR", "OTP", "TOTP", "API", "Excel", "Word", "SMS", "HTML", "CSV", "TTHC", "DVC", "DVCQG",
    "UBND", "CSDL", "PAKN", "OpenAPI", "Zalo", "VNPT", "LGSP", "xlsx", "docx", "pdf",
}
INTERFACE_WORDS = {  # English a template or a view might leak
    "dossier", "dossiers", "procedure", "procedures", "agency", "status", "channel", "metric", "scope", "score",
    "rate", "total", "report", "reports", "download", "submit", "login", "logout", "dashboard", "feedback", "error",
    "pending", "acknowledged", "unknown", "true", "false", "none", "null", "undefined", "nan", "yes",
    "late", "early", "overdue", "province", "commune", "ward", "level", "unit", "received", "resolved",
}
PYTHON_VALUES = {"None", "True", "False", "NaN", "N/A"}

SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
# a whole agency code (H51.01, H51.50.01), not the head of a dossier code (H51.50.01-261012-0001)
AGENCY_CODE = re.compile(r"\b[A-Z]\d{2}(?:\.[0-9A-Z]{1,5})+(?!\.?\w)(?!-\d{6})")
SCOPE = re.compile(r"\b(?:level|unit|kind):[\w.]+")
# a date as the machine writes it (2026-12-02): people read 02/12/2026; a dossier code's date part (261202) is not one
ISO_DATE = re.compile(r"(?<![\w.-])(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?![\w-])")
WORD = re.compile(r"(?<!\w)[A-Za-z]{2,}(?!\w)")  # whole ASCII words (Vietnamese letters are \w)
READ_ATTRS = {"title", "alt", "aria-label", "placeholder"}


def code_values() -> set[str]:
    """The values the models store for people-facing choices (lower case), from the code itself."""
    from motcua.accounts.models import Role
    from motcua.catalog.models import OnlineLevel, ProcedureLevel, ResultType, Target
    from motcua.dossiers.models import Channel, ReturnMethod, Status
    from motcua.engagement.models import FeedbackClassification, FeedbackStatus
    from motcua.reporting.metrics import METRICS, SYNC_ACKNOWLEDGED, SYNC_REJECTED
    from motcua.reporting.models import ReportJob
    from motcua.units.models import Agency

    values = {v for enum in (Status, Channel, ReturnMethod, OnlineLevel, ProcedureLevel, ResultType, Target, Role,
                             FeedbackStatus, FeedbackClassification) for v in enum.values}
    values |= set(METRICS) | {SYNC_ACKNOWLEDGED, SYNC_REJECTED} | {k for k, _ in ReportJob.STATES}
    values |= {k for k, _ in Agency.KINDS}
    return {v.lower() for v in values}


def forbidden_words() -> set[str]:
    return code_values() | INTERFACE_WORDS


class _Visible(HTMLParser):
    SKIP = {"script", "style", "noscript", "template", "textarea"}  # a textarea holds a form value

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        attrs = dict(attrs)
        for name in READ_ATTRS:
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "\n".join(parser.parts)


def problems(text: str, *, allow=(), extra=()) -> list[tuple[str, str]]:
    """(token, the text around it) for every English word or raw code in ``text``; ``extra``: more forbidden
    words (lower case)."""
    allowed = ALLOWED | set(allow)
    words = (forbidden_words() | set(extra)) - {a.lower() for a in allowed}
    found, covered = [], []

    def add(token, start, end):
        covered.append((start, end))
        if token not in allowed:
            found.append((start, token, text[max(0, start - 40):end + 40].replace("\n", " ")))

    for pattern in (SNAKE, AGENCY_CODE, SCOPE, ISO_DATE):
        for m in pattern.finditer(text):
            add(m.group(0), m.start(), m.end())
    for m in WORD.finditer(text):
        token = m.group(0)
        if any(lo <= m.start() < hi for lo, hi in covered):
            continue  # part of a code already reported
        if token in PYTHON_VALUES or token.lower() in words:
            add(token, m.start(), m.end())
    return [(token, ctx) for _, token, ctx in sorted(found)]


def page_problems(html: str, *, allow=(), extra=()) -> list[tuple[str, str]]:
    return problems(visible_text(html), allow=allow, extra=extra)


def assert_vietnamese(content, *, where: str = "", allow=()) -> None:
    """Fail listing every English word or raw code. ``content``: an HTTP response (HTML), HTML text, or plain text
    (reports, workbook headers)."""
    if hasattr(content, "content"):
        content = content.content.decode()
    found = page_problems(content, allow=allow) if "<" in content and ">" in content else problems(content, allow=allow)
    assert not found, f"{where}: English or raw codes in front of people: " + "; ".join(
        f"{token!r} in “{ctx}”" for token, ctx in found[:15])


# ---- files people download ----

def docx_text(data: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def xlsx_headers(data: bytes) -> str:
    """Sheet names and the first row of every sheet."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True)
    parts = []
    for ws in wb.worksheets:
        parts.append(ws.title)
        first = next(ws.iter_rows(max_row=1, values_only=True), ())
        parts.extend(str(v) for v in first if v is not None)
    return "\n".join(parts)
