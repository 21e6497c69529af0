"""Bad input never ends in a 500: malformed JSON, wrong types, huge strings, unknown codes."""

import pytest

from motcua.dossiers.models import Dossier

from .conftest import submit_body

pytestmark = pytest.mark.django_db


def raw_post(client, path, data, content_type="application/json"):
    return client.post(f"/api/v1/dossiers{path}", data, content_type=content_type)


def test_malformed_json_is_400_with_code(world):
    r = raw_post(world.client("citizen"), "", '{"procedure_code": "1.0', )
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_json" and "JSON" in r.json()["message"]
    assert Dossier.objects.count() == 0


@pytest.mark.parametrize("body, field", [
    ({"agency_code": "H55.101"}, "procedure_code"),
    ({"procedure_code": 12, "agency_code": "H55.101"}, "procedure_code"),
    ({"procedure_code": "1.001193", "agency_code": "H55.101", "form_data": [1, 2]}, "form_data"),
    ({"procedure_code": "1.001193", "agency_code": "H55.101", "return_method": "bồ câu"}, "return_method"),
    ({"procedure_code": "x" * 100_000, "agency_code": "H55.101"}, "procedure_code"),
    ({"procedure_code": "1.001193", "agency_code": "H55.101", "applicant": {"name": "A" * 5000}}, "applicant.name"),
    ({"procedure_code": "1.001193", "agency_code": "H55.101", "form_data": {"x": "y" * 200_000}}, "form_data"),
])
def test_invalid_input_is_422_with_vietnamese_message_per_field(world, body, field):
    r = raw_post(world.client("citizen"), "", body)
    assert r.status_code == 422, r.content
    data = r.json()
    assert data["code"] == "invalid_input"
    assert field in data["details"]["fields"]
    message = data["details"]["fields"][field]
    assert message and message.isascii() is False  # Vietnamese text, not pydantic's English
    assert Dossier.objects.count() == 0


def test_json_array_body_is_422(world):
    r = raw_post(world.client("citizen"), "", "[1, 2, 3]")
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"


def test_wrong_types_on_actions(world):
    code = raw_post(world.client("citizen"), "", submit_body(world)).json()["code"]
    counter = world.client("counter")
    assert raw_post(counter, f"/{code}/receive", {"digitized": "có lẽ"}).status_code == 422
    r = raw_post(counter, f"/{code}/extend", {"days": "mười", "reason": "x"})
    assert r.status_code == 422 and "days" in r.json()["details"]["fields"]
    r = raw_post(counter, f"/{code}/extend", {"days": 10_000, "reason": "x"})
    assert r.status_code == 422 and "365" in r.json()["details"]["fields"]["days"]
    r = raw_post(counter, f"/{code}/refuse", {"reason": ""})
    assert r.status_code == 422 and "reason" in r.json()["details"]["fields"]
    r = raw_post(counter, f"/{code}/request-supplement", {"items": [], "reason": "thiếu"})
    assert r.status_code == 422 and "items" in r.json()["details"]["fields"]
    r = raw_post(counter, f"/{code}/apology", {"reason": "trễ", "new_due_at": "ngày mai"})
    assert r.status_code == 422 and "new_due_at" in r.json()["details"]["fields"]
    assert Dossier.objects.get(code=code).status == "submitted"


def test_unknown_references_are_422_not_500(world):
    client = world.client("citizen")
    r = raw_post(client, "", submit_body(world, procedure_code="9.999999"))
    assert r.status_code == 422 and r.json()["code"] == "procedure_not_found"
    r = raw_post(client, "", submit_body(world, agency_code="KHONG.CO"))
    assert r.status_code == 422 and r.json()["code"] == "agency_not_found"
    code = raw_post(client, "", submit_body(world)).json()["code"]
    raw_post(world.client("counter"), f"/{code}/receive", {})
    r = raw_post(world.client("counter"), f"/{code}/start-processing", {"assignee": "ma"})
    assert r.status_code == 422 and r.json()["code"] == "assignee_not_found"


def test_domain_validation_from_the_engine_keeps_its_code(world):
    r = raw_post(world.client("citizen"), "", submit_body(world, applicant={"name": "An", "id_number": "123"}))
    assert r.status_code == 422 and r.json()["code"] == "id_number_invalid"


def test_bad_query_parameters(world):
    client = world.client("citizen")
    r = client.get("/api/v1/dossiers?limit=abc")
    assert r.status_code == 422 and "limit" in r.json()["details"]["fields"]
    r = client.get("/api/v1/dossiers?status=khong-co")
    assert r.status_code == 422 and r.json()["code"] == "invalid_status"
    r = client.get("/api/v1/dossiers/" + "x" * 3000)
    assert r.status_code == 404


def test_nul_characters_never_reach_the_database(world):
    client = world.client("citizen")
    r = raw_post(client, "", submit_body(world, applicant={"name": "Trần\u0000Dân"}))
    assert r.status_code == 422 and r.json()["details"]["fields"]["applicant.name"] == "Có ký tự không hợp lệ (NUL)."
    r = raw_post(client, "", submit_body(world, form_data={"ghi_chu": ["a", {"b": "c\u0000"}]}))
    assert r.status_code == 422 and "form_data" in r.json()["details"]["fields"]
    assert client.get("/api/v1/dossiers/H55%00").status_code == 404
    assert client.get("/api/v1/catalog/procedures?q=khai%00sinh").status_code == 200
    assert client.get("/api/v1/catalog/procedures/1.0%00").status_code == 404
    assert Dossier.objects.count() == 0


def test_out_of_range_numbers_are_4xx(world):
    client = world.client("citizen")
    assert client.delete("/api/v1/accounts/tokens/99999999999999999999999").status_code in (404, 422)
    assert client.get("/api/v1/dossiers?offset=99999999999").status_code == 422


def test_oversized_body_is_413_json(world):
    body = submit_body(world, form_data={"x": "y" * 3_000_000})
    r = raw_post(world.client("citizen"), "", body)
    assert r.status_code == 413 and r.json()["code"] == "payload_too_large"
    assert Dossier.objects.count() == 0


def test_json_carries_vietnamese_as_utf8_not_escapes(client, db):
    r = client.get("/api/v1/dossiers")  # no credentials → Vietnamese message
    assert r.status_code == 401
    assert "charset=utf-8" in r["Content-Type"]
    assert "Chưa xác thực".encode() in r.content and b"\\u" not in r.content


# pydantic reads a number in a string leniently: " 30 ", "3_0" and "+30" as 30, and true as 1. What is sent is what is
# used: a JSON number, or 0–9 with one decimal point in a query or form value (api.values.number); anything else is the
# usual 422 invalid_input, under the field.
@pytest.mark.parametrize("days", ["3_0", " 30 ", "+30", "30,5", True])
def test_a_number_of_days_that_only_pydantic_reads_as_one_is_refused(world, days):
    code = raw_post(world.client("citizen"), "", submit_body(world)).json()["code"]
    counter = world.client("counter")
    raw_post(counter, f"/{code}/receive", {})
    raw_post(counter, f"/{code}/start-processing", {})
    due = Dossier.objects.get(code=code).due_at
    r = raw_post(world.client("leader"), f"/{code}/extend", {"days": days, "reason": "Cần lấy ý kiến"})
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    assert r.json()["details"]["fields"] == {"days": "Phải là một số."}
    assert Dossier.objects.get(code=code).due_at == due and Dossier.objects.get(code=code).extension_count == 0
    r = raw_post(world.client("leader"), f"/{code}/extend", {"days": 30, "reason": "Cần lấy ý kiến"})
    assert r.status_code == 200 and r.json()["extension_count"] == 1
