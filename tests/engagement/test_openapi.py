import pytest

pytestmark = pytest.mark.django_db


def test_engagement_operations_are_documented(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    prefix = "/api/v1/engagement"
    assert {f"{prefix}/criteria", f"{prefix}/dossiers/{{dossier_id}}/rating", f"{prefix}/feedback",
            f"{prefix}/feedback/public", f"{prefix}/feedback/track/{{code}}", f"{prefix}/feedback/{{feedback_id}}/answer",
            f"{prefix}/feedback/{{feedback_id}}/publish", f"{prefix}/feedback/{{feedback_id}}/reject"} <= set(paths)
    assert paths[f"{prefix}/feedback/{{feedback_id}}/answer"]["post"]["security"], "officer operations need sign-in"


def test_the_feedback_answer_and_reject_bodies_are_documented_as_themselves(client):
    """The OpenAPI document names a body by its class: the feedback answer was documented as a reporting round's
    answer ({unit}), its reject as a dossier action's reason, which may not be empty."""
    spec = client.get("/api/v1/openapi.json").json()
    components = spec["components"]["schemas"]

    def body(path):
        ref = spec["paths"][f"/api/v1/engagement/feedback/{{feedback_id}}/{path}"]["post"]["requestBody"]
        return components[ref["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]]

    answer = body("answer")
    # publish=true takes the public copy the manager read (public_answer required then: engagement.feedback)
    assert set(answer["properties"]) == {"answer", "publish", "public_title", "public_content", "public_answer"}
    assert answer["properties"]["publish"]["type"] == "boolean"
    assert answer["required"] == ["answer"]
    reason = body("reject")
    assert set(reason["properties"]) == {"reason"} and "minLength" not in reason["properties"]["reason"]
    rounds = spec["paths"]["/api/v1/transformation/rounds/{round_id}/answer"]["post"]["requestBody"]
    assert "unit" in components[rounds["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]][
        "properties"]
