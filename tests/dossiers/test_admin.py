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
