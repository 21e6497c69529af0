"""A report's download name is built from the scope asked for: a quote, a colon or a line break in it gives a
well-formed Content-Disposition header (never a 500, never a header of its own); Vietnamese letters arrive whole.
A scope must name a unit that exists (reporting/scopes.py), so the odd text sits in an administrative unit's code."""

import pytest

from tests.factories import AdministrativeUnitFactory, officer, sign_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code, name", [
    ('x"\r\nSet-Cookie:', 'attachment; filename="bao-cao-unit-x-Set-Cookie-20260301-20260331.xlsx"'),
    ('xã "Phú"', "attachment; filename*=utf-8''bao-cao-unit-x%C3%A3-Ph%C3%BA-20260301-20260331.xlsx"),
])
def test_report_download_name_from_a_typed_scope_is_a_well_formed_header(client, code, name):
    AdministrativeUnitFactory(code=code)
    sign_in(client, officer("provincial_admin", None))
    r = client.get("/api/v1/reporting/report.xlsx", {"period": "2026-03", "scope": f"unit:{code}"})
    assert r.status_code == 200 and r["Content-Disposition"] == name
    assert "Set-Cookie" not in r.headers and not r.cookies.get("a")


@pytest.mark.parametrize("scope", [None, "province"])
def test_the_provinces_report_is_named_for_the_province_however_it_is_asked(client, scope):
    """«bao-cao-tinh-…» with no scope or with ``scope=province``, the name the background builds give it too
    (papers.statistics.file_name), not «bao-cao-province-…»."""
    sign_in(client, officer("provincial_admin", None))
    r = client.get("/api/v1/reporting/report.xlsx", {"period": "2026-03", **({"scope": scope} if scope else {})})
    assert r.status_code == 200 and r["Content-Disposition"] == 'attachment; filename="bao-cao-tinh-20260301-20260331.xlsx"'
