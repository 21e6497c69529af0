"""Teams a merger moved before each move was kept (``TeamMove``): the team kept only its last former unit. Migration
0008 reads the moves from the ``dx.team_moved`` audit entries, so a team moved by two mergers gets both back; one
moved without an entry keeps the move its fields recorded."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from motcua.audit.services import record
from tests.factories import AgencyFactory

BEFORE = [("transformation", "0006_task_handover_backfill")]


@pytest.mark.django_db(transaction=True)
def test_a_team_moved_twice_before_the_moves_were_kept_gets_each_former_unit_back():
    a, b, c = (AgencyFactory(code=f"H55.9{n}") for n in range(3))
    first, second = dt.date(2025, 7, 1), dt.date(2026, 3, 1)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    Team = executor.loader.project_state(BEFORE).apps.get_model("transformation", "CommunityTeam")
    twice = Team.objects.create(agency_id=c.pk, village="Thôn Phú Lộc", members=7, former_agency_id=b.pk,
                                moved_on=second)
    for source, target, on in ((a, b, first), (b, c, second)):
        record("he-thong", "dx.team_moved", "dx_team", twice.pk,
               {"village": "Thôn Phú Lộc", "members": 7, "from": source.code, "to": target.code,
                "on": on.isoformat(), "reason": "Sắp xếp đơn vị hành chính"})
    unrecorded = Team.objects.create(agency_id=c.pk, members=3, former_agency_id=b.pk, moved_on=second)
    never = Team.objects.create(agency_id=a.pk, members=2)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from motcua.transformation.models import TeamMove

    def moves(team):
        return [(m.from_agency_id, m.to_agency_id, m.on) for m in TeamMove.objects.filter(team_id=team.pk)]

    assert moves(twice) == [(a.pk, b.pk, first), (b.pk, c.pk, second)]
    assert moves(unrecorded) == [(b.pk, c.pk, second)]
    assert moves(never) == []
