"""Public catalog endpoints and the OpenAPI document."""

import enum
import typing
from collections import defaultdict

import pytest
from django.test import Client
from pydantic import BaseModel

from motcua.api.main import api
from motcua.catalog.models import OnlineLevel
from tests.factories import procedure_with_steps

pytestmark = pytest.mark.django_db

LIFECYCLE_PATHS = ["receive", "request-supplement", "provide-supplement", "refuse", "start-processing",
                   "complete-step", "hand-over", "return-from-agency", "pause", "resume", "extend", "apology",
                   "approve", "reject", "sign-result", "return", "withdraw", "stop"]


def test_catalog_is_public_and_search_ignores_accents(world):
    procedure_with_steps(code="2.000001", name="Cấp giấy phép xây dựng nhà ở riêng lẻ", fee_vnd=75_000,
                         online_level=OnlineLevel.PARTIAL)
    client = Client()
    r = client.get("/api/v1/catalog/procedures?q=giay phep xay dung")
    assert r.status_code == 200
    assert [p["code"] for p in r.json()["items"]] == ["2.000001"]
    assert r.json()["items"][0]["fee_text"] == "75.000 đ"
    r = client.get("/api/v1/catalog/procedures?q=KHAI SINH")
    assert [p["code"] for p in r.json()["items"]] == ["1.001193"]
    r = client.get("/api/v1/catalog/procedures?q=1.001193")
    assert r.json()["count"] == 1
    assert client.get("/api/v1/catalog/procedures?agency=H55.101").json()["count"] == 1


def test_procedure_detail_lists_components_steps_and_agencies(world):
    r = Client().get("/api/v1/catalog/procedures/1.001193")
    assert r.status_code == 200
    data = r.json()
    assert [c["name"] for c in data["components"]] == ["Tờ khai", "Giấy chứng sinh"]
    assert [s["role"] for s in data["steps"]] == ["specialist", "leader"]
    assert {a["code"] for a in data["agencies"]} == {"H55.101", "H55.102"}
    assert data["fee_text"] == "Không thu phí, lệ phí"
    r = Client().get("/api/v1/catalog/procedures/9.9")
    assert r.status_code == 404 and r.json()["code"] == "procedure_not_found"


def test_catalog_bad_paging_is_422(world):
    r = Client().get("/api/v1/catalog/procedures?limit=100000")
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"


def test_openapi_lists_every_lifecycle_endpoint_and_docs_render(db):
    schema = Client().get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for action in LIFECYCLE_PATHS:
        assert "post" in paths[f"/api/v1/dossiers/{{code}}/{action}"], action
    assert "post" in paths["/api/v1/dossiers"] and "post" in paths["/api/v1/dossiers/counter"]
    params = {p["name"] for p in paths["/api/v1/dossiers"]["post"]["parameters"]}
    assert "Idempotency-Key" in params
    schemes = schema.json()["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200 and b"openapi.json" in docs.content


def test_every_answer_the_openapi_document_describes_is_described_in_vietnamese(db):
    """An integrator reads what each status means in Vietnamese — also for the statuses an operation declares
    itself, which the framework described with the English HTTP phrase ("Not Found", "Too Many Requests")."""
    from http import HTTPStatus

    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    english = {(path, method, code) for path, ops in paths.items() for method, op in ops.items()
               for code, answer in op["responses"].items() if answer["description"] == HTTPStatus(int(code)).phrase}
    assert not english
    track = paths["/api/v1/engagement/feedback/track/{code}"]["get"]["responses"]
    assert track["429"]["description"].startswith("Quá nhiều lần thử sai")


def _schema_classes(annotation, found: set) -> None:
    """The models and enums ``annotation`` refers to (in a list, a union, a dict…), and those they refer to."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel | enum.Enum):
        if annotation not in found:
            found.add(annotation)
            for field in getattr(annotation, "model_fields", {}).values():
                _schema_classes(field.annotation, found)
        return
    for argument in typing.get_args(annotation):
        _schema_classes(argument, found)


def test_no_two_schemas_share_a_name_in_the_openapi_document(db):
    """The OpenAPI document names a schema by its class's name, and the last class of a name wins: a digitization
    job and a transformation paper's job were both ``JobOut``, so one endpoint was documented with the other's
    fields and a client generated from the document misread it. Every body and answer of every operation is a
    class of its own name, documented with its own fields."""
    spec = Client().get("/api/v1/openapi.json").json()
    components = spec["components"]["schemas"]
    classes: set = set()
    for router in api._get_bound_routers():  # the routers the OpenAPI document is made from
        for view in router.path_operations.values():
            for operation in view.operations:
                if not operation.include_in_schema:
                    continue
                # django-ninja wraps an operation's answers and parameters in models of its own: their fields are
                # the schemas the document names.
                for wrapper in [*operation.response_models.values(), *operation.models]:
                    for field in getattr(wrapper, "model_fields", {}).values():
                        _schema_classes(field.annotation, classes)
    by_name = defaultdict(set)
    for cls in classes:
        by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    assert {name: sorted(found) for name, found in by_name.items() if len(found) > 1} == {}
    assert set(by_name) == set(components), "a schema of the document is not a class of the API under its own name"
    for cls in classes:
        if issubclass(cls, BaseModel):
            fields = {field.serialization_alias or field.alias or name for name, field in cls.model_fields.items()}
            documented = set(components[cls.__name__].get("properties", {}))
            assert documented == fields | set(cls.model_computed_fields), cls
