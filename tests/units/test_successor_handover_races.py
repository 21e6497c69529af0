"""A department's open dossiers moving to its successor in the background (dossiers.handover) when something else
happens meanwhile: dossiers closed between the worker's listing and its move, one whose move the lifecycle refuses,
the «Lưu» button pressed twice, a successor recorded for the successor while the move into it is still running."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from motcua.audit.models import AuditEntry
from motcua.dossiers import handover
from motcua.dossiers.models import Dossier, Status, SuccessorHandover
from motcua.units import succession
from motcua.units.admin import AgencyAdmin
from motcua.units.models import Agency
from tests.admin_forms import admin_form, errors_of
from tests.factories import AgencyFactory, sign_in
from tests.units import test_successor_in_background as background
from tests.units.test_successor_in_background import OPEN, _progress, _record, _worker, _world

pytestmark = pytest.mark.django_db

admin, small = background.admin, background.small  # its fixtures: a provincial administrator, small batches


def test_a_batch_whose_dossiers_were_all_closed_meanwhile_does_not_stop_the_move(
        client, admin, django_capture_on_commit_callbacks, monkeypatch):
    old, new, _counter, dossiers = _world()
    _record(client, admin, old, new, django_capture_on_commit_callbacks)
    first_batch = set(handover.waiting(old.pk).values_list("pk", flat=True)[:handover.BATCH])
    real = handover.move_dossier

    def withdrawn_just_before(actor, d, plan, to_agency):
        if d.pk in first_batch:  # its applicant withdrew it between the worker's listing and its move
            Dossier.objects.filter(pk=d.pk).update(status=Status.WITHDRAWN)
        return real(actor, d, plan, to_agency)

    monkeypatch.setattr(handover, "move_dossier", withdrawn_just_before)
    _worker()

    left = [d.code for d in dossiers if d.pk not in first_batch and Dossier.objects.get(pk=d.pk).agency_id != new.pk]
    assert left == []
    assert f"đã chuyển xong {OPEN - len(first_batch)} hồ sơ chưa kết thúc sang {new.name}" in _progress(client, old)


def test_the_save_pressed_twice_records_the_successor_once(client, admin, django_capture_on_commit_callbacks,
                                                           monkeypatch):
    old, new, _counter, _dossiers = _world()
    sign_in(client, admin)
    url = f"/admin/units/agency/{old.pk}/change/"
    data = admin_form(client, url, successor=str(new.pk), is_active="")
    stale = Agency.objects.get(pk=old.pk)  # the second request read the agency before the first one committed
    _record(client, admin, old, new, django_capture_on_commit_callbacks)

    monkeypatch.setattr(AgencyAdmin, "get_object", lambda self, request, object_id, from_field=None: stale)
    answer = client.post(url, data, follow=True)

    assert answer.status_code == 200
    assert any("không đổi hoặc bỏ cơ quan kế thừa được nữa" in e for e in errors_of(answer)), errors_of(answer)
    assert SuccessorHandover.objects.filter(agency=old).count() == 1
    assert AuditEntry.objects.filter(action=succession.SUCCESSOR_RECORDED, object_id=str(old.pk)).count() == 1


def test_no_successor_is_recorded_for_a_successor_still_receiving_a_predecessors_dossiers(
        client, admin, django_capture_on_commit_callbacks):
    old, new, _counter, _dossiers = _world()
    _record(client, admin, old, new, django_capture_on_commit_callbacks)
    later = AgencyFactory(code="H55.05", name="Sở Thử Nghiệm 5", kind=Agency.PROVINCIAL_DEPARTMENT,
                          admin_unit=new.admin_unit)

    url = f"/admin/units/agency/{new.pk}/change/"
    answer = client.post(url, admin_form(client, url, successor=str(later.pk), is_active=""), follow=True)

    assert any(e.startswith(f"{new.name} đang nhận {OPEN} hồ sơ chưa kết thúc của {old.name}")
               for e in errors_of(answer)), errors_of(answer)
    new.refresh_from_db()
    assert (new.is_active, new.successor) == (True, None)
    _worker()  # the move into it finishes; then its own successor may be recorded
    assert Dossier.objects.filter(agency=new).count() == OPEN
    answer = client.post(url, admin_form(client, url, successor=str(later.pk), is_active=""), follow=True)
    assert not errors_of(answer)
    call_command("move_to_successors", verbosity=0)
    assert Dossier.objects.filter(agency=later).count() == OPEN


def test_a_dossier_whose_move_is_refused_is_named_to_the_administrator_and_holds_up_no_other(
        client, admin, django_capture_on_commit_callbacks):
    old, new, _counter, dossiers = _world()
    _record(client, admin, old, new, django_capture_on_commit_callbacks)
    first = handover.waiting(old.pk).first()  # due first: every run of the worker takes it first
    # its last event timed in the future (a clock set wrong at the counter): the lifecycle refuses to move it now
    Dossier.objects.filter(pk=first.pk).update(last_event_at=timezone.now() + dt.timedelta(days=1))

    _worker()

    assert Dossier.objects.filter(agency=new).count() == OPEN - 1  # the others moved
    assert Dossier.objects.get(pk=first.pk).agency == old
    said = _progress(client, old)
    assert (f"Không chuyển được 1 hồ sơ: {first.code} (Thời điểm thao tác không được trước thao tác gần nhất của hồ "
            "sơ)") in said, said
    assert "chuyển xong" not in said and "còn 1 hồ sơ đang chờ chuyển" in said
    assert handover.unfinished().filter(agency=old).exists()

    Dossier.objects.filter(pk=first.pk).update(last_event_at=timezone.now())  # set right by hand
    call_command("move_to_successors", verbosity=0)

    assert Dossier.objects.filter(agency=new).count() == OPEN
    said = _progress(client, old)
    assert f"đã chuyển xong {OPEN} hồ sơ chưa kết thúc sang {new.name}" in said and "Không chuyển được" not in said
