"""A department's open dossiers moving to its successor in the background (dossiers.handover) while another session
changes what the move depends on (PostgreSQL only): the provincial-admin role taken away from the administrator who
recorded the successor (no dossier moves once that removal has committed; the move pauses at the next batch), or the
successor switched off and given a successor of its own (no dossier is left behind at it)."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from motcua.accounts.models import Role, RoleAssignment
from motcua.dossiers import handover
from motcua.dossiers.models import Dossier, SuccessorHandover
from motcua.units import succession
from motcua.units.models import Agency
from tests.factories import AgencyFactory
from tests.units import test_successor_in_background as background
from tests.units.test_successor_in_background import _record, _world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two sessions of a real server"),
]

admin, small = background.admin, background.small  # its fixtures: a provincial administrator, small batches


def test_no_dossier_moves_after_the_recording_administrators_role_was_removed_and_committed(
        client, admin, django_capture_on_commit_callbacks, monkeypatch):
    old, new, _counter, _dossiers = _world()
    _record(client, admin, old, new, django_capture_on_commit_callbacks)
    real, started, removed = handover.move_dossier, [], {}

    def remove_the_role():  # another administrator, in another session
        try:
            RoleAssignment.objects.filter(user=admin, role=Role.PROVINCIAL_ADMIN).delete()
            removed["at"] = time.monotonic()  # committed (autocommit)
        finally:
            connections.close_all()

    remover = threading.Thread(target=remove_the_role)

    def role_removed_during_the_first_batch(actor, d, plan, to_agency):
        started.append((time.monotonic(), d.pk))
        if len(started) == 1:
            remover.start()
            remover.join(timeout=1.0)  # the removal commits now, unless it has to wait for this batch
        return real(actor, d, plan, to_agency)

    monkeypatch.setattr(handover, "move_dossier", role_removed_during_the_first_batch)
    handover.run(SuccessorHandover.objects.get(agency=old).pk)
    remover.join(timeout=30)

    assert "at" in removed
    after = [pk for at, pk in started if at > removed["at"]]
    assert not Dossier.objects.filter(pk__in=after, agency=new).exists(), "moved after the role was removed"
    paused = SuccessorHandover.objects.get(agency=old)
    assert paused.finished_at is None and "không còn vai trò quản trị cấp tỉnh" in paused.blocked
    assert Dossier.objects.filter(agency=new).count() == paused.moved < background.OPEN


def test_a_successor_switched_off_and_given_a_successor_during_a_batch_keeps_none_of_the_dossiers(
        client, admin, django_capture_on_commit_callbacks, monkeypatch):
    old, new, _counter, dossiers = _world()
    _record(client, admin, old, new, django_capture_on_commit_callbacks)
    later = AgencyFactory(code="H55.05", name="Sở Thử Nghiệm 5", kind=Agency.PROVINCIAL_DEPARTMENT,
                          admin_unit=new.admin_unit)
    real, calls, errors = handover.move_dossier, [], []

    def switched_off_and_succeeded():  # an administrator's two saves, in another session
        try:
            Agency.objects.filter(pk=new.pk).update(is_active=False)
            with transaction.atomic():
                Agency.objects.filter(pk=new.pk).update(successor=later)
                succession.follow(admin, Agency.objects.get(pk=new.pk), later)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    other = threading.Thread(target=switched_off_and_succeeded)

    def meanwhile_in_the_first_batch(actor, d, plan, to_agency):
        calls.append(d.pk)
        if len(calls) == 1:
            other.start()
            other.join(timeout=1.0)  # both saves commit now, unless the second waits for this batch
        return real(actor, d, plan, to_agency)

    monkeypatch.setattr(handover, "move_dossier", meanwhile_in_the_first_batch)
    handover.run(SuccessorHandover.objects.get(agency=old).pk)
    other.join(timeout=30)

    assert not errors, errors
    assert not Dossier.objects.filter(agency=new).exists(), "left at the switched-off successor"
    assert Dossier.objects.filter(agency=later).count() == len(dossiers)
