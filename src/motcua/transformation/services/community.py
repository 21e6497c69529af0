"""Community digital-technology teams and training / communication activities, and their counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import BigIntegerField, Count, Exists, F, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from motcua.core.digits import typed_whole
from motcua.core.errors import ValidationFailed
from motcua.units import lifetime

from .. import permissions
from ..models import Activity, CommunityTeam, TeamMove
from .common import stored_user


def _count(value, label: str) -> int:
    n = typed_whole(value)
    if n is None or n < 0 or n > 10_000_000:
        raise ValidationFailed("count_invalid", f"{label} phải là số nguyên không âm.")
    return n


def _not_after_today(day: dt.date | None, label: str) -> None:
    """What a team or an activity records has happened: a date after today is a typing slip (2062 for 2026)."""
    if day is not None and day > timezone.localdate():
        raise ValidationFailed("date_in_future", f"{label} không được sau hôm nay ({timezone.localdate():%d/%m/%Y}).")


def add_team(user, agency, *, members, village: str = "", decision: str = "", founded_on: dt.date | None = None
             ) -> CommunityTeam:
    permissions.require_edit(user, agency)
    members = _count(members, "Số thành viên")
    if members == 0:
        raise ValidationFailed("count_invalid", "Tổ phải có ít nhất một thành viên.")
    _not_after_today(founded_on, "Ngày thành lập")
    return CommunityTeam.objects.create(agency=agency, village=(village or "").strip()[:255], members=members,
                                        decision=(decision or "").strip()[:500], founded_on=founded_on,
                                        created_by=stored_user(user))


def add_activity(user, agency, *, date: dt.date, title: str, participants, kind: str = Activity.TRAINING,
                 audience: str = "", task=None) -> Activity:
    permissions.require_edit(user, agency)
    title = (title or "").strip()
    if not title:
        raise ValidationFailed("title_required", "Cần nhập nội dung hoạt động.")
    if kind not in dict(Activity.KINDS):
        raise ValidationFailed("kind_invalid", "Loại hoạt động không hợp lệ.")
    if not isinstance(date, dt.date):
        raise ValidationFailed("date_invalid", "Ngày không hợp lệ (dd/mm/yyyy).")
    _not_after_today(date, "Ngày hoạt động")
    # the plan's unit, or a unit a merger handed the task (or a part of its lead) over to (services/merger.py)
    if task is not None and agency.pk not in {task.plan.agency_id, task.handed_over_to_id,
                                              *task.handovers.values_list("to_agency_id", flat=True)}:
        raise ValidationFailed("task_other_unit", "Nhiệm vụ không thuộc kế hoạch của đơn vị này.")
    return Activity.objects.create(agency=agency, kind=kind, date=date, title=title[:500],
                                   audience=(audience or "").strip()[:255],
                                   participants=_count(participants, "Số người tham gia"), task=task,
                                   created_by=stored_user(user))


@dataclass
class CommunityCounts:
    teams: int = 0
    members: int = 0
    trained: int = 0
    trainings: int = 0
    communications: int = 0


def counts(agency_ids, start: dt.date, end: dt.date) -> dict[int, CommunityCounts]:
    """Per agency: teams active at `end` and their members (a team a merger moved counts for the unit it moved from
    before the day it moved — for each merger that moved it —, services/merger.py); people trained and activities in
    [start, end]."""
    out: dict[int, CommunityCounts] = {}
    active = Q(founded_on__isnull=True) | Q(founded_on__lte=end)
    active &= Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=end)
    # Where the team was at `end`: the unit the first move after `end` took it from, else where it is now.
    moved_later = TeamMove.objects.filter(team=OuterRef("pk"), on__gt=end).order_by("on", "pk")
    owner = Coalesce(Subquery(moved_later.values("from_agency_id")[:1]), F("agency_id"), output_field=BigIntegerField())
    was_theirs = Exists(TeamMove.objects.filter(team=OuterRef("pk"), from_agency_id__in=agency_ids))
    mine = Q(agency_id__in=agency_ids) | Q(was_theirs)
    teams = (CommunityTeam.objects.filter(active, mine).annotate(owner=owner).filter(owner__in=agency_ids)
             .values("owner").annotate(n=Count("id"), m=Sum("members")))
    for row in teams:
        c = out.setdefault(row["owner"], CommunityCounts())
        c.teams, c.members = row["n"], row["m"] or 0
    acts = (Activity.objects.filter(agency_id__in=agency_ids, date__gte=start, date__lte=end)
            .values("agency_id", "kind").annotate(n=Count("id"), p=Sum("participants")))
    for row in acts:
        c = out.setdefault(row["agency_id"], CommunityCounts())
        if row["kind"] == Activity.TRAINING:
            c.trained += row["p"] or 0
            c.trainings += row["n"]
        else:
            c.communications += row["n"]
    return out


def teams_of(agency):
    """The unit's teams, each with ``history``: where it was before mergers moved it here, in order, as the page
    prints it («trước đây thuộc A, từ dd/mm/yyyy thuộc B, chuyển về từ dd/mm/yyyy»; "" for a team never moved)."""
    moves = Prefetch("moves", queryset=TeamMove.objects.select_related("from_agency").order_by("on", "pk"))
    teams = list(CommunityTeam.objects.filter(agency=agency).prefetch_related(moves))
    for team in teams:
        steps, since = [], None
        for move in team.moves.all():
            steps.append(f"từ {since:%d/%m/%Y} thuộc {move.from_agency.name}" if since else move.from_agency.name)
            since = move.on
        team.history = f"trước đây thuộc {', '.join(steps)}, chuyển về từ {since:%d/%m/%Y}" if steps else ""
    return teams


def last_day(agency, end: dt.date) -> dt.date:
    """`end`, or the last day of a unit closed before it (motcua.units.lifetime): what the unit had when it ended
    (a merger moved its teams to the new unit the next day)."""
    last = lifetime.of_agency(agency).last
    return min(end, last) if last is not None else end


def total(agency_ids, start: dt.date, end: dt.date) -> CommunityCounts:
    t = CommunityCounts()
    for c in counts(agency_ids, start, end).values():
        t.teams += c.teams
        t.members += c.members
        t.trained += c.trained
        t.trainings += c.trainings
        t.communications += c.communications
    return t
