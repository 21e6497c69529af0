"""Reorganization of administrative units (Decree 118/2025 two-level local government; merged communes): a
dossier not closed before the merger took effect moves from an old committee to the agency that takes over its
procedure (``moves_under``).

The dossier keeps its code (its receiving agency's identity code at receipt, Circular 01/2018 art. 19), its
history, its status and its appointment date; only who holds it changes. Its event, audit entry and outbox
event (``dossier.transfer_agency``: the national portal learns the new agency, the applicant is told) are
written like any other transition's. Only a plan being applied may do it (motcua.units.reorganization), or the
successor an administrator records in the admin for a department that stopped working (``Succession``: no plan,
units.succession), which moves the department's open dossiers to its successor the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from motcua.accounts.models import ACTING_ROLES
from motcua.accounts.permissions import has_role
from motcua.core.calendar import TZ
from motcua.core.errors import InvalidTransition, ValidationFailed
from motcua.units import receiving
from motcua.units.models import Agency, ReorganizationPlan
from motcua.units.succession import SUCCESSION_ON, by_succession

from ..models import StepRun
from .commit import iso
from .guards import ACTION_LABELS, TERMINAL, wrong_status
from .transitions import Event, transition

# What the dossier's history, the audit trail and the outbox call a move to an admin-recorded successor (its event
# data has units.succession's SUCCESSION_ON, its outbox payload moved_by "successor": ``by_succession``; registered
# with core.event_labels by DossiersConfig): no administrative unit was rearranged (as the applicant's SMS says,
# integrations.messages).
SUCCESSION_LABEL = "Chuyển sang cơ quan kế thừa do cơ quan cũ ngừng hoạt động"
# Both kinds of move at once (the admin audit trail's filter option, core.event_labels.kind_label)
SUCCESSION_KIND = "Chuyển cơ quan do sắp xếp đơn vị hành chính hoặc sang cơ quan kế thừa"
# Why a dossier moved to another agency, by the ``moved_by`` its transfer publishes: the words after «Hồ sơ nộp tại …;»
# on the portal (``moved_because``) and, capitalized, at the head of the applicant's SMS and e-mail
# (integrations.messages). A payload from before ``moved_by`` existed is a merger's.
MOVED_BECAUSE = {"reorganization": "do sắp xếp đơn vị hành chính",
                 "successor": "do cơ quan tiếp nhận trước đây ngừng hoạt động"}


@dataclass(frozen=True)
class Succession:
    """What a successor recorded in the admin (units.succession) hands ``transfer_agency`` instead of a plan: the
    department no longer working (``agency``), its successor (``new_agency``) and the day it takes over (``on``).
    Only its open dossiers move: those it closed stay its history."""

    agency: Agency
    new_agency: Agency
    on: dt.date

    @property
    def takes_effect_at(self) -> dt.datetime:
        """The moment the move counts from in the statistics: the successor answers from the day it takes over."""
        return dt.datetime.combine(self.on, dt.time.min, tzinfo=TZ)


def moves_under(plan) -> Q:
    """The dossiers a plan moves, of those its old committees received or hold: every one not closed before the
    merger took effect (``takes_effect_at``), so one the old committee closed between that moment and the applying
    day moves too, as it would have had the plan been applied on time (the new unit answered for it from then on,
    the resolution's effective date). ``transfer_agency`` refuses the others."""
    return ~Q(status__in=TERMINAL) | Q(closed_at__gte=plan.takes_effect_at)


def moved_by(d, plan) -> bool:
    """``moves_under`` for one dossier."""
    return d.status not in TERMINAL or (d.closed_at is not None and d.closed_at >= plan.takes_effect_at)


def _old_agencies(plan) -> set[int]:
    if isinstance(plan, Succession):
        return {plan.agency.pk}
    return set(Agency.objects.filter(admin_unit__in=plan.old_units.all()).values_list("pk", flat=True))


def _under_plan(d, at, args) -> None:
    plan = args.get("plan")
    succession = isinstance(plan, Succession)
    if not succession and (not isinstance(plan, ReorganizationPlan) or plan.status != ReorganizationPlan.APPLYING):
        raise InvalidTransition("plan_not_applying", "Chỉ chuyển hồ sơ khi đang thực hiện một phương án sắp xếp đơn vị "
                                                     "hành chính đã được phê duyệt.")
    old = _old_agencies(plan)
    if d.agency_id not in old and d.current_agency_id not in old:
        raise InvalidTransition("dossier_not_on_old_unit", "Hồ sơ không thuộc đơn vị hành chính được sắp xếp.")
    # closed before the merger took effect (or closed at all, for a successor): the old agency's history
    stays = d.status in TERMINAL if succession else not moved_by(d, plan)
    if stays:
        raise wrong_status(d, "transfer_agency")
    to_agency = args.get("to_agency")
    if (getattr(to_agency, "pk", None) is None or to_agency.pk in old or not to_agency.is_active
            or (succession and to_agency.pk != plan.new_agency.pk)):
        raise ValidationFailed("to_agency_invalid", "Cơ quan nhận hồ sơ phải là cơ quan đang hoạt động, ngoài các đơn "
                                                    "vị được sắp xếp.")
    if refused := receiving.handover_refusal(to_agency, timezone.localdate(at)):  # its unit closed: nobody there
        raise ValidationFailed(refused.code, refused.message, details={"field": "to_agency"})


@transition("transfer_agency", checks=[_under_plan])
def transfer_agency(d, at, *, officer, plan, to_agency) -> Event:
    """The old committee's dossier goes to ``to_agency`` (the agency taking over its procedure); a dossier an
    old committee holds for another receiving agency (a hand-over, a step done there) goes to the new committee.
    One the old committee closed after the merger took effect moves as well (``moves_under``): what it did then
    counts for the new unit. Code, history, status and appointment date are unchanged; an assignee who holds no
    role where the dossier now is gives it back to that agency's queue. ``effective_at`` (event data and outbox payload): the moment the
    move counts from in the statistics, the plan's ``takes_effect_at`` however late the plan is applied. ``plan`` may
    be a ``Succession`` (a successor recorded in the admin): the department's open dossiers go to its successor."""
    old = _old_agencies(plan)
    from_receiving, from_holder = d.agency, d.current_agency
    if d.agency_id in old:
        d.agency = to_agency
    if d.current_agency_id in old:
        d.current_agency = d.agency if d.current_agency_id == from_receiving.pk else plan.new_agency
    holder = d.current_agency or d.agency
    StepRun.objects.filter(dossier=d, finished_at__isnull=True, agency_id__in=old).update(agency=holder)
    why = ({SUCCESSION_ON: plan.on.isoformat()} if isinstance(plan, Succession)
           else {"plan": plan.pk, "resolution": plan.resolution_number})
    data = {**why, "from_agency": from_receiving.code,
            "to_agency": d.agency.code, "from_current_agency": from_holder.code if from_holder else None,
            "to_current_agency": d.current_agency.code if d.current_agency_id else None, "due_at": iso(d.due_at),
            "effective_at": iso(plan.takes_effect_at)}
    if d.assignee_id and not has_role(d.assignee, ACTING_ROLES, holder):
        data["assignee_cleared"] = d.assignee.username
        d.assignee = None
    moved_from = from_holder if from_holder is not None and from_holder.pk in old else from_receiving
    reason = (f"do {plan.agency.name} ngừng hoạt động, {plan.new_agency.name} là cơ quan kế thừa"
              if isinstance(plan, Succession) else
              f"theo Nghị quyết số {plan.resolution_number} về sắp xếp đơn vị hành chính")
    note = f"Chuyển từ {moved_from.name} sang {holder.name} {reason}; mã hồ sơ và ngày hẹn trả giữ nguyên."
    return Event(note=note, agency=moved_from, to_agency=holder, step=d.current_step, data=data,
                 published={"effective_at": data["effective_at"],
                            "moved_by": "successor" if isinstance(plan, Succession) else "reorganization"})


def event_label(action: str, data: dict | None) -> str:
    """The Vietnamese name of a dossier event (the timelines of the portal and the back office, the admin): its
    action's, but a transfer to an admin-recorded successor's own (``SUCCESSION_LABEL``)."""
    if action == "transfer_agency" and by_succession(data):
        return SUCCESSION_LABEL
    return ACTION_LABELS.get(action, "Cập nhật hồ sơ")  # never the code: every kind is named in ACTION_LABELS


def receiving_agency_at(d, moment) -> Agency:
    """The agency that received `d` as of `moment`: its receiving agency, unless a reorganization moved it since,
    when the first move after `moment` names the old committee. A slip keeps the committee that issued it (a
    receipt of 30/11 is not re-issued by a unit created on 01/12), and the applicant sees where they filed."""
    if moment is not None:
        moved = (d.events.filter(action="transfer_agency", at__gt=moment).order_by("at", "id")
                 .values_list("data", flat=True).first())
        code = (moved or {}).get("from_agency")
        if code and code != d.agency.code:
            earlier = Agency.objects.select_related("admin_unit", "parent").filter(code=code).first()
            if earlier is not None:
                return earlier
    return d.agency


def moved_because(d) -> str:
    """Why `d` left the agency the applicant filed it with (the portal's «Nơi tiếp nhận», beside ``filed_with``): the
    first move after filing, a merger's or one to an admin-recorded successor's (``SUCCESSION_ON``)."""
    moment = d.submitted_at or d.received_at or d.created_at
    moved = (d.events.filter(action="transfer_agency", at__gt=moment).order_by("at", "id")
             .values_list("data", flat=True).first()) if moment else None
    return MOVED_BECAUSE["successor" if SUCCESSION_ON in (moved or {}) else "reorganization"]


def filed_with(d) -> Agency | None:
    """The agency the applicant filed `d` with, when a reorganization has moved the dossier since; else None."""
    first = receiving_agency_at(d, d.submitted_at or d.received_at or d.created_at)
    return first if first.pk != d.agency_id else None
