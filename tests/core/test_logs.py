"""No ID number in full in the log: Django logs the path of every refused request, and the population look-up has
the number in its path (motcua.core.logs): the deprecated GET …/population/{id_number} logs its route, not the number."""

import logging

import pytest
from django.test import Client

from tests.factories import citizen, population_look_up


@pytest.mark.django_db
def test_a_refused_population_look_up_logs_no_id_number(caplog):
    client = Client()
    client.force_login(citizen(id_number="051190012345"))
    with caplog.at_level(logging.WARNING, logger="django.request"):
        answer = client.get("/api/v1/integrations/population/051085004321")  # someone else's number
    assert answer.status_code == 403
    assert "Forbidden: /api/v1/integrations/population/{id_number}" in caplog.text
    assert "051085004321" not in caplog.text and "051*******21" not in caplog.text  # not even its ends


@pytest.mark.django_db
@pytest.mark.parametrize("sent", ["051 085 004 321", "0510850043219", "051085004321/"],
                         ids=["with-spaces", "a-digit-too-many", "trailing-slash"])
def test_the_deprecated_population_path_logs_the_route_not_the_number_in_any_form(caplog, sent):
    """Django logs the decoded path of a 4xx answer; the number as the caller sent it is not a 12-digit run the
    masking of numbers would catch."""
    client = Client()
    client.force_login(citizen(id_number="051190012345"))
    with caplog.at_level(logging.WARNING, logger="django.request"):
        answer = client.get(f"/api/v1/integrations/population/{sent}")
    assert 400 <= answer.status_code < 500
    assert "/api/v1/integrations/population/{id_number}" in caplog.text
    assert not any(part in caplog.text for part in ("085", "004", "321", "0510"))


def test_the_access_line_of_the_deprecated_population_path_carries_no_number(caplog):
    """The line runserver writes for every answer, 200 included, goes through the django.server logger."""
    server = logging.getLogger("django.server")
    server.addHandler(caplog.handler)
    try:
        server.info('"%s" %s %s', "GET /api/v1/integrations/population/051%20085%20004%20321 HTTP/1.1", "200", "512")
        server.warning('"%s" %s %s', "GET /api/v1/integrations/population/051085004321 HTTP/1.1", "404", "97")
    finally:
        server.removeHandler(caplog.handler)
    lines = [r.getMessage() for r in caplog.records if r.name == "django.server"]
    assert lines == ['"GET /api/v1/integrations/population/{id_number} HTTP/1.1" 200 512',
                     '"GET /api/v1/integrations/population/{id_number} HTTP/1.1" 404 97']


@pytest.mark.django_db
def test_the_population_look_up_by_post_puts_no_id_number_in_the_logged_path(caplog):
    client = Client()
    client.force_login(citizen(id_number="051190012345"))
    with caplog.at_level(logging.WARNING, logger="django.request"):
        answer = population_look_up(client, "051085004321")  # someone else's number, in the body
    assert answer.status_code == 403
    assert "/api/v1/integrations/population/lookup" in caplog.text and "051" not in caplog.text



def _access_lines(caplog, request_line: str, status: str, size: str) -> list[str]:
    """The access line runserver's django.server writes (gunicorn's through core.access_log), as the log has it."""
    server = logging.getLogger("django.server")
    server.addHandler(caplog.handler)
    try:
        server.info('"%s" %s %s', request_line, status, size)
    finally:
        server.removeHandler(caplog.handler)
    return [r.getMessage() for r in caplog.records if r.name == "django.server"]


@pytest.mark.parametrize("sent", ["051%20190%20012%20345", "051+190+012+345", "0511+9001+2345"],
                         ids=["percent-encoded-spaces", "plus-spaces", "groups-of-four"])
def test_an_id_number_sent_with_spaces_in_a_query_string_is_masked_in_the_access_line(caplog, sent):
    """GET /api/v1/documents/vault?id_number=… takes the number with spaces (core.cccd drops them); the access line
    (runserver's django.server, gunicorn's through core.access_log) has the query string as sent, encoded."""
    [line] = _access_lines(caplog, f"GET /api/v1/documents/vault?id_number={sent}&purpose=prefill HTTP/1.1", "200", "2")
    assert "/api/v1/documents/vault?id_number=" in line and "&purpose=prefill" in line and '" 200 2' in line
    kept = line.split("id_number=")[1].split("&")[0].replace("%20", " ")
    assert "".join(ch for ch in kept if ch.isdigit()) == "05145"  # its first three and last two digits, as elsewhere


def test_the_access_line_of_the_feedback_tracking_carries_no_e_mail_address(caplog):
    """GET /api/v1/engagement/feedback/track/{code}?contact=… takes the sender's phone or e-mail: the phone was
    masked as every number is, the e-mail was written in full (Decree 13/2023/ND-CP art. 26)."""
    server = logging.getLogger("django.server")
    server.addHandler(caplog.handler)
    try:
        for contact in ("lan.vo%40example.com", "Lan.Vo@Example.com", "0935111222"):
            server.info('"%s" %s %s', f"GET /api/v1/engagement/feedback/track/PA261202ABC123?contact={contact} "
                                      "HTTP/1.1", "200", "97")
    finally:
        server.removeHandler(caplog.handler)
    text = caplog.text.lower()
    assert "lan.vo" not in text and "0935111222" not in text
    assert "contact=l***%40example.com" in text and "contact=l***@example.com" in text  # lines stay told apart


def test_an_error_logged_with_its_traceback_carries_no_id_number_in_the_traceback():
    """A database error logs its traceback (api.errors, db.middleware, Django's 500s); the exception's own text — e.g.
    PostgreSQL's «Key (id_number)=(…) already exists» — is written by the formatter after the filter has run."""
    import io

    console = next(h for h in logging.getLogger().handlers
                   if any(type(f).__name__ == "MaskPersonalNumbers" for f in h.filters))
    stream = console.setStream(io.StringIO())
    try:
        try:
            raise ValueError("duplicate key: Key (id_number)=(051190012345) already exists; contact lan.vo@example.com")
        except ValueError as exc:
            logging.getLogger("motcua.api").error("database error under the API: %s", exc, exc_info=exc)
        written = console.stream.getvalue()
    finally:
        console.setStream(stream)
    assert "Traceback" in written and "ValueError: duplicate key" in written
    assert "051190012345" not in written and "lan.vo" not in written
    assert "051*******45" in written


def test_the_access_line_of_a_search_carries_no_searched_name(caplog):
    """The back office's dossier list searches by the applicant's name (``?q=Nguyễn Văn A``), the document vault
    takes an officer's ``reason``: the value is masked as sent — percent-encoded, ``+`` for spaces, decoded — in the
    request line and the Referer, and the rest of the line is kept."""
    server = logging.getLogger("django.server")
    server.addHandler(caplog.handler)
    try:
        for query in ("q=Nguy%E1%BB%85n+V%C4%83n+An&status=received", "status=received&q=Nguy%E1%BB%85n%20V%C4%83n%20An",
                      "status=received&q=Nguyễn Văn An"):
            server.info('"%s" %s %s "%s"', f"GET /can-bo/ho-so/?{query} HTTP/1.1", "200", "512",
                        "https://motcua.example/can-bo/ho-so/?q=Nguy%E1%BB%85n+V%C4%83n+An&trang=2")
        server.info('"%s" %s %s', "GET /api/v1/documents/vault?id_number=051190012345&reason=H%E1%BB%93+s%C6%A1+"
                                  "c%E1%BB%A7a+Nguy%E1%BB%85n+V%C4%83n+An HTTP/1.1", "200", "2")
        server.info('"%s" %s %s', "GET /can-bo/ho-so/?q=&faq=1 HTTP/1.1", "200", "512")
    finally:
        server.removeHandler(caplog.handler)
    lines = [r.getMessage() for r in caplog.records if r.name == "django.server"]
    assert not any(name in line for line in lines for name in ("Nguy", "V%C4%83n", "Văn", "An ", "An&", "An\""))
    assert lines[0] == ('"GET /can-bo/ho-so/?q=***&status=received HTTP/1.1" 200 512 '
                        '"https://motcua.example/can-bo/ho-so/?q=***&trang=2"')
    assert lines[1].startswith('"GET /can-bo/ho-so/?status=received&q=*** HTTP/1.1" 200 512')
    assert lines[2].startswith('"GET /can-bo/ho-so/?status=received&q=*** HTTP/1.1" 200 512')
    assert lines[3] == '"GET /api/v1/documents/vault?id_number=051*******45&reason=*** HTTP/1.1" 200 2'
    assert lines[4] == '"GET /can-bo/ho-so/?q=&faq=1 HTTP/1.1" 200 512'  # nothing searched, other names kept


@pytest.mark.parametrize("sent", ["051.190.012.345", "051-190-012-345", "lan.vo%40example.com", "0935.111.222",
                                  "V%C3%B5+Th%E1%BB%8B+Lan", "051190012345"])
def test_the_access_line_of_the_e_id_sign_in_carries_nothing_of_its_hint(caplog, sent):
    """/tich-hop/vneid/dang-nhap/?hint=… is the citizen's login identifier as typed, passed on as the provider's
    login_hint: an ID number with dots or dashes, a phone, an e-mail, a name. None of it reaches the log."""
    [line] = _access_lines(caplog, f"GET /tich-hop/vneid/dang-nhap/?next=/ho-so/&hint={sent} HTTP/1.1", "302", "0")
    assert line == '"GET /tich-hop/vneid/dang-nhap/?next=/ho-so/&hint=*** HTTP/1.1" 302 0'


@pytest.mark.parametrize(("inner", "masked"), [
    ("%3Fq%3DTran%2BThi%2BMai", "%3Fq%3D***"),
    ("%3Fstatus%3Dreceived%26q%3DTran%2BThi%2BMai%26page%3D2", "%3Fstatus%3Dreceived%26q%3D***%26page%3D2"),
    ("%3fq%3dTr%25E1%25BA%25A7n%2BMai", "%3fq%3d***"),
    # a next inside a next: encoded twice, three and four times; the parameters beside it kept at every level
    ("%3Fnext%3D/ho-so/%253Fq%253DTran%252BThi%252BMai%2526page%253D2%26lang%3Dvi",
     "%3Fnext%3D/ho-so/%253Fq%253D***%2526page%253D2%26lang%3Dvi"),
    ("%3Fnext%3D/a/%253Fnext%253D/b/%25253Fq%25253D051190001234%2525252B%252526trang%25253D3",
     "%3Fnext%3D/a/%253Fnext%253D/b/%25253Fq%25253D***%252526trang%25253D3"),
    ("%2525253Fhint%2525253DTran%2525252BMai%25252526x%2525253D1", "%2525253Fhint%2525253D***%25252526x%2525253D1"),
    # an & typed in the searched text is encoded once more than its level: the text after it is masked too
    ("%253Fq%253DTran%252526Mai", "%253Fq%253D***"),
])
def test_a_search_carried_in_the_sign_in_page_next_leaves_no_searched_name(caplog, inner, masked):
    """A signed-out officer on a dossier search is sent to /login/?next=… with the search URL-encoded in it: the
    searched name is masked there too, and the parameters beside it are kept."""
    [line] = _access_lines(caplog, f"GET /login/?next=/backoffice/dossiers/{inner}&lang=vi HTTP/1.1", "200", "512")
    assert line == f'"GET /login/?next=/backoffice/dossiers/{masked}&lang=vi HTTP/1.1" 200 512'
