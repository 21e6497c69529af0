"""A small world for API tests: one commune agency, a two-step procedure, officers of each role, tokens."""

from dataclasses import dataclass

import pytest
from django.test import Client

from motcua.api.auth import issue_token
from tests.factories import AgencyFactory, citizen, officer, procedure_with_steps


@dataclass
class World:
    agency: object
    other_agency: object
    procedure: object
    users: dict
    tokens: dict

    def client(self, who: str | None) -> Client:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return Client(headers=headers)


@pytest.fixture
def world(db):
    agency = AgencyFactory(code="H55.101", name="UBND xã Tịnh Sơn")
    other = AgencyFactory(code="H55.102", name="UBND xã Tịnh Hà")
    proc = procedure_with_steps(code="1.001193", name="Đăng ký khai sinh")
    proc.agencies.add(agency, other)
    users = {
        "citizen": citizen(username="dan", full_name="Trần Thị Dân", id_number="051190000123"),
        "other_citizen": citizen(username="dan2", full_name="Lê Văn Khác", id_number="051090000456"),
        "counter": officer("counter_officer", agency, username="motcua"),
        "specialist": officer("specialist", agency, username="chuyenvien"),
        "leader": officer("leader", agency, username="lanhdao"),
        "other_counter": officer("counter_officer", other, username="motcua2"),
    }
    tokens = {name: issue_token(user, f"test {name}")[1] for name, user in users.items()}
    return World(agency, other, proc, users, tokens)


def submit_body(world, **extra):
    body = {"procedure_code": world.procedure.code, "agency_code": world.agency.code,
            "form_data": {"ho_ten_tre": "Trần Minh An"}}
    body.update(extra)
    return body


def post(world, who, path, body=None):
    """POST /api/v1/dossiers<path> as ``who`` (a key of world.tokens) with a JSON body."""
    return world.client(who).post(f"/api/v1/dossiers{path}", body if body is not None else {},
                                  content_type="application/json")


def submitted_code(world) -> str:
    """The code of a dossier the citizen submits online now."""
    r = post(world, "citizen", "", submit_body(world))
    assert r.status_code == 201, r.content
    return r.json()["code"]


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def written_otherwise(number: int) -> list[str]:
    """Ways of writing ``number`` in an address other than 0–9 (URL-encoded where needed): "0_12", "1_2", " 12", "+12"
    and "12.0", which pydantic's lax int reads as 12, and "１２"."""
    text = str(number)
    split = [f"{text[0]}_{text[1:]}"] if len(text) > 1 else []
    return [f"0_{text}", *split, f"%20{text}", f"%2B{text}", f"{text}.0", text.translate(FULL_WIDTH)]


def assert_not_found(response) -> dict:
    """The API's 404 for an address no route takes: JSON ``not_found`` with a Vietnamese message."""
    assert response.status_code == 404, response.content[:300]
    body = response.json()
    assert body["code"] == "not_found" and not body["message"].isascii()
    return body
