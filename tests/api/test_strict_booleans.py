"""A yes or no sent to the API is what it shows: JSON true or false in a body, the text true or false in a form or
query. pydantic's lax ``bool`` read "yes", "on", "1", 1 and 0.0 as true or false, so a citizen's app sending
``"satisfied": "no"`` rated the dossier as dissatisfied while ``"khong"`` was refused."""

import re

import pytest
from django.test import Client

from motcua.api.auth import issue_token
from motcua.dossiers.models import Dossier, Status
from motcua.engagement.feedback import answer_feedback
from motcua.engagement.models import Feedback, FeedbackStatus, SatisfactionRating
from tests.engagement.test_api import make_dossier
from tests.factories import officer

from .conftest import post, submitted_code

pytestmark = pytest.mark.django_db
ENGAGEMENT = "/api/v1/engagement"
MESSAGE = "Phải là true hoặc false."
# What pydantic's lax bool reads as true or false; a JSON body says true or false.
LAX = ["yes", "no", "on", "off", "1", "0", "true", "false", "t", "f", "y", "n", 1, 0, 1.0, 0.0]


def assert_refused(response, field: str):
    assert response.status_code == 422, response.content[:300]
    body = response.json()
    assert body["code"] == "invalid_input" and body["details"]["fields"] == {field: MESSAGE}
    assert f"{field}: {MESSAGE}" in body["message"]


def send(client, path, body):
    return client.post(path, body, content_type="application/json")


@pytest.mark.parametrize("raw", LAX, ids=repr)
def test_a_rating_only_pydantic_reads_as_yes_or_no_is_refused_and_not_recorded(world, raw):
    dossier = make_dossier(world.users["citizen"])
    client = world.client("citizen")
    assert_refused(send(client, f"{ENGAGEMENT}/dossiers/{dossier.pk}/rating", {"satisfied": raw}), "satisfied")
    assert not SatisfactionRating.objects.exists()


def test_a_rating_sent_as_true_or_false_is_recorded_as_sent(world):
    for who, sent in (("citizen", False), ("other_citizen", True)):
        dossier = make_dossier(world.users[who])
        r = send(world.client(who), f"{ENGAGEMENT}/dossiers/{dossier.pk}/rating", {"satisfied": sent})
        assert r.status_code == 201 and r.json()["satisfied"] is sent
        for raw in ("khong", None, "", [], {}):  # refused before as well, with the same message
            assert_refused(send(world.client(who), f"{ENGAGEMENT}/dossiers/{dossier.pk}/rating", {"satisfied": raw}),
                           "satisfied")
    assert sorted(SatisfactionRating.objects.values_list("satisfied", flat=True)) == [False, True]


def _answered_feedback(world) -> Feedback:
    r = send(world.client("citizen"), f"{ENGAGEMENT}/feedback", {
        "classification": "conduct", "title": "Thái độ cán bộ", "agency_code": world.agency.code,
        "content": "Cán bộ hướng dẫn tận tình, đề nghị khen thưởng."})
    assert r.status_code == 201, r.content
    return Feedback.objects.get(code=r.json()["code"])


@pytest.mark.parametrize("raw", ["yes", "1", 1, "on"], ids=repr)
def test_feedback_satisfaction_and_publishing_only_as_true_or_false(world, raw):
    item = _answered_feedback(world)
    head = officer("department_head", world.agency, username="truongphong")
    head_client = Client(headers={"Authorization": f"Bearer {issue_token(head, 'thử')[1]}"})
    r = send(head_client, f"{ENGAGEMENT}/feedback/{item.pk}/answer", {"answer": "Đã khen thưởng.", "publish": raw})
    assert_refused(r, "publish")
    item.refresh_from_db()
    assert item.status == FeedbackStatus.RECEIVED and item.published_at is None

    answer_feedback(head, item, "Cảm ơn ông/bà đã phản ánh.")
    path = f"{ENGAGEMENT}/feedback/{item.pk}/satisfaction"
    assert_refused(send(world.client("citizen"), path, {"satisfied": raw}), "satisfied")
    item.refresh_from_db()
    assert item.submitter_satisfied is None
    assert send(world.client("citizen"), path, {"satisfied": True}).status_code == 200


@pytest.mark.parametrize("action, body, field", [
    ("receive", {"digitized": "1"}, "digitized"),
    ("receive", {"digitized": 0}, "digitized"),
])
def test_a_flag_of_an_action_only_pydantic_reads_is_refused_and_nothing_happens(world, action, body, field):
    code = submitted_code(world)
    assert_refused(post(world, "counter", f"/{code}/{action}", body), field)
    assert Dossier.objects.get(code=code).status == Status.SUBMITTED
    assert post(world, "counter", f"/{code}/{action}", {"digitized": False}).status_code == 200


def test_a_counter_receipt_with_a_lax_flag_creates_no_dossier(world):
    body = {"procedure_code": world.procedure.code, "agency_code": world.agency.code, "digitized": "yes",
            "applicant": {"name": "Phạm Văn Quầy", "id_number": "051080000789"}}
    assert_refused(post(world, "counter", "/counter", body), "digitized")
    assert not Dossier.objects.exists()


def _boolean_inputs(spec):
    """(method, path, where, name) of every boolean the OpenAPI document takes: JSON body, form, query."""
    components = spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            for p in op.get("parameters", []):
                if p["schema"].get("type") == "boolean":
                    yield method, path, p["in"], p["name"]
            for media, content in op.get("requestBody", {}).get("content", {}).items():
                for schema in content["schema"].get("anyOf", [content["schema"]]):  # a body that may be left out
                    schema = components[schema["$ref"].rsplit("/", 1)[-1]] if "$ref" in schema else schema
                    for name, prop in schema.get("properties", {}).items():
                        if prop.get("type") == "boolean":
                            yield method, path, media, name


def test_every_boolean_the_api_takes_refuses_what_only_pydantic_reads(world):
    """Each boolean the OpenAPI document publishes (JSON body, form, query), sent as one of pydantic's lax values, is
    the 422 with «Phải là true hoặc false.» under it (api.values.Boolean / TextBoolean): an input added with a plain
    ``bool`` fails here. The answer comes before the operation runs: the other fields are left out."""
    client = world.client("counter")
    spec = client.get("/api/v1/openapi.json").json()
    inputs = sorted(set(_boolean_inputs(spec)))
    assert {(path.rsplit("/", 1)[-1], name) for _, path, _, name in inputs} >= {
        ("counter", "digitized"), ("receive", "digitized"), ("sign-result", "electronic"), ("sign-result", "digitized"),
        ("rating", "satisfied"), ("answer", "publish"), ("satisfaction", "satisfied"), ("import", "dry_run"),
        ("import", "replace")}
    for method, template, where, name in inputs:
        path = re.sub(r"\{\w+\}", lambda m: "H55-X" if m[0] == "{code}" else "1", template)
        for raw in ("yes", "1", "on", "True"):
            if where == "application/json":
                r = client.generic(method.upper(), path, f'{{"{name}": "{raw}"}}', content_type="application/json")
                assert_refused_among(r, name, (method, path, raw))
                r = client.generic(method.upper(), path, f'{{"{name}": {1 if raw == "1" else 1.0}}}',
                                   content_type="application/json")
            elif where == "query":
                r = getattr(client, method)(f"{path}?{name}={raw}")
            else:
                r = getattr(client, method)(path, {name: raw})
            assert_refused_among(r, name, (method, path, raw))


def assert_refused_among(response, field, what):
    assert response.status_code == 422, (what, response.content[:300])
    assert response.json()["details"]["fields"].get(field) == MESSAGE, (what, response.content[:300])
