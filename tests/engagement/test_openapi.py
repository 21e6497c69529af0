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
