"""A number in the address or the query string is what it shows: 0–9. pydantic's lax ``int`` reads "1_2", " 12",
"+12" and "12.0" as 12, so ``/accounts/tokens/1_2`` acted on token 12 and ``?limit=1_0`` listed 10 rows."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from motcua.accounts.models import ApiToken
from motcua.api.auth import issue_token
from tests.factories import officer

from .conftest import assert_not_found, written_otherwise

pytestmark = pytest.mark.django_db


def test_a_token_id_written_otherwise_revokes_nothing(world):
    client = world.client("citizen")
    other = issue_token(world.users["citizen"], "khóa thứ hai")[0]
    for raw in written_otherwise(other.pk):
        assert_not_found(client.delete(f"/api/v1/accounts/tokens/{raw}"))
    assert ApiToken.objects.get(pk=other.pk).revoked_at is None
    assert client.delete(f"/api/v1/accounts/tokens/{other.pk}").status_code == 200
    assert ApiToken.objects.get(pk=other.pk).revoked_at is not None


def test_an_id_beyond_the_database_or_not_a_number_is_not_found(world):
    client = world.client("citizen")
    for raw in ("99999999999999999999999", "9223372036854775808", "-1", "abc", "²"):
        assert_not_found(client.delete(f"/api/v1/accounts/tokens/{raw}"))


def _routes(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def test_every_whole_number_in_an_api_address_is_read_as_digits_only(db):
    """Each integer path parameter the OpenAPI document publishes goes through the ``id`` converter (ASCII digits up to
    the database's largest integer, web.converters.RowId): a route added with a plain ``{x_id}`` fails here."""
    spec = Client().get("/api/v1/openapi.json").json()
    routes = {"/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route): route
              for route in _routes(get_resolver()) if route.startswith("api/v1/")}
    integers = [(path, p["name"]) for path, operations in spec["paths"].items() for op in operations.values()
                for p in op.get("parameters", []) if p["in"] == "path" and p["schema"].get("type") == "integer"]
    assert len(integers) > 40
    plain = sorted({(path, name) for path, name in integers if f"<id:{name}>" not in routes[path]})
    assert plain == []


# ---------------------------------------------------------------- limit, offset

LISTS = [("citizen", "/api/v1/dossiers"), ("citizen", "/api/v1/catalog/procedures"),
         ("citizen", "/api/v1/engagement/feedback/public"), ("counter", "/api/v1/engagement/feedback")]
LAX = ["1_0", "%2010", "%2B10", "10.0", "１０"]


@pytest.mark.parametrize("who,path", LISTS)
@pytest.mark.parametrize("name", ["limit", "offset"])
@pytest.mark.parametrize("raw", LAX + ["true", "1e1"])
def test_a_page_number_only_pydantic_reads_is_refused(world, who, path, name, raw):
    r = world.client(who).get(f"{path}?{name}={raw}")
    assert r.status_code == 422, r.content[:300]
    body = r.json()
    assert body["code"] == "invalid_input" and body["details"]["fields"] == {name: "Phải là một số nguyên."}


@pytest.mark.parametrize("who,path", LISTS)
def test_a_page_out_of_its_range_is_refused_in_vietnamese(world, who, path):
    client = world.client(who)
    for query, message in (("limit=0", "Phải lớn hơn hoặc bằng 1."), ("limit=-1", "Phải lớn hơn hoặc bằng 1."),
                           ("offset=-1", "Phải lớn hơn hoặc bằng 0."),
                           ("limit=99999999999999999999999", "Phải nhỏ hơn hoặc bằng")):
        r = client.get(f"{path}?{query}")
        assert r.status_code == 422 and r.json()["code"] == "invalid_input", (query, r.content[:300])
        assert r.json()["details"]["fields"][query.split("=")[0]].startswith(message)
    r = client.get(f"{path}?limit=10&offset=0")
    assert r.status_code == 200
    if isinstance(r.json(), dict):  # the pages that say which page they are
        assert (r.json()["limit"], r.json()["offset"]) == (10, 0)


def test_the_deliveries_limit_is_digits_too_and_at_most_500(db):
    admin = officer("provincial_admin", None, username="qt.tinh")
    client = Client(headers={"Authorization": f"Bearer {issue_token(admin, 'thử')[1]}"})
    for raw in LAX:
        r = client.get(f"/api/v1/integrations/deliveries?limit={raw}")
        assert r.status_code == 422 and r.json()["details"]["fields"] == {"limit": "Phải là một số nguyên."}, raw
    assert client.get("/api/v1/integrations/deliveries?limit=100000").status_code == 200  # read as 500
