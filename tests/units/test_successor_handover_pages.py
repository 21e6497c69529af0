"""What the pages around a department's dossiers moving to its successor in the background (dossiers.handover) cost:
an officer's back-office page reads nothing more while no handover runs, the agency's admin page works out the
administrator's progress text once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motcua.dossiers import handover
from motcua.units import succession
from motcua.web import pages
from tests.factories import sign_in
from tests.units import test_successor_in_background as background
from tests.units.test_successor_in_background import _progress, _record, _world

pytestmark = pytest.mark.django_db

admin, small = background.admin, background.small  # its fixtures: a provincial administrator, small batches


def _statements(client, url) -> int:
    client.get(url)  # the first page of a process fills what it caches
    with CaptureQueriesContext(connection) as done:
        assert client.get(url).status_code == 200
    return len(done)


def test_an_officers_page_reads_nothing_more_while_no_handover_runs(client, monkeypatch):
    _old, _new, counter, _dossiers = _world()  # a counter officer with a role at the department
    sign_in(client, counter)
    url = reverse("backoffice:queue")

    with_notice = _statements(client, url)
    monkeypatch.setattr(pages, "arriving", lambda agency_ids: [])  # the page as before the background handover
    without = _statements(client, url)

    assert with_notice == without


def test_the_notice_appears_as_soon_as_a_handover_is_recorded_and_goes_when_it_finishes(
        client, admin, django_capture_on_commit_callbacks):
    old, new, counter, _dossiers = _world()
    sign_in(client, counter)
    client.get(reverse("backoffice:queue"))  # the flag cached: no handover runs

    _record(client, admin, old, new, django_capture_on_commit_callbacks)

    sign_in(client, type(counter).objects.get(pk=counter.pk))
    assert f"Đang chuyển {background.OPEN} hồ sơ" in client.get(reverse("backoffice:queue")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        handover.run(handover.unfinished().get().pk)
    assert "Đang chuyển" not in client.get(reverse("backoffice:queue")).content.decode()
    assert not handover.any_unfinished()


def test_the_agency_admin_page_works_out_the_progress_once(client, admin, django_capture_on_commit_callbacks,
                                                           monkeypatch):
    old, new, _counter, _dossiers = _world()
    _record(client, admin, old, new, django_capture_on_commit_callbacks)
    real, calls = succession.progress, []

    def counted(agency):
        calls.append(agency.pk)
        return real(agency)

    monkeypatch.setattr(succession, "progress", counted)
    assert f"còn {background.OPEN} hồ sơ đang chờ chuyển" in _progress(client, old)
    assert calls == [old.pk]
