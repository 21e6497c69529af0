"""A scope naming no unit, or not written as a scope, is refused with its message and code on every entry that takes
one (reporting/scopes.py): the API's figures, the Decision 766 endpoints, the report files and the statistics pages.
Before, ``unit:`` and ``level:`` scopes naming nothing answered an empty report: a provincial monitor who mistyped a
commune's code read «0 hồ sơ». A unit closed by a reorganization stays reportable for its past."""

import datetime as dt

import pytest

from motcua.units.models import AdministrativeUnit
from tests.factories import AdministrativeUnitFactory, AgencyFactory, officer, sign_in

pytestmark = pytest.mark.django_db

API = "/api/v1/reporting/"
ENDPOINTS = ["indicators", "index766", "drilldown", "costly766", "report.xlsx", "report.docx"]


@pytest.fixture
def admin_client(client):
    sign_in(client, officer("provincial_admin", None))
    return client


@pytest.mark.parametrize("scope, status, code", [
    ("unit:99999", 404, "unit_not_found"),  # a commune's code mistyped
    ("H99.99", 404, "unit_not_found"),  # an agency's
    ("lineage:H99.99", 404, "unit_not_found"),
    ("level:huyen", 422, "invalid_scope"),  # the district level is gone (2025); read before as every commune
    ("level:", 422, "invalid_scope"),
    ("unit:", 422, "invalid_scope"),
    ("lineage:", 422, "invalid_scope"),
    ("agency:H51", 422, "invalid_scope"),  # an agency is named by its code alone
    ("foo:bar", 422, "invalid_scope"),
])
def test_the_api_refuses_a_scope_naming_nothing_on_every_endpoint(admin_client, scope, status, code):
    for endpoint in ENDPOINTS:
        r = admin_client.get(API + endpoint, {"period": "2026-03", "scope": scope, "metric": "received"})
        body = r.json()
        assert (r.status_code, body["code"]) == (status, code), (endpoint, body)
        assert body["message"].startswith(("Không tìm thấy đơn vị", "Phạm vi báo cáo không hợp lệ")), body


def test_existing_units_levels_and_a_closed_unit_stay_reportable(admin_client):
    closed = AdministrativeUnitFactory(code="23999", name="Xã Đã Sáp Nhập", is_active=False,
                                       valid_to=dt.date(2025, 6, 30))
    old = AgencyFactory(kind="commune_committee", admin_unit=closed, is_active=False)
    for scope in ["province", "level:province", "level:commune", f"unit:{closed.code}", old.code,
                  f"lineage:{old.code}"]:
        for endpoint in ENDPOINTS:
            r = admin_client.get(API + endpoint, {"period": "2025", "scope": scope, "metric": "received"})
            assert r.status_code == 200, (scope, endpoint, r.content[:300])
    after = admin_client.get(API + "indicators", {"period": "2026", "scope": f"unit:{closed.code}"}).json()
    assert after["absent"] is True  # after its last day: said so, not refused
    assert AdministrativeUnit.objects.filter(code=closed.code, is_active=False).exists()


PAGES = ["/thong-ke/ho-so/?chi-tieu=received&ky=2026-03", "/thong-ke/chi-so-766/?ky=2026-03",
         "/thong-ke/chi-so-766/1.1/?ky=2026-03"]
PAGE_REFUSALS = {"H99.99": (404, "Không tìm thấy đơn vị có mã"), "unit:99999": (404, "Không tìm thấy đơn vị hành chính"),
                 "level:huyen": (422, "Phạm vi báo cáo không hợp lệ")}


@pytest.mark.parametrize("page", PAGES)
def test_the_statistics_pages_say_the_unit_does_not_exist(admin_client, page):
    for scope, (status, message) in PAGE_REFUSALS.items():
        r = admin_client.get(f"{page}&don-vi={scope}")
        assert (r.status_code, message in r.content.decode()) == (status, True), (scope, r.content[:300])


def test_a_report_build_for_a_unit_that_does_not_exist_is_refused_with_its_message(admin_client):
    r = admin_client.post("/thong-ke/bao-cao/", {"don-vi": "unit:99999", "loai": "xlsx", "ky": "2026"})
    assert r.status_code == 404 and "Không tìm thấy đơn vị hành chính" in r.content.decode()


@pytest.mark.parametrize("params", [{"channel": "onlien"}, {"online_level": "ful"}])
def test_a_mistyped_channel_or_online_level_of_a_drill_down_is_refused(admin_client, params):
    r = admin_client.get(API + "drilldown", {"period": "2026-03", "metric": "received", **params})
    assert (r.status_code, r.json()["code"]) == (422, "invalid_filter")
    page = admin_client.get("/thong-ke/ho-so/", {"ky": "2026-03", "chi-tieu": "received", **params})
    assert page.status_code == 422 and "Giá trị lọc không hợp lệ" in page.content.decode()
    ok = admin_client.get(API + "drilldown", {"period": "2026-03", "metric": "received", "channel": "online"})
    assert ok.status_code == 200


def test_the_api_document_lists_the_refusals_of_every_statistics_operation(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for endpoint in ["indicators", "index766", "drilldown", "costly766", "report.{kind}"]:
        responses = paths[API + endpoint]["get"]["responses"]
        assert "unit_not_found" in responses["404"]["description"], endpoint
        assert "invalid_scope" in responses["422"]["description"], endpoint


def test_the_level_resolver_reads_an_unknown_level_as_no_unit_not_every_commune():
    # below the checked entries too: a level it does not name (the districts are gone) is no agency at all
    from motcua.reporting.indicators import agency_codes_for

    province = AdministrativeUnitFactory(code="51", level=AdministrativeUnit.PROVINCE)
    commune = AdministrativeUnitFactory(code="21001", level=AdministrativeUnit.COMMUNE, parent=province)
    AgencyFactory(code="X21001", admin_unit=commune)
    assert agency_codes_for("level:commune") == ["X21001"]
    assert agency_codes_for("level:huyen") == []


def test_a_scope_pasted_with_spaces_around_it_names_its_unit(admin_client):
    agency = AgencyFactory(code="H51.77")
    r = admin_client.get(API + "indicators", {"period": "2026-03", "scope": f" {agency.code} "})
    assert r.status_code == 200, r.content[:300]
