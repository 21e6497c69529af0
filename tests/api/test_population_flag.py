"""A dossier submitted or received over the API for a person the same account looked up in the National
Population Database counts as using population data (Decision 766 4.5), as on the portal and at the counter;
the look-up itself is in the audit trail."""

import pytest

from motcua.audit.models import AuditEntry
from motcua.demo.simulators import PopulationSimulator
from motcua.dossiers.models import Dossier
from tests.factories import POPULATION_WAYS, population_look_up

from .conftest import submit_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def population_db(settings):
    sim = PopulationSimulator(secret="s").start()
    settings.MOTCUA_INTEGRATIONS = {"population": {"url": sim.url, "secret": "s"}}
    people = dict(sim.people)
    people["051190000123"] = {**people["051190012345"], "id_number": "051190000123", "full_name": "Trần Thị Dân"}
    sim.people = people
    yield sim
    sim.stop()


def _counter(world, id_number, name):
    r = world.client("counter").post("/api/v1/dossiers/counter", {
        "procedure_code": world.procedure.code, "agency_code": world.agency.code,
        "applicant": {"name": name, "id_number": id_number}, "off_day_reason": "Tiếp nhận ngoài giờ (thử nghiệm)"},
        content_type="application/json")
    assert r.status_code == 201, r.content
    return Dossier.objects.get(code=r.json()["code"])


@pytest.mark.parametrize("way", POPULATION_WAYS)
def test_counter_reception_over_the_api_after_a_look_up_is_marked(world, population_db, way):
    counter = world.client("counter")
    looked = population_look_up(counter, "051190012345", way)
    assert looked.status_code == 200 and looked.json()["full_name"] == "Nguyễn Thị Hồng Nhung"
    assert _counter(world, "051190012345", "Nguyễn Thị Hồng Nhung").applicant_population
    assert not _counter(world, "051085004321", "Trần Văn Bình").applicant_population  # not looked up
    read = AuditEntry.objects.get(action="personal_data.read", object_type="person", object_id="051190012345")
    assert read.actor == world.users["counter"] and read.data["purpose"] == "api_prefill"
    # Another officer's look-up does not mark this one's reception.
    population_look_up(world.client("other_counter"), "051085004321", way)
    assert not _counter(world, "051085004321", "Trần Văn Bình").applicant_population


@pytest.mark.parametrize("way", POPULATION_WAYS)
def test_citizen_who_read_their_own_record_submits_a_marked_dossier(world, population_db, way):
    citizen = world.client("citizen")
    first = citizen.post("/api/v1/dossiers", submit_body(world), content_type="application/json")
    assert first.status_code == 201 and not Dossier.objects.get(code=first.json()["code"]).applicant_population
    assert population_look_up(citizen, "051190000123", way).status_code == 200
    second = citizen.post("/api/v1/dossiers", submit_body(world), content_type="application/json")
    assert second.status_code == 201 and Dossier.objects.get(code=second.json()["code"]).applicant_population


@pytest.mark.parametrize("way", POPULATION_WAYS)
def test_only_the_counter_reads_the_register_and_each_account_only_so_much_a_day(world, population_db, settings, way):
    """The national register is read to pre-fill what a person at the counter would otherwise dictate: not by any
    officer of any agency, and not in bulk — each account a day's counter work at most, the excess refused and the
    moment recorded in the audit trail."""
    from django.core.cache import cache

    cache.clear()
    settings.MOTCUA_POPULATION_DAILY_LIMIT = 2
    refused = population_look_up(world.client("specialist"), "051190012345", way)
    assert refused.status_code == 403 and "Bộ phận Một cửa" in refused.json()["message"]
    counter = world.client("counter")
    for number in ("051190012345", "051085004321"):
        assert population_look_up(counter, number, way).status_code == 200
    for _ in range(2):
        over = population_look_up(counter, "051190000123", way)
        assert over.status_code == 429 and over.json()["code"] == "population_limit"
        assert "2 lần trong ngày" in over.json()["message"]
    assert AuditEntry.objects.filter(action="population.limit_reached").count() == 1
    assert not AuditEntry.objects.filter(action="personal_data.read", object_id="051190000123").exists()
    assert population_look_up(world.client("other_counter"), "051190000123", way).status_code == 200
    cache.clear()


def test_the_openapi_document_offers_the_look_up_by_post_and_marks_the_one_by_path_deprecated(db):
    from django.test import Client

    schema = Client().get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    post = paths["/api/v1/integrations/population/lookup"]["post"]
    assert post["summary"] == "Tra cứu CSDL quốc gia về dân cư" and not post.get("deprecated")
    assert {"403", "404", "422", "429", "503"} <= set(post["responses"])
    body = post["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert schema["components"]["schemas"][body]["required"] == ["id_number"]
    old = paths["/api/v1/integrations/population/{id_number}"]["get"]
    assert old["deprecated"] is True and "POST /api/v1/integrations/population/lookup" in old["description"]
