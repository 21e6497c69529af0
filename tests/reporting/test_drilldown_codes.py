"""A drill-down filter naming a procedure or field code that never existed is refused (422 invalid_filter, the code
named) on the API and the statistics page, instead of an empty list that reads «0 hồ sơ»; a procedure withdrawn
since (kept in the catalog, not applied) or whose code left the catalog (its dossiers' figures keep it) is history,
and its dossiers are still listed. The agency filter of reporting.indicators.drill_down is checked the same way."""

import pytest

from motcua.catalog.models import Procedure
from motcua.dossiers import lifecycle
from motcua.reporting import consumer
from tests.dossiers.factories import at, make_world
from tests.factories import sign_in

pytestmark = pytest.mark.django_db
API = "/api/v1/reporting/drilldown"
PAGE = "/thong-ke/ho-so/"


@pytest.fixture
def world(client):
    w = make_world()
    d = w.submit(when=at(2026, 3, 2, 8))
    w.dossier = lifecycle.receive(d, officer=w.counter, digitized=True, at=at(2026, 3, 2, 9))
    consumer.consume()
    sign_in(client, w.counter)
    return w


def _listed(client, world, **filters):
    r = client.get(API, {"period": "2026-03", "scope": world.agency.code, "metric": "received", **filters})
    assert r.status_code == 200, r.content[:300]
    page = client.get(PAGE, {"ky": "2026-03", "don-vi": world.agency.code, "chi-tieu": "received", **filters})
    assert page.status_code == 200 and world.dossier.code in page.content.decode()
    return r.json()["dossier_ids"]


@pytest.mark.parametrize("key, noun", [("procedure", "thủ tục"), ("field", "lĩnh vực")])
def test_a_code_that_never_existed_is_refused_with_the_code_named(client, world, key, noun):
    r = client.get(API, {"period": "2026-03", "scope": world.agency.code, "metric": "received", key: "9.999999"})
    body = r.json()
    assert (r.status_code, body["code"]) == (422, "invalid_filter")
    assert noun in body["message"] and "«9.999999»" in body["message"]
    page = client.get(PAGE, {"ky": "2026-03", "don-vi": world.agency.code, "chi-tieu": "received", key: "9.999999"})
    assert page.status_code == 422 and "«9.999999»" in page.content.decode()


def test_codes_of_the_catalog_and_of_the_figures_history_list_their_dossiers(client, world):
    proc = world.procedure
    assert _listed(client, world, procedure=proc.code) == [world.dossier.pk]
    assert _listed(client, world, field=proc.field.code) == [world.dossier.pk]
    Procedure.objects.filter(pk=proc.pk).update(is_active=False)  # withdrawn: kept in the catalog, not applied
    assert _listed(client, world, procedure=proc.code) == [world.dossier.pk]
    Procedure.objects.filter(pk=proc.pk).update(code="9.000001")  # its old code is left in the figures only
    assert _listed(client, world, procedure=proc.code) == [world.dossier.pk]


def _drill(world, **filters):
    from motcua.reporting import indicators

    return indicators.drill_down("received", at(2026, 3, 1).date(), at(2026, 3, 31).date(), None, filters)


def test_an_agency_code_that_never_existed_is_refused_and_a_known_or_past_one_lists_its_dossiers(world):
    """The drill-down's agency filter is checked like the procedure's: a mistyped agency is its message, not «0 hồ
    sơ»; an agency whose code left the register is history, its dossiers' figures keep the code."""
    from motcua.core.errors import ValidationFailed
    from motcua.units.models import Agency

    with pytest.raises(ValidationFailed) as refused:
        _drill(world, agency="000.00.00.X99")
    assert refused.value.code == "invalid_filter"
    assert "cơ quan" in refused.value.message and "«000.00.00.X99»" in refused.value.message
    assert _drill(world, agency=world.agency.code) == [world.dossier.pk]
    Agency.objects.filter(pk=world.agency.pk).update(code="000.00.00.X98")  # its old code is left in the figures
    assert _drill(world, agency=world.agency.code) == [world.dossier.pk]


@pytest.mark.parametrize("key", ["agency", "procedure", "field"])
def test_checking_a_code_reads_an_index_not_every_dossier_figure(world, key):
    """The check runs on every drill-down with a code filter; one that names no code of the catalog asks the figures,
    one row per dossier ever received: a scan of them all would make each mistyped code a long query."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from motcua.core.errors import ValidationFailed
    from motcua.reporting import indicators

    with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationFailed):
        indicators.drill_down("received", at(2026, 3, 1).date(), at(2026, 3, 31).date(), world.agency.code,
                              {key: "9.999999"})
    (sql,) = [q["sql"] for q in queries if "reporting_dossierfact" in q["sql"]]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a table this small is read whole whatever its indexes
        cursor.execute(("EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ") + sql)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "INDEX" in plan.upper() and "SEQ SCAN" not in plan.upper(), plan
