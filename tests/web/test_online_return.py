"""A result returned online is an electronic result the applicant downloads through the portal account the dossier
came from (LEGAL §1.6): a paper-only result, or a walk-in dossier with no account behind it, cannot be returned
online — the officer is told why and what to do instead, the citizen is not left with nothing to download."""

import pytest
from django.urls import reverse

from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier, Status
from tests.web.test_off_day_reception import _walk_in

pytestmark = pytest.mark.django_db

NOT_ELECTRONIC = "chưa có bản điện tử có chữ ký số, nên không trả trực tuyến được"
NO_ACCOUNT = "không tải được kết quả trực tuyến"


def _signed(world, d, *, electronic):
    d = lifecycle.receive(d, officer=world["counter"])
    d = lifecycle.start_processing(d, officer=world["counter"])
    d = lifecycle.complete_step(d, officer=world["specialist"])
    d = lifecycle.approve(d, officer=world["leader"])
    return lifecycle.sign_result(d, officer=world["leader"], electronic=electronic, digitized=False)


def _return(client, d, data):
    return client.post(reverse("backoffice:action", args=[d.pk, "return_result"]), data)


def test_a_paper_result_is_not_returned_online_and_the_officer_reads_why(client, world, submitted):
    d = _signed(world, submitted, electronic=False)
    assert d.return_method == "online"  # what the citizen asked for when submitting
    client.force_login(world["counter"])
    page = client.get(reverse("backoffice:dossier", args=[d.pk])).content.decode()
    assert NOT_ELECTRONIC in page  # said under the choice before the officer tries
    assert 'value="counter" checked' in page or 'value="counter" selected' in page
    resp = _return(client, d, {"method": "online"})
    assert resp.status_code == 422 and NOT_ELECTRONIC in resp.content.decode()
    d.refresh_from_db()
    assert d.status == Status.READY_FOR_RETURN and d.returned_at is None and not d.events.filter(
        action="return_result").exists()
    assert _return(client, d, {"method": "counter"}).status_code == 302
    d.refresh_from_db()
    assert d.status == Status.RETURNED and d.return_method == "counter"


def test_an_electronic_result_is_returned_online_and_the_citizen_downloads_it(client, world, submitted):
    d = _signed(world, submitted, electronic=True)
    client.force_login(world["counter"])
    assert NOT_ELECTRONIC not in client.get(reverse("backoffice:dossier", args=[d.pk])).content.decode()
    assert _return(client, d, {"method": "online"}).status_code == 302
    d.refresh_from_db()
    assert d.status == Status.RETURNED and d.return_method == "online"
    client.force_login(world["citizen"])
    assert client.get(reverse("portal:dossier_result", args=[d.pk])).status_code == 200


def test_the_counter_does_not_offer_online_return_to_a_walk_in_applicant(client, world):
    client.force_login(world["counter"])
    form = client.get(reverse("backoffice:walk_in"), {"thu_tuc": world["proc"].code}).content.decode()
    assert 'value="counter"' in form and 'value="post"' in form and 'value="online"' not in form
    resp = client.post(reverse("backoffice:walk_in"), _walk_in(world, return_method="online"))
    assert resp.status_code == 400 and not Dossier.objects.exists()
    with pytest.raises(Exception) as refused:  # the lifecycle itself refuses it (the API's walk-in goes there)
        lifecycle.receive_at_counter(officer=world["counter"], procedure=world["proc"], agency=world["agency"],
                                     applicant_data={"name": "Nguyễn Văn Hùng"}, form_data={
                                         "child_name": "Nguyễn Bảo", "birth_date": "2026-11-01"},
                                     return_method="online")
    assert refused.value.code == "return_online_needs_account" and NO_ACCOUNT in refused.value.message
    assert not Dossier.objects.exists()


def test_a_walk_in_dossier_is_not_returned_online_even_with_an_electronic_result(client, world):
    client.force_login(world["counter"])
    assert client.post(reverse("backoffice:walk_in"), _walk_in(world)).status_code == 302
    d = Dossier.objects.get()
    d = lifecycle.start_processing(d, officer=world["counter"])
    d = lifecycle.complete_step(d, officer=world["specialist"])
    d = lifecycle.approve(d, officer=world["leader"])
    d = lifecycle.sign_result(d, officer=world["leader"], electronic=True, digitized=False)
    page = client.get(reverse("backoffice:dossier", args=[d.pk])).content.decode()
    assert NO_ACCOUNT in page
    resp = _return(client, d, {"method": "online"})
    assert resp.status_code == 400  # not a choice the form offers
    d.refresh_from_db()
    assert d.status == Status.READY_FOR_RETURN


def test_an_unknown_method_reads_the_same_at_intake_and_at_return(world, submitted):
    d = _signed(world, submitted, electronic=True)
    with pytest.raises(Exception) as at_return:
        lifecycle.return_result(d, officer=world["counter"], method="pigeon")
    with pytest.raises(Exception) as at_intake:
        lifecycle.submit_online(applicant=world["citizen"], procedure=world["proc"], agency=world["agency"],
                                applicant_data={"name": "Trần Thị Mai"}, form_data={}, return_method="pigeon")
    assert (at_return.value.code, at_return.value.message) == (at_intake.value.code, at_intake.value.message) == (
        "return_method_invalid", "Hình thức nhận kết quả không hợp lệ.")
