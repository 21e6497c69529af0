"""Where the applicant's data came from reaches the dossier (Decision 766 4.5): a VNeID sign-in, a look-up in
the National Population Database at the counter; and a document reused from the citizen's repository (4.3)."""

import pytest
from django.urls import reverse

from motcua.demo.simulators import PopulationSimulator
from motcua.dossiers.models import Dossier
from motcua.integrations import eid
from motcua.outbox.models import OutboxEvent

from .test_portal import _submit_payload

pytestmark = pytest.mark.django_db


def test_online_dossier_of_a_vneid_session_says_so(client, world):
    client.force_login(world["citizen"])
    assert client.post(reverse("portal:submit", args=[world["proc"].code]), _submit_payload(world)).status_code == 302
    plain = Dossier.objects.get(applicant=world["citizen"])
    assert not plain.applicant_vneid and not plain.applicant_population
    session = client.session
    session[eid.VERIFIED_KEY] = True  # what the e-ID callback writes after a successful sign-in
    session.save()
    payload = _submit_payload(world)
    payload["idem"] = "lan-hai"
    assert client.post(reverse("portal:submit", args=[world["proc"].code]), payload).status_code == 302
    verified = Dossier.objects.filter(applicant=world["citizen"]).exclude(pk=plain.pk).get()
    assert verified.applicant_vneid
    sent = OutboxEvent.objects.get(topic="dossier.submit_online", aggregate_id=str(verified.pk))
    assert sent.payload["applicant_vneid"] is True and sent.payload["applicant_population"] is False
    # filing for someone else (a parent for a grown child, say) from the same e-ID session: the e-ID vouched for the
    # account holder, not for this applicant
    payload = {**_submit_payload(world), "idem": "lan-ba", "applicant_name": "Lê Văn Nam",
               "applicant_id_number": "051090005678"}
    assert client.post(reverse("portal:submit", args=[world["proc"].code]), payload).status_code == 302
    other = Dossier.objects.get(applicant=world["citizen"], applicant_id_number="051090005678")
    assert not other.applicant_vneid


@pytest.fixture
def population(settings):
    sim = PopulationSimulator(secret="s").start()
    settings.MOTCUA_INTEGRATIONS = {"population": {"url": sim.url, "secret": "s"}}
    yield sim
    sim.stop()


def _walk_in(client, world, id_number, idem):
    comps = list(world["proc"].components.all())
    data = {"thu_tuc": world["proc"].code, "applicant_name": "Nguyễn Thị Hồng Nhung", "applicant_id_number": id_number,
            "applicant_phone": "0905111222", "f_child_name": "Nguyễn Bảo", "f_birth_date": "01/11/2026",
            "agency": world["agency"].pk, "channel": "counter", "return_method": "counter", "idem": idem,
            **{f"tp_{c.pk}": "on" for c in comps}}
    assert client.post(reverse("backoffice:walk_in"), data).status_code == 302
    return Dossier.objects.get(applicant_id_number=id_number)


def test_counter_look_up_in_the_population_database_marks_the_dossier(client, world, population):
    client.force_login(world["counter"])
    body = client.post(reverse("backoffice:person_lookup"), {"applicant_id_number": "051190012345"}).content.decode()
    assert "Nguyễn Thị Hồng Nhung" in body and "CSDL quốc gia về dân cư" in body
    assert _walk_in(client, world, "051190012345", "w1").applicant_population
    # a person typed by hand (not looked up) is not marked
    assert not _walk_in(client, world, "051080001111", "w2").applicant_population


def test_population_database_down_falls_back_to_our_records(client, world, population):
    population.chaos.down = True
    client.force_login(world["counter"])
    body = client.post(reverse("backoffice:person_lookup"), {"applicant_id_number": "051190001234"}).content.decode()
    assert "Trần Thị Mai" in body and "CSDL quốc gia" not in body
    assert not _walk_in(client, world, "051190001234", "w3").applicant_population


def test_population_database_down_and_no_account_fills_from_the_latest_dossier(client, world, population):
    """A walk-in applicant without an account: the counter's form is filled from that ID number's latest dossier
    (found through the search entries' index), not from an older one nor from someone else's."""
    population.chaos.down = True
    client.force_login(world["counter"])
    _walk_in(client, world, "051080002222", "w4")
    data = {"thu_tuc": world["proc"].code, "applicant_id_number": "051080002222", "applicant_name": "Hồ Văn Lực Mới",
            "applicant_phone": "0905333444", "f_child_name": "Hồ Bảo", "f_birth_date": "01/11/2026",
            "agency": world["agency"].pk, "channel": "counter", "return_method": "counter", "idem": "w5",
            **{f"tp_{c.pk}": "on" for c in world["proc"].components.all()}}
    assert client.post(reverse("backoffice:walk_in"), data).status_code == 302
    body = client.post(reverse("backoffice:person_lookup"), {"applicant_id_number": "051080002222"}).content.decode()
    assert "Hồ Văn Lực Mới" in body and "0905333444" in body and "Nguyễn Thị Hồng Nhung" not in body
    body = client.post(reverse("backoffice:person_lookup"), {"applicant_id_number": "051080003333"}).content.decode()
    assert "Hồ Văn Lực" not in body
