"""Digital-transformation work follows a reorganization of administrative units (motcua.units.reorganization).

- Open reporting rounds: an old unit that has not answered is no longer expected (its row stays, marked merged
  into the new unit: not missing, not reminded); an answer it already sent stays as sent, shown under the new
  unit's name «(trước đây: …)»; the new unit is asked, and its admins and leaders told. Closed rounds do not
  change.
- Tasks not done that an old unit leads (or owns, naming no lead unit) are handed over to the new unit, whose
  officers (the old units' officers, their roles moved) keep their results, progress and evidence; they count
  for the new unit in the roll-ups from then on (services/merger.py, services/rollup.py).
- Plans stay with the unit that wrote them (one per unit, year and kind; their money and approval are that
  unit's history): the new unit reads them, it does not change them (permissions.py), and writes its own. The
  handover does not rewrite a plan (an approved one stays as approved): it is recorded beside the task.
- Community digital-technology teams still active move to the new unit from the effective date; before it they
  count for their old unit. Trainings stay where and when they happened; the new unit reads them.

An agency whose successor an administrator records in the admin (a department merged into another, no plan:
units.succession) hands its unfinished tasks over the same way, from that day (``SuccessorTakesTasks``), its open
rounds follow it as a merger's do (``SuccessorReportsInRounds``) and its community teams still active move to the
successor (``SuccessorTakesTeams``: the back office lets any unit keep teams, a department's too). Each says why:
the agency stopped working and the successor took it over, not a reorganization of administrative units.
"""

from __future__ import annotations

from motcua.units.reorganization import Step, Targets, agency_label, steps
from motcua.units.succession import Follower, followers

from .models import Plan, RoundResponse
from .services.merger import hand_over_task, merger_reason, move_team, succession_reason, tasks_of_units, teams_of_units
from .services.rounds import follow_merger, open_rounds_with


def _reason(t: Targets) -> str:
    return merger_reason(t.plan.resolution_number)


def _answers(t: Targets, rnd) -> dict[int, str]:
    """{agency id: status} of the old units and the new one in `rnd`."""
    ids = t.old_agency_ids | ({t.new_agency.pk} if t.started else set())
    return dict(RoundResponse.objects.filter(round=rnd, agency_id__in=ids).values_list("agency_id", "status"))


def _round_changes(t: Targets, rnd) -> tuple[bool, bool]:
    """(an old unit's pending answer to mark merged, the new unit to ask) in `rnd`."""
    answers = _answers(t, rnd)
    waiting = any(answers.get(pk) == RoundResponse.PENDING for pk in t.old_agency_ids)
    return waiting, not t.started or t.new_agency.pk not in answers


@steps.register("transformation.rounds")
class OpenRounds(Step):
    order = 50
    title = "Kỳ báo cáo chuyển đổi số đang mở"
    outcome_labels = {"followed": "kỳ báo cáo đang mở: đơn vị mới báo cáo thay các đơn vị cũ chưa báo cáo"}

    def preview(self, t: Targets):
        rows, n = [], 0
        for rnd in open_rounds_with(t.old_agency_ids):
            answers = _answers(t, rnd)
            waiting, ask = _round_changes(t, rnd)
            n += waiting or ask
            for a in t.old_agencies:
                if a.pk in answers:
                    status = answers[a.pk]
                    verdict = {RoundResponse.PENDING: "không còn phải báo cáo (sáp nhập)",
                               RoundResponse.SUBMITTED: "giữ báo cáo đã gửi"}.get(status, "đã sáp nhập")
                    rows.append([rnd.title, f"{rnd.deadline:%d/%m/%Y}", agency_label(a), verdict])
            rows.append([rnd.title, f"{rnd.deadline:%d/%m/%Y}", agency_label(t.new_agency),
                         "phải báo cáo (được thông báo)" if ask else "đã thuộc kỳ báo cáo"])
        return self.section(headers=["Kỳ báo cáo", "Hạn", "Đơn vị", "Sau sắp xếp"], rows=rows,
                            counts={"followed": n})

    def pending(self, t: Targets):
        return [(rnd.pk, rnd) for rnd in open_rounds_with(t.old_agency_ids) if any(_round_changes(t, rnd))]

    def apply(self, t: Targets, key, rnd, actor):
        detail = follow_merger(actor, rnd, t.old_agency_ids, t.new_agency, _reason(t))
        return ("followed", detail) if detail else None


class _Moves(Step):
    """Items of the old units (``items``) that ``move(actor, item, old ids, new agency, reason, effective date)``
    gives to the new unit, each with the outcome "moved"."""

    outcome_labels = {"moved": ""}

    def items(self, t: Targets):  # pragma: no cover - interface
        raise NotImplementedError

    @staticmethod
    def move(actor, item, old_ids, successor, reason, on):  # pragma: no cover - interface
        raise NotImplementedError

    def pending(self, t: Targets):
        return [(item.pk, item) for item in self.items(t)]

    def apply(self, t: Targets, key, item, actor):
        detail = self.move(actor, item, t.old_agency_ids, t.new_agency, _reason(t), t.plan.effective_date)
        return ("moved", detail) if detail else None


@steps.register("transformation.tasks")
class OpenTasks(_Moves):
    order = 51
    title = "Nhiệm vụ chuyển đổi số chưa hoàn thành"
    outcome_labels = {"moved": "nhiệm vụ chưa hoàn thành chuyển giao cho đơn vị mới"}
    move = staticmethod(hand_over_task)

    def items(self, t: Targets):
        return tasks_of_units(t.old_agency_ids)

    def preview(self, t: Targets):
        tasks = list(self.items(t))
        rows = [[t_.plan.title, t_.number, t_.content[:120], t_.get_status_display(), agency_label(t.new_agency)]
                for t_ in tasks]
        headers = ["Kế hoạch", "STT", "Nhiệm vụ", "Trạng thái", "Thực hiện sau sắp xếp"]
        plans = Plan.objects.filter(agency_id__in=t.old_agency_ids).select_related("agency").order_by("agency__code",
                                                                                                       "-year")
        notes = [f"{p.title} ({agency_label(p.agency)}) giữ nguyên của đơn vị cũ (nội dung đã phê duyệt không đổi, "
                 "việc chuyển giao ghi bên cạnh nhiệm vụ); đơn vị mới xem, không sửa." for p in plans]
        return self.section(headers=headers, rows=rows, counts={"moved": len(tasks)}, notes=notes)


@steps.register("transformation.teams")
class CommunityTeams(_Moves):
    order = 52
    title = "Tổ công nghệ số cộng đồng"
    outcome_labels = {"moved": "tổ công nghệ số cộng đồng chuyển về đơn vị mới"}
    move = staticmethod(move_team)

    def items(self, t: Targets):
        return teams_of_units(t.old_agency_ids, t.plan.effective_date)

    def preview(self, t: Targets):
        teams = list(self.items(t))
        rows = [[agency_label(team.agency), team.village or "Tổ của đơn vị", str(team.members),
                 agency_label(t.new_agency)] for team in teams]
        notes = ["Hoạt động tập huấn, truyền thông đã diễn ra giữ nguyên của đơn vị cũ; đơn vị mới xem được."]
        return self.section(headers=["Đơn vị cũ", "Thôn, tổ dân phố", "Thành viên", "Thuộc đơn vị sau sắp xếp"],
                            rows=rows, counts={"moved": len(teams)}, notes=notes if teams else [])


class _SuccessorMoves(Follower):
    """Items of the agency (``items(agency, on)``) that ``move`` gives to the successor, as a merger's ``_Moves``
    step does; ``said`` tells the administrator how many, in Vietnamese (with ``{n}``, ``{agency}``, ``{successor}``
    and ``{on}``)."""

    said = ""

    def items(self, agency, on):  # pragma: no cover - interface
        raise NotImplementedError

    @staticmethod
    def move(actor, item, old_ids, successor, reason, on):  # pragma: no cover - interface
        raise NotImplementedError

    def follow(self, actor, agency, successor, on):
        reason = succession_reason(agency, successor)
        moved = [item for item in self.items(agency, on)
                 if self.move(actor, item, [agency.pk], successor, reason, on)]
        if not moved:
            return ""
        return self.said.format(n=len(moved), agency=agency.name, successor=successor.name, on=f"{on:%d/%m/%Y}")


@followers.register("transformation.tasks")
class SuccessorTakesTasks(_SuccessorMoves):
    """The unfinished tasks the agency carries (``tasks_of_units``: led by it, or of its plan naming no lead unit)
    are handed over to the successor an administrator recorded, as a merger's plan hands them over (``OpenTasks``):
    its officers report on them, the plans stay as written."""

    said = "{n} nhiệm vụ chuyển đổi số chưa hoàn thành của {agency} chuyển giao cho {successor} từ ngày {on}."
    move = staticmethod(hand_over_task)

    def items(self, agency, on):
        return tasks_of_units([agency.pk])


@followers.register("transformation.rounds")
class SuccessorReportsInRounds(Follower):
    """Open reporting rounds that ask the agency follow it as a merger's do (``OpenRounds``): its pending answer is
    no longer expected (marked merged into the successor), one it sent stays as sent, and the successor is asked
    (its admins and leaders told)."""

    def follow(self, actor, agency, successor, on):
        reason = succession_reason(agency, successor)
        followed = []
        for rnd in open_rounds_with([agency.pk]):
            answers = dict(RoundResponse.objects.filter(round=rnd, agency__in=[agency, successor])
                           .values_list("agency_id", "status"))
            if answers.get(agency.pk) == RoundResponse.PENDING or successor.pk not in answers:
                follow_merger(actor, rnd, [agency.pk], successor, reason)
                followed.append(f"«{rnd.title}»")
        if not followed:
            return ""
        return (f"Kỳ báo cáo chuyển đổi số đang mở {', '.join(followed)}: {successor.name} báo cáo thay "
                f"{agency.name}.")


@followers.register("transformation.teams")
class SuccessorTakesTeams(_SuccessorMoves):
    """Community teams of the agency still active on ``on`` belong to the successor from then, as a merger's plan
    moves them (``CommunityTeams``): before that day they count for the agency."""

    said = "{n} tổ công nghệ số cộng đồng của {agency} chuyển về {successor} từ ngày {on}."
    move = staticmethod(move_team)

    def items(self, agency, on):
        return teams_of_units([agency.pk], on)
