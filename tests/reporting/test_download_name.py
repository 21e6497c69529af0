"""A report's download name is built from the scope asked for: a quote, a colon or a line break in it gives a
well-formed Content-Disposition header (never a 500, never a header of its own); Vietnamese letters arrive whole."""

import pytest

from tests.factories import officer, sign_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("scope, name", [
    ('unit:x"\r\nSet-Cookie: a=b', 'attachment; filename="bao-cao-unit-x-Set-Cookie-a-b-20260301-20260331.xlsx"'),
    ('level:xã "Phú"', "attachment; filename*=utf-8''bao-cao-level-x%C3%A3-Ph%C3%BA-20260301-20260331.xlsx"),
])
def test_report_download_name_from_a_typed_scope_is_a_well_formed_header(client, scope, name):
    sign_in(client, officer("provincial_admin", None))
    r = client.get("/api/v1/reporting/report.xlsx", {"period": "2026-03", "scope": scope})
    assert r.status_code == 200 and r["Content-Disposition"] == name
    assert "Set-Cookie" not in r.headers and not r.cookies.get("a")
