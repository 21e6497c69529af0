"""A department's open dossiers moving to its successor in the background (dossiers.handover) while another session
takes the provincial-admin role away from the administrator who recorded the successor (PostgreSQL only): no dossier
moves once that removal has committed; the move pauses at the next batch."""

import threading
import time

import pytest
from django.db import connection, connections

from motcua.accounts.models import Role, RoleAssignment
from motcua.dossiers import handover
from motcua.dossiers.models import Dossier, SuccessorHandover
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
