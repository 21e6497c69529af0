"""Pre-filling from the National Population Database; results sent home by post."""

import pytest
from django.test import Client

from motcua.accounts.models import Role
from motcua.demo.simulators import Chaos
from motcua.dossiers.models import Dossier
from motcua.integrations import dispatcher
from motcua.integrations.adapters import build
from motcua.integrations.models import PostalShipment
from tests.factories import POPULATION_WAYS, citizen, officer, population_look_up, sign_in

from .conftest import emit_journey

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("way", POPULATION_WAYS)
def test_officer_prefills_from_population_database(sims, configure, make_dossier, way):
    running = sims(("population",))
    configure(running)
    clerk = officer(Role.COUNTER_OFFICER, make_dossier().agency)
    client = Client()
    sign_in(client, clerk)
    r = population_look_up(client, "051190012345", way)
    assert r.status_code == 200
    assert r.json()["full_name"] == "Nguyễn Thị Hồng Nhung"
    assert r.json()["permanent_address"] == "Tổ dân phố 3, phường Cẩm Thành, tỉnh Quảng Ngãi"
    assert population_look_up(client, "051190099999", way).status_code == 404
    bad = population_look_up(client, "12345", way)
    assert bad.status_code == 422 and bad.json()["code"] == "id_number_invalid"
    running["population"].chaos.down = True
    down = population_look_up(client, "051190012345", way)
    assert down.status_code == 503 and "thử lại" in down.json()["message"]


@pytest.mark.parametrize("way", POPULATION_WAYS)
def test_citizen_may_look_up_only_themselves(sims, configure, way):
    configure(sims(("population",)))
    me = citizen(id_number="051085004321")
    client = Client()
    sign_in(client, me)
    assert population_look_up(client, "051085004321", way).json()["full_name"] == "Trần Văn Bình"
    assert population_look_up(client, "051190012345", way).status_code == 403
    assert population_look_up(Client(), "051085004321", way).status_code == 401


def test_result_by_post_gets_a_pickup_and_tracking(sims, configure, make_dossier):
    running = sims(("postal",), chaos=Chaos())
    configure(running)
    home = make_dossier(return_method="post", applicant_address="Thôn An Kỳ, xã Tịnh Khê")
    counter = make_dossier(return_method="counter")
    emit_journey(home)
    emit_journey(counter)
    for _ in range(3):
        dispatcher.run_batch()
    shipment = PostalShipment.objects.get()
    assert shipment.dossier_code == home.code and shipment.tracking_number.startswith("EB")
    parcel = running["postal"].parcels[shipment.tracking_number]
    assert parcel["recipient"]["address"] == "Thôn An Kỳ, xã Tịnh Khê"
    adapter = build("postal")
    assert [adapter.refresh(shipment) for _ in range(2)] == ["picked_up", "in_transit"]
    assert dispatcher.refresh_postal() == 1  # → delivered
    assert dispatcher.refresh_postal() == 0  # delivered parcels are not asked about again
    shipment.refresh_from_db()
    assert shipment.status == "delivered" and shipment.status_label == "Đã phát thành công"


def test_dead_letter_api_lists_and_resends(sims, configure, make_dossier, settings):
    running = sims(("dvcqg",))
    configure(running)
    settings.MOTCUA_INTEGRATIONS["dvcqg"]["secret"] = "wrong"
    emit_journey(make_dossier())
    dispatcher.run_batch()
    admin = officer(Role.PROVINCIAL_ADMIN, None)
    client = Client()
    sign_in(client, admin)
    dead = client.get("/api/v1/integrations/deliveries?status=dead").json()
    assert len(dead) == 1 and dead[0]["target"] == "dvcqg" and "401" in dead[0]["last_error"]
    settings.MOTCUA_INTEGRATIONS["dvcqg"]["secret"] = running["dvcqg"].secret
    r = client.post(f"/api/v1/integrations/deliveries/{dead[0]['id']}/resend")
    assert r.status_code == 200 and r.json() == {"resent": 1}
    for _ in range(10):
        dispatcher.run_batch()
    assert dispatcher.pending_count() == 0
    assert client.post(f"/api/v1/integrations/deliveries/{dead[0]['id']}/resend").status_code == 404
    clerk = officer(Role.COUNTER_OFFICER, None)
    sign_in(client, clerk)
    assert client.get("/api/v1/integrations/deliveries").status_code == 403


def test_all_simulators_start_and_configure(settings):
    from motcua.demo import simulators
    from motcua.integrations.adapters import active_targets

    sims = simulators.start_all(secret="s")
    try:
        settings.MOTCUA_INTEGRATIONS = simulators.settings_for(sims, secret="s", callback_url="http://x/cb")
        assert {a.target for a in active_targets()} == {"dvcqg", "sms", "email", "postal", "dvcqg_storage"}
        from motcua.integrations import population

        assert population.lookup("051190012345")["full_name"] == "Nguyễn Thị Hồng Nhung"
    finally:
        for sim in sims.values():
            sim.stop()


def test_the_pickup_follows_the_way_the_result_is_returned(sims, configure, make_dossier):
    """Asked at the counter, returned by post: the pickup is asked at the return. Asked by post, collected at the
    counter before the post office came: the pickup is called off (and not asked about again)."""
    running = sims(("postal",), chaos=Chaos())
    configure(running)
    to_post = make_dossier(return_method="counter", applicant_address="Thôn An Kỳ, xã Tịnh Khê")
    to_counter = make_dossier(return_method="post", applicant_address="Thôn Trường Thọ, xã Tịnh Khê")
    signing, returning = [("sign_result", "ready_for_return")], [("return_result", "returned")]
    emit_journey(to_post, signing)
    emit_journey(to_counter, signing)
    for _ in range(3):
        dispatcher.run_batch()
    assert list(PostalShipment.objects.values_list("dossier_id", "status")) == [(to_counter.pk, "pickup_requested")]
    Dossier.objects.filter(pk=to_post.pk).update(return_method="post")  # what return_result records
    Dossier.objects.filter(pk=to_counter.pk).update(return_method="counter")
    emit_journey(to_post, returning)
    emit_journey(to_counter, returning)
    for _ in range(3):
        dispatcher.run_batch()
    asked = PostalShipment.objects.get(dossier_id=to_post.pk)
    assert asked.status == "pickup_requested"
    assert running["postal"].parcels[asked.tracking_number]["recipient"]["address"] == "Thôn An Kỳ, xã Tịnh Khê"
    off = PostalShipment.objects.get(dossier_id=to_counter.pk)
    assert off.status == "cancelled" and running["postal"].parcels[off.tracking_number]["cancelled"]
    assert dispatcher.refresh_postal() == 1  # only the parcel still on its way is asked about
    off.refresh_from_db()
    assert off.status == "cancelled"
