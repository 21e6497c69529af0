"""The admin's save of a successor for a department no longer working: its open dossiers go to the successor
(``SuccessorTakesDossiers``, a follower of units.succession). The save is refused before anything is written when they
cannot move (``_cannot_move``); it moves up to ``handover.INLINE_AT_MOST`` of them itself, and hands more to the
background move (handover.py), which this module calls through its module so that its limits and moves stay one.
Split out of handover.py.
"""

from __future__ import annotations

from django.utils import timezone

from motcua.audit.services import record
from motcua.core.errors import PermissionDenied
from motcua.units import receiving
from motcua.units.models import Agency
from motcua.units.succession import Follower, followers

from . import handover, lifecycle
from . import handover_texts as texts
from .models import Status
from .reorganization import open_at


@followers.register("dossiers.in_flight")
class SuccessorTakesDossiers(Follower):
    """The dossiers a department no longer working received or holds and has not closed (a citizen's draft for it
    too) go to the successor an administrator recorded, as a merger's plan moves them (``InFlight``): its officers
    (whose roles moved before, accounts.reorganization) process and return them there, from its queue. More than
    ``handover.INLINE_AT_MOST`` move in the background (``handover.start``, ``handover.run``), all checked in the save all the same. Refused
    before anything is saved when the administrator may not move them, or the successor could not keep them (its
    unit closing before a dossier is due: nobody would return the result); so are the dossiers still waiting in a
    paused move into the department, which goes to the successor too (``_redirected``)."""

    order = 30  # after the roles (20): an assignee who now holds a role at the successor keeps the dossier

    def refusal(self, actor, agency, successor, on):
        # Still taking a predecessor's dossiers in the background: switched off now, it could take none of the rest
        # (lifecycle.transfer_agency moves only to an agency that works), and they would wait at the predecessor.
        # Already switched off (read under units.succession's lock), the move into it is paused: its successor may be
        # recorded, and that move goes there instead (``follow``), once a batch under way has committed.
        # Those paused moves go on into `successor` in `actor`'s name (``_redirected``): their waiting dossiers are
        # checked as the agency's own are, each at the department it waits at.
        if not Agency.objects.filter(pk=agency.pk, is_active=True).exists():
            coming = list(handover.unfinished().select_for_update(of=("self",)).filter(successor=agency)
                          .order_by("pk"))
            return " ".join(filter(None, [_cannot_move(actor, agency, open_at([agency.pk]), successor)] + [
                _cannot_move(actor, each.agency, handover.waiting(each.agency_id), successor) for each in coming]))
        for coming, left in handover.incoming([agency.pk]):
            return texts.still_receiving(agency.name, left, coming.agency.name)
        return _cannot_move(actor, agency, open_at([agency.pk]), successor)

    def follow(self, actor, agency, successor, on):
        return " ".join(filter(None, [self._follow(actor, agency, successor, on),
                                      _redirected(actor, agency, successor, on)]))

    def _follow(self, actor, agency, successor, on):
        count = open_at([agency.pk]).count()
        if count > handover.INLINE_AT_MOST:  # too many for the admin's request: the task worker moves them (``run``)
            handover.start(actor, agency, successor, on, count)
            return texts.moving_in_background(count, agency.name, successor.name)
        succession = lifecycle.Succession(agency, successor, on)
        moved = [m for d in open_at([agency.pk]).order_by("pk")
                 if (m := handover.move_dossier(actor, d, succession, successor))]
        if not moved:
            return ""
        drafts = sum(m.status == Status.DRAFT for m in moved)
        return texts.moved_now(len(moved), agency.name, successor.name, drafts)

    def progress(self, agency):
        return handover.progress(agency)


def _cannot_move(actor, agency, dossiers, successor) -> str:
    """Why `actor` may not move `dossiers`, open at the department `agency`, to `successor` ("" when they may): the
    role that moves them (checked on the first), the successor taking no dossiers, or not able to keep some of them
    (``handover.keeping_refusal``); the message names `agency`, where they are. Reads the first dossier, and only where the successor's
    unit closes, the first few that fall after it and their count: not every dossier (a department may have tens of
    thousands open)."""
    dossiers = dossiers.select_related("agency", "current_agency").order_by("pk")
    first = dossiers.first()
    if first is None:
        return ""
    try:
        lifecycle.GUARDS["transfer_agency"](first, actor)
    except PermissionDenied:
        return texts.refusal_role(agency.name, dossiers.count(), successor.name)
    today = timezone.localdate()
    if refused := receiving.handover_refusal(successor, today):
        return texts.refusal_successor(agency.name, dossiers.count(), refused.message)
    after = receiving.due_after_bound(successor)
    if after is None:
        return ""
    late = dossiers.filter(due_at__gte=after)  # those ``handover.keeping_refusal`` refuses
    shown = list(late[:texts.SHOWN + 1])
    if not shown:
        return ""
    count = len(shown) if len(shown) <= texts.SHOWN else late.count()
    return texts.cannot_keep(successor.name, agency.name, count, [texts.named(d) for d in shown],
                             handover.keeping_refusal(successor, today, shown[0]).fact)


def _redirected(actor, agency, successor, on) -> str:
    """The moves into `agency` (switched off, paused: ``SuccessorTakesDossiers.refusal``) now go to `successor`, the
    dossiers straight from their department (one move each), in `actor`'s name and under this succession (taking over
    `on`: the date the moves record) from now on; the next batch resumes them (``resume_blocked``). Each
    re-pointed handover leaves an audit entry in `actor`'s name (``REDIRECTED``) on the department whose dossiers move:
    its code, the successor before and now, the day the new succession takes over (``on``) and how many dossiers were
    still to move."""
    said = []
    # held since ``refusal``: no batch under way
    for coming in handover.unfinished().filter(successor=agency).order_by("pk"):
        left = handover.waiting(coming.agency_id).count()
        record(actor, handover.REDIRECTED, "units.Agency", coming.agency_id,
               {"agency": coming.agency.code, "from": agency.code, "to": successor.code, "on": on.isoformat(),
                "waiting": left})
        if left:
            said.append(texts.redirected(left, coming.agency.name, successor.name))
    # carried on in the name of the administrator who re-pointed it, who holds the role (the recording one may not)
    handover.unfinished().filter(successor=agency).update(successor=successor, actor=actor, on=on)
    return " ".join(said)
