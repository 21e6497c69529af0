import pytest


@pytest.mark.django_db
def test_health_endpoint_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_api_health(client):
    assert client.get("/api/v1/health").json() == {"status": "ok"}
