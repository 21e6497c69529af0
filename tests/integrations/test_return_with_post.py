"""A result the post office has taken goes on by post: the counter cannot record it handed over another way (at the
counter, online), over the API or on the dossier page; while only the pickup is known, the post office is asked first
(the simulator over HTTP on loopback), and when it cannot be reached the return goes on as before."""

import pytest
from django.test import Client
from django.urls import reverse

from motcua.api.auth import issue_token
from motcua.demo.simulators import Chaos
from motcua.dossiers import lifecycle
from motcua.dossiers.models import Status
from motcua.integrations import dispatcher
from motcua.integrations.models import PostalShipment
from tests.factories import citizen, officer, sign_in

pytestmark = pytest.mark.django_db

WITH_POST = "đã giao cho bưu điện"
INSTEAD = "Ghi nhận trả kết quả qua bưu chính công ích"
COLLECTED = "«Ghi nhận người nộp đã nhận lại tại Bộ phận Một cửa» trên trang hồ sơ"


@pytest.fixture
def post_office(sims, configure):
    running = sims(("postal",), chaos=Chaos())
    configure(running)
    return running["postal"]


@pytest.fixture
def staff(make_dossier):
    agency = make_dossier().agency
    return {role: officer(role, agency) for role in ("counter_officer", "specialist", "leader")}


def _signed_for_post(make_dossier, staff, address="Thôn An Kỳ, xã Tịnh Khê", **extra):
    """A dossier whose applicant asked for the result by post, signed: the post office is asked to pick it up."""
    electronic = extra.pop("electronic", False)
    d = make_dossier(return_method="post", applicant_address=address, **extra)
    d = lifecycle.start_processing(d, officer=staff["counter_officer"])
    d = lifecycle.complete_step(d, officer=staff["specialist"])
    d = lifecycle.approve(d, officer=staff["leader"])
    d = lifecycle.sign_result(d, officer=staff["leader"], electronic=electronic, digitized=False)
    for _ in range(3):
        dispatcher.run_batch()
    assert PostalShipment.objects.get(dossier_id=d.pk).status == "pickup_requested"
    return d


def _api_return(staff, d, method):
    token = issue_token(staff["counter_officer"], "test")[1]
    return Client(headers={"Authorization": f"Bearer {token}"}).post(
        f"/api/v1/dossiers/{d.code}/return", {"method": method}, content_type="application/json")


def _not_returned(d):
    d.refresh_from_db()
    return d.status == Status.READY_FOR_RETURN and not d.events.filter(action="return_result").exists()


def test_api_asks_the_post_office_and_refuses_a_counter_return_of_a_result_it_picked_up(post_office, make_dossier,
                                                                                        staff):
    picked = _signed_for_post(make_dossier, staff)
    unreached = _signed_for_post(make_dossier, staff, address="Thôn Trường Thọ, xã Tịnh Khê")
    # Locally the pickup is only asked; the post office says it has the result (its next status).
    r = _api_return(staff, picked, "counter")
    assert r.status_code == 409, r.content
    body = r.json()
    tracking = PostalShipment.objects.get(dossier_id=picked.pk).tracking_number
    assert body["code"] == "result_with_post" and body["details"]["parcel_status"] == "picked_up"
    assert WITH_POST in body["message"] and tracking in body["message"] and INSTEAD in body["message"]
    assert COLLECTED in body["message"]  # what to do when it comes back undelivered
    assert _not_returned(picked) and not post_office.parcels[tracking].get("cancelled")
    r = _api_return(staff, picked, "post")  # what the officer does instead
    assert r.status_code == 200 and r.json()["status"] == "returned"
    # The post office cannot be reached: the return goes on as before, and the pickup is called off once it answers.
    post_office.chaos.down = True
    r = _api_return(staff, unreached, "counter")
    assert r.status_code == 200 and r.json()["status"] == "returned"
    post_office.chaos.down = False
    for _ in range(3):
        dispatcher.run_batch()
    assert PostalShipment.objects.get(dossier_id=unreached.pk).status == "cancelled"


def test_api_refuses_a_return_online_or_at_the_counter_of_a_parcel_known_on_its_way(post_office, make_dossier, staff):
    # An electronic result too, to the portal account the dossier came from: online is refused only for the parcel.
    d = _signed_for_post(make_dossier, staff, applicant=citizen(), electronic=True)
    dispatcher.refresh_postal()
    dispatcher.refresh_postal()
    assert PostalShipment.objects.get(dossier_id=d.pk).status == "in_transit"
    post_office.chaos.down = True  # known here: the post office is not asked again
    for method in ("counter", "online"):
        r = _api_return(staff, d, method)
        assert r.status_code == 409 and r.json()["code"] == "result_with_post", r.content
        assert "Đang vận chuyển" in r.json()["message"]
    assert _not_returned(d)


def test_the_counter_reads_on_the_return_form_that_the_post_office_has_the_result(post_office, make_dossier, staff):
    d = _signed_for_post(make_dossier, staff)
    undelivered = _signed_for_post(make_dossier, staff, address="Thôn Trường Thọ, xã Tịnh Khê")
    PostalShipment.objects.filter(dossier_id=undelivered.pk).update(status="failed")  # came back to the counter
    client = Client()
    sign_in(client, staff["counter_officer"])
    url = reverse("backoffice:action", args=[d.pk, "return_result"])
    resp = client.post(url, {"method": "counter"})
    page = resp.content.decode()
    assert resp.status_code == 409 and WITH_POST in page and COLLECTED in page
    assert WITH_POST in page.split('id="return_result-method_error"', 1)[1].split("</", 1)[0]  # at the choice
    assert _not_returned(d)
    assert client.post(url, {"method": "post"}).status_code == 302
    d.refresh_from_db()
    assert d.status == Status.RETURNED and d.return_method == "post"
    # An undelivered parcel is back at the counter: the applicant collects the result there.
    assert client.post(reverse("backoffice:action", args=[undelivered.pk, "return_result"]),
                       {"method": "counter"}).status_code == 302
    undelivered.refresh_from_db()
    assert undelivered.status == Status.RETURNED and undelivered.return_method == "counter"


def test_a_refused_return_keeps_what_the_post_office_said_and_the_form_then_offers_only_the_post(
        post_office, make_dossier, staff):
    d = _signed_for_post(make_dossier, staff)
    client = Client()
    sign_in(client, staff["counter_officer"])
    page = client.get(reverse("backoffice:dossier", args=[d.pk])).content.decode()
    form = page.split('id="return_result-method"', 1)[1].split("</select>", 1)[0]
    assert 'value="counter"' in form and 'value="post"' in form  # only the pickup is known: every way offered
    resp = client.post(reverse("backoffice:action", args=[d.pk, "return_result"]), {"method": "counter"})
    assert resp.status_code == 409 and _not_returned(d)
    # The form shown with the refusal already offers only the post: choosing the counter again would be refused again.
    form = resp.content.decode().split('id="return_result-method"', 1)[1].split("</select>", 1)[0]
    assert 'value="post"' in form and 'value="counter"' not in form and 'value="online"' not in form
    assert 'selected' in form.split('value="post"', 1)[1].split(">", 1)[0]
    # The post office's answer is kept although the return was refused: the parcel reads where it is.
    shipment = PostalShipment.objects.get(dossier_id=d.pk)
    assert shipment.status == "picked_up" and shipment.status_label == "Bưu điện đã nhận kết quả"
    page = client.get(reverse("backoffice:dossier", args=[d.pk])).content.decode()
    form = page.split('id="return_result-method"', 1)[1].split("</select>", 1)[0]
    assert 'value="post"' in form and 'value="counter"' not in form and 'value="online"' not in form
    assert 'selected' in form.split('value="post"', 1)[1].split(">", 1)[0]
    assert WITH_POST in page.split('id="return_result-method_helptext"', 1)[1].split("</div>", 1)[0]  # why


@pytest.mark.django_db(transaction=True)
def test_the_post_office_is_asked_before_the_dossier_is_locked(post_office, make_dossier, staff, monkeypatch):
    from django.db import transaction

    from motcua.integrations.adapters.postal import PostalAdapter

    d = _signed_for_post(make_dossier, staff)
    asked_in_transaction = []
    refresh = PostalAdapter.refresh

    def watched(self, shipment, **kwargs):
        asked_in_transaction.append(transaction.get_connection().in_atomic_block)
        return refresh(self, shipment, **kwargs)

    monkeypatch.setattr(PostalAdapter, "refresh", watched)
    r = _api_return(staff, d, "counter")
    assert r.status_code == 409 and r.json()["code"] == "result_with_post"
    assert asked_in_transaction == [False]  # asked once, with no transaction (so no row lock) open
    assert PostalShipment.objects.get(dossier_id=d.pk).status == "picked_up"  # and kept after the refusal
    assert _api_return(staff, d, "post").status_code == 200
    assert asked_in_transaction == [False]  # by post: nothing to ask


def _watch_the_post_office(monkeypatch) -> list:
    from motcua.integrations.adapters.postal import PostalAdapter

    asked = []
    refresh = PostalAdapter.refresh

    def watched(self, shipment, **kwargs):
        asked.append(shipment.tracking_number)
        return refresh(self, shipment, **kwargs)

    monkeypatch.setattr(PostalAdapter, "refresh", watched)
    return asked


def test_a_return_asked_by_someone_who_may_not_see_or_return_the_dossier_asks_the_post_office_nothing(
        post_office, make_dossier, staff, monkeypatch):
    from tests.factories import AgencyFactory

    d = _signed_for_post(make_dossier, staff)
    asked = _watch_the_post_office(monkeypatch)
    elsewhere = officer("counter_officer", AgencyFactory())  # another commune's counter: the dossier is not found
    specialist = staff["specialist"]  # sees the dossier, may not record its return
    for who, status in ((elsewhere, 404), (citizen(), 404), (specialist, 403)):
        token = issue_token(who, "test")[1]
        r = Client(headers={"Authorization": f"Bearer {token}"}).post(
            f"/api/v1/dossiers/{d.code}/return", {"method": "counter"}, content_type="application/json")
        assert r.status_code == status, (who, r.content)
    # nothing written, nobody's request passed on to the post office for a dossier the caller may not return
    assert asked == [] and PostalShipment.objects.get(dossier_id=d.pk).status == "pickup_requested"
    assert _not_returned(d)


def test_a_return_over_the_api_the_way_the_applicant_asked_by_post_asks_the_post_office_nothing(
        post_office, make_dossier, staff, monkeypatch):
    d = _signed_for_post(make_dossier, staff)
    asked = _watch_the_post_office(monkeypatch)
    post_office.chaos.down = True  # were it asked, the officer would wait for nothing
    token = issue_token(staff["counter_officer"], "test")[1]
    r = Client(headers={"Authorization": f"Bearer {token}"}).post(
        f"/api/v1/dossiers/{d.code}/return", {}, content_type="application/json")  # no method: the one asked for
    assert r.status_code == 200 and r.json()["status"] == "returned", r.content
    assert asked == []
    d.refresh_from_db()
    assert d.return_method == "post"
