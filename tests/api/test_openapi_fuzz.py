"""Property-based fuzz of the whole API against its own OpenAPI document (schemathesis, pytest integration).

For every operation, schemathesis generates requests from the published schema — valid ones and ones that
break it — and sends them through the real WSGI stack (every middleware, SQLite or PostgreSQL), as a citizen
and as an officer (API tokens; the officer passed the second factor when the token was minted). The test fails
on any 5xx, any status the operation does not document, a content type it does not document, or a body that
does not match the documented schema. Bounded and deterministic: a fixed seed, derandomized generation, a
few examples per operation and identity (about 600 requests, under half a minute on SQLite).
"""

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from motcua.api.auth import issue_token
from motcua.demo.simulators import EidSimulator
from tests.factories import AgencyFactory, citizen, enrol_2fa, officer, procedure_with_steps

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 3
CONFIG = {
    "seed": 20261130,
    "suppress-health-check": ["too_slow", "filter_too_much"],
    "generation": {"mode": "all", "max-examples": EXAMPLES_PER_OPERATION, "deterministic": True,
                   "database": "none", "no-shrink": True},
    "phases": {"examples": {"enabled": False}, "coverage": {"enabled": False}, "stateful": {"enabled": False},
               "fuzzing": {"enabled": True}},
}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(autouse=True)
def _requests_keep_the_test_connection():
    # The requests run on the test's own database connection and transaction, as Django's test client does:
    # a request must not close that connection when it starts or ends.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def eid_provider():
    provider = EidSimulator(client_secret="fuzz-eid-client-secret-0123456789abcdef").start()
    yield provider
    provider.stop()


@pytest.fixture
def tokens(db, settings, tmp_path, eid_provider):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    # A configured installation: an unconfigured payment gateway answers 503 payment_not_configured, an unconfigured
    # or unreachable e-ID provider 503 eid_not_configured / eid_unavailable (a citizen app's VNeID sign-in).
    settings.MOTCUA_INTEGRATIONS = {"payment": {"url": "http://127.0.0.1:9/", "secret": "fuzz-secret"},
                                    "eid": {"url": eid_provider.url, "client_id": "motcua", "secret": "fuzz-eid-client-secret-0123456789abcdef"}}
    agency = AgencyFactory(code="H55.101", name="UBND xã Tịnh Sơn")
    procedure_with_steps(code="1.001193", name="Đăng ký khai sinh").agencies.add(agency)
    counter = officer("counter_officer", agency, username="motcua")
    enrol_2fa(counter)
    return {"citizen": issue_token(citizen(username="dan", id_number="051190000123"), "fuzz")[1],
            "officer": issue_token(counter, "fuzz")[1]}


# Loaded once, when the module is collected: the document the API publishes, served by the real stack.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler(), config=SchemathesisConfig.from_dict(CONFIG))


def as_(token: str) -> dict:
    # identity: the test transport hands the body over as sent, and GZipMiddleware would compress it.
    return {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}


# The accounts are made once per operation and shared by its examples, on purpose.
SHARED_ACCOUNTS = hypothesis.settings(suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])


@schema.parametrize()
@SHARED_ACCOUNTS
def test_every_answer_to_a_citizen_is_documented(case, tokens):
    case.call_and_validate(headers=as_(tokens["citizen"]), checks=CHECKS)


@schema.parametrize()
@SHARED_ACCOUNTS
def test_every_answer_to_an_officer_is_documented(case, tokens):
    case.call_and_validate(headers=as_(tokens["officer"]), checks=CHECKS)


def test_machinery_statuses_are_documented_with_the_error_shape(db):
    from django.test import Client

    spec = Client().get("/api/v1/openapi.json").json()
    detail = spec["paths"]["/api/v1/engagement/feedback/{feedback_id}"]["get"]["responses"]
    assert {"200", "401", "403", "404", "422", "429", "503"} <= set(detail)
    upload = spec["paths"]["/api/v1/documents/attachments"]["post"]["responses"]
    assert {"400", "409", "413", "415", "422", "503"} <= set(upload)
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, status)
    assert set(spec["paths"]["/api/v1/health"]["get"]["responses"]) == {"200"}  # touches no database
