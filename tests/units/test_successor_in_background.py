"""A department with more open dossiers than the admin's save moves itself (dossiers.handover.INLINE_AT_MOST, made
small here) hands them to its successor in the background: the save records the successor and moves everything
else at once, the task worker moves the dossiers batch by batch, each exactly once with one message to its
applicant, and a run stopped midway is finished later without moving any dossier twice."""

import lxml.html
import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.urls import reverse
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from motcua.accounts.models import Role, RoleAssignment
from motcua.dossiers import handover, lifecycle
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.integrations.adapters.notify import SmsAdapter
from motcua.integrations.messages import sms_text
from motcua.outbox.models import OutboxEvent
from tests.admin_forms import admin_form, errors_of
from tests.dossiers.factories import APPLICANT
from tests.factories import officer, procedure_with_steps, sign_in
from tests.units.test_successor_takes_work import _departments

pytestmark = pytest.mark.django_db

OPEN = 7


@pytest.fixture
def admin(django_user_model):
    user = django_user_model.objects.create_superuser("quantri", "qt@example.vn", "matkhau-123")
    RoleAssignment.objects.create(user=user, role=Role.PROVINCIAL_ADMIN, agency=None)
    return user


@pytest.fixture(autouse=True)
def small(monkeypatch):
    monkeypatch.setattr(handover, "INLINE_AT_MOST", 3)
    monkeypatch.setattr(handover, "BATCH", 2)
    # the worker drops a connection left in a transaction (the test's own, on PostgreSQL) between two tasks
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


def _world():
    from motcua.units.models import Agency
    old, new, _other = _departments()
    proc = procedure_with_steps(agency_kind=Agency.PROVINCIAL_DEPARTMENT, level="province")
    proc.agencies.add(old)
    counter = officer(Role.COUNTER_OFFICER, old, username="motcua.so2")
    dossiers = [lifecycle.receive_at_counter(officer=counter, procedure=proc, agency=old, applicant_data=APPLICANT,
                                             form_data={}) for _ in range(OPEN)]
    return old, new, counter, dossiers


def _record(client, admin, old, new, capture):
    sign_in(client, admin)
    url = f"/admin/units/agency/{old.pk}/change/"
    with capture(execute=True):  # the admin's transaction commits: its task is queued
        answer = client.post(url, admin_form(client, url, successor=str(new.pk), is_active=""), follow=True)
    assert answer.status_code == 200 and not errors_of(answer)
    return answer


def _progress(client, old) -> str:
    page = lxml.html.fromstring(client.get(f"/admin/units/agency/{old.pk}/change/").content.decode())
    return " ".join(p.text_content() for p in page.xpath("//div[contains(@class, 'field-handover_progress')]//p"))


def _worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def _moved_once(dossiers, new):
    for d in dossiers:
        d.refresh_from_db()
        assert d.agency == new, d.code
        assert DossierEvent.objects.filter(dossier=d, action="transfer_agency").count() == 1, d.code
        told = OutboxEvent.objects.filter(topic="dossier.transfer_agency", payload__code=d.code)
        assert told.count() == 1, d.code  # one SMS to the applicant
        assert SmsAdapter({}).accepts(told[0]) and new.name in sms_text(told[0].payload)


def test_more_open_dossiers_than_the_admin_moves_go_to_the_successor_in_the_background(
        client, admin, django_capture_on_commit_callbacks):
    old, new, counter, dossiers = _world()

    answer = _record(client, admin, old, new, django_capture_on_commit_callbacks)

    said = [str(m) for m in get_messages(answer.wsgi_request)]
    assert any(s.startswith(f"Hồ sơ: {OPEN} hồ sơ chưa kết thúc của {old.name} đang được chuyển dần sang {new.name} "
                            "trong nền") for s in said), said
    old.refresh_from_db()
    assert (old.successor, old.is_active) == (new, False)
    assert RoleAssignment.objects.get(user=counter).agency == new  # the rest moved in the save
    assert Dossier.objects.filter(agency=old).count() == OPEN  # the dossiers wait for the worker
    assert not OutboxEvent.objects.filter(topic="dossier.transfer_agency").exists()
    assert f"đã chuyển 0 hồ sơ chưa kết thúc sang {new.name}, còn {OPEN} hồ sơ đang chờ chuyển" in _progress(client,
                                                                                                          old)
    # the successor's officers see them coming (none is in their lists yet)
    sign_in(client, type(counter).objects.get(pk=counter.pk))
    page = client.get(reverse("backoffice:queue")).content.decode()
    assert f"Đang chuyển {OPEN} hồ sơ chưa kết thúc của {old.name} (ngừng hoạt động) sang {new.name}" in page

    _worker()

    assert DBTaskResult.objects.get(task_path=handover.move_to_successor.module_path).status == \
        TaskResultStatus.SUCCESSFUL
    _moved_once(dossiers, new)
    sign_in(client, admin)
    assert f"đã chuyển xong {OPEN} hồ sơ chưa kết thúc sang {new.name}" in _progress(client, old)
    sign_in(client, type(counter).objects.get(pk=counter.pk))
    assert "Đang chuyển" not in client.get(reverse("backoffice:queue")).content.decode()


def test_a_move_stopped_midway_is_finished_later_without_moving_a_dossier_twice(
        client, admin, django_capture_on_commit_callbacks, monkeypatch):
    old, new, _counter, dossiers = _world()
    _record(client, admin, old, new, django_capture_on_commit_callbacks)
    real, calls = handover.move_dossier, []

    def killed_in_the_second_batch(*args, **kwargs):
        calls.append(1)
        if len(calls) == 4:  # the second batch's second dossier: the worker dies before that batch commits
            raise RuntimeError("worker killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(handover, "move_dossier", killed_in_the_second_batch)
    _worker()

    assert DBTaskResult.objects.get().status == TaskResultStatus.FAILED
    assert Dossier.objects.filter(agency=new).count() == 2  # the first batch only: the second was undone whole
    assert DossierEvent.objects.filter(action="transfer_agency").count() == 2
    assert f"đã chuyển 2 hồ sơ chưa kết thúc sang {new.name}, còn {OPEN - 2} hồ sơ đang chờ chuyển" in _progress(
        client, old)

    monkeypatch.setattr(handover, "move_dossier", real)
    call_command("move_to_successors", verbosity=0)
    call_command("move_to_successors", verbosity=0)  # run again: nothing left, nothing moved twice
    handover.run(handover.unfinished().model.objects.get().pk)  # and the task delivered once more

    _moved_once(dossiers, new)
    assert f"đã chuyển xong {OPEN} hồ sơ chưa kết thúc sang {new.name}" in _progress(client, old)
