import pytest

from motcua.dossiers import lifecycle
from tests.factories import UserFactory, sign_in

from .factories import at, make_world

pytestmark = pytest.mark.django_db


def test_admin_shows_dossier_with_history_and_no_state_editing(client):
    w = make_world()
    d = lifecycle.receive(w.submit(), officer=w.counter, at=at(2026, 3, 2, 9))
    boss = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, boss)
    listing = client.get("/admin/dossiers/dossier/")
    assert listing.status_code == 200 and d.code in listing.text
    page = client.get(f"/admin/dossiers/dossier/{d.pk}/change/")
    assert page.status_code == 200
    assert "Quá trình xử lý" in page.text or "quá trình xử lý" in page.text
    assert 'name="status"' not in page.text  # state is read-only
    assert client.get("/admin/dossiers/dossier/add/").status_code == 403
    assert client.get("/admin/core/calendarexception/").status_code == 200


def test_saving_the_applicant_details_in_the_admin_does_not_write_back_the_state_it_loaded():
    from types import SimpleNamespace

    from django.contrib.admin.sites import site

    from motcua.dossiers.models import Dossier

    w = make_world()
    d = w.submit(when=at(2026, 3, 2, 8))
    loaded = Dossier.objects.get(pk=d.pk)  # the admin's copy, read before the transition below
    lifecycle.receive(d, officer=w.counter, at=at(2026, 3, 2, 9))
    loaded.applicant_phone = "0905123456"
    site._registry[Dossier].save_model(None, loaded, SimpleNamespace(changed_data=["applicant_phone"]), True)
    fresh = Dossier.objects.get(pk=d.pk)
    assert fresh.applicant_phone == "0905123456"
    assert (fresh.status, fresh.version, fresh.last_event_at) == ("received", 2, at(2026, 3, 2, 9))


def test_the_admin_finds_a_dossier_as_the_back_office_search_does(client):
    """By its name typed without diacritics, part of its code, its ID number or its phone — through the search
    entries, as the back office's search."""
    w = make_world()
    d = w.submit()
    other = w.submit(applicant_data={"name": "Lê Văn Tám", "id_number": "051190000999", "phone": "0905000111"})
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    for term in ("tran thi binh", "TRẦN THỊ", d.code[-6:].lower(), "051190000123", "0912345678"):
        listing = client.get("/admin/dossiers/dossier/", {"q": term}).text
        assert d.code in listing and other.code not in listing, term
