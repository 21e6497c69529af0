"""A community digital-technology team moved by two successive mergers — commune A merges into «Xã Hợp Nhất», which
later merges into «Xã Thống Nhất» — keeps each former commune: its page says it was A's, then Hợp Nhất's, and the
figures of each period count it where it was then (A's before the first merger, Hợp Nhất's between the two)."""

import datetime as dt

import pytest
from django.utils import timezone

from motcua.accounts.models import Role
from motcua.accounts.permissions import forget_roles
from motcua.audit.models import AuditEntry
from motcua.transformation.models import CommunityTeam
from motcua.transformation.services import community
from motcua.units.models import AdministrativeUnit, Agency
from motcua.units.services import load_agencies, load_units
from tests.factories import officer

from .conftest import merge

pytestmark = pytest.mark.django_db


def test_a_team_moved_by_two_mergers_keeps_each_former_commune_and_counts_where_it_was(signed_in, monkeypatch):
    load_units("51")
    load_agencies("51", prefix="H51")
    ua, ub, uc = AdministrativeUnit.objects.filter(level=AdministrativeUnit.COMMUNE).order_by("code")[:3]
    a, c = Agency.objects.get(admin_unit=ua), Agency.objects.get(admin_unit=uc)
    admin = officer(Role.PROVINCIAL_ADMIN, None, username="quantri.tinh")
    leader = officer(Role.LEADER, a, username="lanhdao.a")
    today = timezone.localdate()
    first, second = today - dt.timedelta(days=90), today - dt.timedelta(days=30)
    team = community.add_team(leader, a, members=7, village="Thôn Phú Lộc", founded_on=today - dt.timedelta(days=400))

    b = merge(admin, [ua, ub], "99001", "Xã Hợp Nhất", first)
    merged = merge(admin, [AdministrativeUnit.objects.get(code="99001"), uc], "99002", "Xã Thống Nhất", second)
    team.refresh_from_db()
    assert team.agency == merged
    assert AuditEntry.objects.filter(action="dx.team_moved", object_id=str(team.pk)).count() == 2

    # Each period counts the team where it was then, once.
    def where(day):
        return {pk: n.teams for pk, n in community.counts([a.pk, b.pk, c.pk, merged.pk], day, day).items() if n.teams}

    assert where(first - dt.timedelta(days=1)) == {a.pk: 1}
    assert where(first) == where(second - dt.timedelta(days=1)) == {b.pk: 1}
    assert where(second) == where(today) == {merged.pk: 1}
    # The first merger's commune, on its last day, still read its team (its plan's targets, its annual report).
    assert [(m.from_agency, m.to_agency, m.on) for m in team.moves.all()] == [(a, b, first), (b, merged, second)]
    b.refresh_from_db()
    assert community.last_day(b, today) == second - dt.timedelta(days=1)
    assert community.total([b.pk], first, community.last_day(b, today)).members == 7

    # The page of the commune it belongs to now says where it was before, in order.
    forget_roles(leader)  # A's leader leads «Xã Thống Nhất» now
    html = signed_in(leader).get(f"/can-bo/chuyen-doi-so/to-cong-nghe-so/?don-vi={merged.code}").content.decode()
    assert (f"(trước đây thuộc {a.name}, từ {first:%d/%m/%Y} thuộc {b.name}, chuyển về từ {second:%d/%m/%Y})"
            in html)
    assert CommunityTeam.objects.filter(agency=merged).count() == 1
