"""Paged dossier lists order by a unique key last: dossiers created in the same instant are neither repeated nor skipped
from one page to the next (the back-office search, the citizen's own dossiers): among them the last registered comes
first, as on the API's list (``-created_at, -id``)."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from motcua.dossiers.models import Channel, Dossier, Status

pytestmark = pytest.mark.django_db

N = 95  # 4 pages of 30 in the back office, 5 of 20 on the portal


def _same_instant(world, n=N, **extra):
    """n dossiers of the agency, all created at the same instant (a bulk import, a migration)."""
    Dossier.objects.bulk_create([Dossier(
        code=f"H56-{i:05d}", procedure=world["proc"], agency=world["agency"], current_agency=world["agency"],
        status=Status.RECEIVED, channel=Channel.COUNTER, rule_version="61/2018",
        applicant_name=f"Nguyễn Văn {i}", **extra) for i in range(n)])
    Dossier.objects.update(created_at=timezone.now())
    return set(Dossier.objects.values_list("code", flat=True))


def _walk(client, url, per_page):
    seen = []
    for page in range(1, N // per_page + 2):
        seen += re.findall(r"H56-\d{5}", client.get(url, {"trang": page}).content.decode())
    return seen


def test_back_office_search_pages_show_each_dossier_once(client, world):
    codes = _same_instant(world)
    client.force_login(world["counter"])
    seen = _walk(client, reverse("backoffice:dossiers"), 30)
    assert seen == sorted(codes, reverse=True)  # each once, the codes given in order of registration


def test_my_dossiers_pages_show_each_dossier_once(client, world):
    codes = _same_instant(world, applicant=world["citizen"])
    client.force_login(world["citizen"])
    seen = _walk(client, reverse("portal:my_dossiers"), 20)
    assert seen == sorted(codes, reverse=True)  # each once, the codes given in order of registration


def test_a_dossier_recorded_afterwards_takes_its_place_by_its_own_time_not_by_when_it_was_written(client, world):
    """A dossier the lifecycle creates at a moment in the past (``at=``: the demo's history, a dossier entered after
    the fact) is listed where that moment puts it, newest first, on the citizen's page and in the back office."""
    import datetime as dt

    from motcua.dossiers import lifecycle

    now = timezone.now()
    online = {}
    for days in (3, 10):  # written newest first: by the order of writing the older would come first
        online[days] = lifecycle.submit_online(
            applicant=world["citizen"], procedure=world["proc"], agency=world["agency"],
            applicant_data={"name": "Trần Thị Mai", "id_number": "051190001234"},
            form_data={"child_name": "Bé An", "birth_date": "2026-01-02"}, at=now - dt.timedelta(days=days))
    at_counter = lifecycle.receive_at_counter(
        officer=world["counter"], procedure=world["proc"], agency=world["agency"],
        applicant_data={"name": "Lê Văn Nam"}, form_data={"child_name": "Bé Bình", "birth_date": "2026-01-03"},
        at=now - dt.timedelta(days=5))
    assert online[10].created_at == now - dt.timedelta(days=10)

    client.force_login(world["citizen"])
    page = client.get(reverse("portal:my_dossiers")).content.decode()
    assert page.index(online[3].code) < page.index(online[10].code)
    client.force_login(world["counter"])
    page = client.get(reverse("backoffice:dossiers")).content.decode()
    assert page.index(online[3].code) < page.index(at_counter.code) < page.index(online[10].code)


def test_back_office_list_pages_without_counting_the_list(client, world):
    """The list shows ‹ › links and no total, so it does not count the dossiers an officer may see (for a
    province-wide officer, every dossier of the province): one row read past the page tells of a next page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _same_instant(world, n=60)  # exactly two pages
    client.force_login(world["counter"])
    url = reverse("backoffice:dossiers")
    with CaptureQueriesContext(connection) as queries:
        first = client.get(url).content.decode()
    assert not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and "dossiers_dossier" in q["sql"]]
    assert "Trang sau" in first and "Trang trước" not in first and len(re.findall(r"H56-\d{5}", first)) == 30
    second = client.get(url, {"trang": 2}).content.decode()
    assert "Trang trước" in second and "Trang sau" not in second and len(re.findall(r"H56-\d{5}", second)) == 30
    past = client.get(url, {"trang": 7}).content.decode()  # past the end: empty, with the way back
    assert "Không có hồ sơ." in past and "trang=6" in past
    assert client.get(url, {"trang": "abc"}).content.decode().count("H56-") == 30  # not a number: the first page
    huge = client.get(url, {"trang": "9" * 20})  # past any OFFSET the database takes: the deepest page, empty
    assert huge.status_code == 200 and "Không có hồ sơ." in huge.content.decode()
