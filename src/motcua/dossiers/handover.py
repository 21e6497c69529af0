"""A department's open dossiers moving to the successor an administrator recorded in the admin, in the background.

Each move is a lifecycle transition (``transfer_agency``: event, audit entry, outbox event, the applicant's SMS) of
about 5 ms on PostgreSQL (bench/successor_dossiers.py): the 5.000 open dossiers of a provincial department merged
in 2025 would hold the admin's request, its transaction and the agency's lock for half a minute, and 10.000 run past
the web worker's timeout, undoing the whole save. So the admin's save moves at most ``INLINE_AT_MOST`` of them itself
(``SuccessorTakesDossiers``, handover_save.py); with more, it records a ``SuccessorHandover`` in its
transaction and the task worker (``manage.py db_worker``) moves them in batches of ``BATCH``, each batch in its own
transaction with the count it adds to the handover's ``moved``. The dossiers themselves say what is left (those
still at the department): a worker killed in a batch loses that batch's transaction only, and the task enqueued
again or ``manage.py move_to_successors`` moves the rest; a dossier already moved is no longer at the department
and is not moved twice.

Meanwhile the waiting dossiers are shown as such to the successor's officers, above their queue and their inbox
(``arriving``): the department's officers' roles moved to the successor in the admin's save, so nobody processes a
dossier before it has moved; those due first move first. While the move is paused, they read that it is and why in a
few words (``paused_because``). What it says to people, in Vietnamese, is written in handover_texts.py.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.utils import timezone

from motcua.accounts.permissions import forget_roles, hold_roles
from motcua.audit.services import record
from motcua.core.errors import DomainError, PermissionDenied
from motcua.units import receiving
from motcua.units.models import Agency

from . import handover_texts as texts
from . import lifecycle
from .models import SuccessorHandover
from .reorganization import move_dossier, open_at

# Open dossiers the admin's save moves itself; with more, they move in the background (the admin's request stays
# within a second or two: ~5 ms a dossier).
INLINE_AT_MOST = 200
# Dossiers moved per transaction in the worker: a killed worker redoes at most this many (~0,5 s).
BATCH = 100
# The audit trail's entry when the last of a department's dossiers has moved to its successor.
HANDED_OVER = "dossiers.successor_handover_finished"
# The audit trail's entry when another provincial administrator carries on a paused handover (``take_over``).
TAKEN_OVER = "dossiers.successor_handover_taken_over"
# The audit trail's entry when a paused handover into a successor switched off since goes to that successor's own
# successor instead (``handover_save._redirected``): who re-pointed it, from which successor to which, with how many dossiers left.
REDIRECTED = "dossiers.successor_handover_redirected"
# The shared cache's flag (settings.CACHES: one for every process of the host) saying whether any handover is
# unfinished, so the officers' pages (``arriving``) read nothing more in the common case, none running. Dropped when a
# handover is recorded or finishes (``changed``, at its transaction's commit); the timeout bounds how long a process
# that read the table just before such a commit may keep the old answer.
UNFINISHED_FLAG = "dossiers.handover.any_unfinished"
FLAG_SECONDS = 60


def waiting(agency_id: int):
    """The dossiers of the department still to move, those due first first (then those with no appointment)."""
    return open_at([agency_id]).order_by(F("due_at").asc(nulls_last=True), "pk")


def start(actor, agency, successor, on, count: int) -> SuccessorHandover:
    """Record, in the admin's transaction, that the department's `count` open dossiers move to `successor` in the
    background, and queue the move once that transaction has committed."""
    handover = SuccessorHandover.objects.create(agency=agency, successor=successor, on=on, actor=actor, total=count)
    changed()
    transaction.on_commit(lambda: move_to_successor.enqueue(handover.pk))
    return handover


def changed() -> None:
    """A handover was recorded or finished in the current transaction: the flag (``UNFINISHED_FLAG``) is dropped now
    and again at the commit (a process reading it between the two caches what it read before the commit)."""
    cache.delete(UNFINISHED_FLAG)
    transaction.on_commit(lambda: cache.delete(UNFINISHED_FLAG))


def any_unfinished() -> bool:
    """Whether a handover is still running, from the shared cache (read from the table when the flag is missing)."""
    flag = cache.get(UNFINISHED_FLAG)
    if flag is None:
        flag = unfinished().exists()
        cache.set(UNFINISHED_FLAG, flag, FLAG_SECONDS)
    return flag


def run(handover_id: int) -> SuccessorHandover:
    """Move the dossiers still waiting for handover `handover_id`, ``BATCH`` per transaction, until none is left (then
    the handover is finished). Run twice, or after a stopped run, it moves only what is still at the department. A
    dossier that did not move (``move_dossier``'s None: closed or moved since it was listed) is not listed again, and
    the batches go on: a batch of them must not end the run with the rest still waiting. A dossier whose move the
    lifecycle refuses (a ``DomainError``), or that the successor could no longer keep (``keeping_refusal``: its unit's
    closing recorded since the save), is skipped the same way, its refusal kept in ``stuck`` for the administrator
    (``progress``): the dossiers after it move, and the handover stays unfinished while it waits (the next run tries
    it again). When no dossier can move at all (``blocker``), the run stops with the reason in ``blocked``, having
    moved only whole dossiers; it resumes when the reason goes (``resume_blocked``) or another administrator takes
    the handover over (``take_over``)."""
    passed: set[int] = set()
    while True:
        with transaction.atomic():
            handover = (SuccessorHandover.objects.select_for_update(of=("self",))
                        .select_related("agency", "actor")
                        .get(pk=handover_id))
            if handover.finished_at is not None:
                return handover
            batch = list(waiting(handover.agency_id).exclude(pk__in=passed)
                         .select_related("agency", "current_agency", "assignee")[:BATCH])
            if not batch:
                if passed and waiting(handover.agency_id).filter(pk__in=passed).exists():
                    return handover  # still waiting although it would not move: the next run tries again
                handover.finished_at, handover.blocked = timezone.now(), ""
                handover.save(update_fields=["finished_at", "blocked"])
                changed()
                data = {"successor": handover.successor.code, "moved": handover.moved}
                if several := moved_to(handover):
                    data["moved_to"] = [{"successor": agency.code, "moved": count} for agency, count in several]
                record(handover.actor, HANDED_OVER, "units.Agency", handover.agency_id, data)
                return handover
            # the recording administrator's roles read now, not cached, and held until this batch commits: a role
            # removed meanwhile waits for the batch, and the next one sees it gone (no dossier moves after that)
            hold_roles(handover.actor)
            today = timezone.localdate()
            handover.successor = successor = _successor(handover)  # as it is now: switched off since?
            blocked = blocker(handover, batch[0], today)
            plan = lifecycle.Succession(handover.agency, successor, handover.on)
            stuck, moved = dict(handover.stuck), 0
            for d in [] if blocked else batch:
                if late := keeping_refusal(successor, today, d):  # its unit's closing recorded since the save
                    stuck[str(d.pk)] = {"code": texts.named(d), "reason": late.fact}
                    passed.add(d.pk)
                    continue
                try:
                    with transaction.atomic():  # its own savepoint: a refused move undoes that dossier's only
                        done = move_dossier(handover.actor, d, plan, successor)
                except DomainError as refused:  # e.g. its last event timed later than now: handled by hand
                    if blocked := blocker(handover, d, today, fresh=True):  # none would move: not this one's own
                        break
                    stuck[str(d.pk)] = {"code": texts.named(d), "reason": refused.message}
                    passed.add(d.pk)
                    continue
                stuck.pop(str(d.pk), None)
                if done is None:
                    passed.add(d.pk)
                else:
                    moved += 1
            if moved:  # the row is held since the batch began: ``moved_to`` as read is the stored one
                SuccessorHandover.objects.filter(pk=handover.pk).update(
                    moved=F("moved") + moved, moved_to=_credited(handover.moved_to, successor.pk, moved))
            if stuck != handover.stuck or blocked != handover.blocked:
                SuccessorHandover.objects.filter(pk=handover.pk).update(stuck=stuck, blocked=blocked)
            if blocked:
                handover.blocked = blocked
                return handover  # the dossiers it moved stay moved; the rest wait, whole, at the department


def _credited(moved_to: list, successor_id: int, count: int) -> list:
    """``SuccessorHandover.moved_to`` with `count` more dossiers moved to `successor_id` (a new entry, last, for a
    successor that took none before)."""
    credited = [dict(each) for each in moved_to]
    for each in credited:
        if each["agency"] == successor_id:
            each["moved"] += count
            return credited
    return [*credited, {"agency": successor_id, "moved": count}]


def moved_to(handover) -> list[tuple[Agency, int]]:
    """(successor, dossiers moved to it) of `handover`, in the order they took them, when the move was re-pointed
    (``handover_save._redirected``) after some moved; [] when its successor now took them all (or none moved yet)."""
    if not handover.moved_to or [each["agency"] for each in handover.moved_to] == [handover.successor_id]:
        return []
    agencies = Agency.objects.in_bulk([each["agency"] for each in handover.moved_to])
    return [(agencies[each["agency"]], each["moved"]) for each in handover.moved_to if each["agency"] in agencies]


def _successor(handover) -> Agency:
    return Agency.objects.select_related("admin_unit").get(pk=handover.successor_id)


def blocker(handover, d, today, *, fresh: bool = False) -> str:
    """Why no dossier of `handover` can move now, `d` being one of them ("" when they can): the administrator who
    recorded the successor no longer holds the role that moves them, or the successor no longer takes dossiers (switched
    off, its unit closed by a reorganization); with the way it resumes, for the administrator (Vietnamese)."""
    actor = handover.actor
    if fresh:
        forget_roles(actor)  # read now, not when the batch began (``run`` reads and holds them as each batch begins)
    try:
        lifecycle.GUARDS["transfer_agency"](d, actor)
    except PermissionDenied:
        return texts.role_lost(actor)
    successor = _successor(handover) if fresh else handover.successor
    if refused := receiving.handover_refusal(successor, today):
        return texts.successor_refuses(refused.fact, successor.name)
    return ""


def keeping_refusal(successor, today, d):
    """Why `successor` cannot keep `d` (its unit's closing recorded ahead, before `d` is due: nobody would return the
    result), or None."""
    if d.due_at is None:
        return None
    return receiving.appointment_refusal(successor, today, timezone.localdate(d.due_at), receiving.HANDING)


def take_over(handover_id: int, actor) -> bool:
    """`actor`, a provincial administrator, carries on `handover_id` in place of the administrator who recorded it
    and has since lost the role (the moves are recorded in `actor`'s name from now on; an audit entry says so).
    False when the recording administrator may still move them (nothing changes); ``PermissionDenied`` when `actor`
    may not either."""
    with transaction.atomic():
        handover = (SuccessorHandover.objects.select_for_update(of=("self",)).select_related("agency", "actor")
                    .get(pk=handover_id))
        d = waiting(handover.agency_id).select_related("agency", "current_agency").first()
        if handover.finished_at is not None or d is None:
            return False
        lifecycle.GUARDS["transfer_agency"](d, actor)  # who carries it on must hold the role
        try:
            lifecycle.GUARDS["transfer_agency"](d, handover.actor)
            return False
        except PermissionDenied:
            pass  # the recording administrator no longer may: `actor` carries it on
        record(actor, TAKEN_OVER, "units.Agency", handover.agency_id,
               {"from": handover.actor.username, "to": actor.username})
        SuccessorHandover.objects.filter(pk=handover.pk).update(actor=actor, blocked="")
        return True


def resume_blocked() -> None:
    """Queue every paused handover whose reason has gone (an agency, unit or role was saved: ``DossiersConfig``), once."""
    if not any_unfinished():
        return
    today = timezone.localdate()
    for handover in unfinished().exclude(blocked="").select_related("actor"):
        first = waiting(handover.agency_id).select_related("agency", "current_agency").first()
        if first is None or not blocker(handover, first, today, fresh=True):
            # the reason cleared as it is queued, once: a transaction saving many agencies or roles runs this once
            # per save (DossiersConfig), and the worker writes the reason again if it comes back
            if SuccessorHandover.objects.filter(pk=handover.pk).exclude(blocked="").update(blocked=""):
                move_to_successor.enqueue(handover.pk)


@task
def move_to_successor(handover_id: int) -> None:
    run(handover_id)


def unfinished():
    return SuccessorHandover.objects.filter(finished_at__isnull=True).select_related("agency", "successor")


def progress(agency) -> str:
    """What the administrator reads on the department's page about its dossiers moving in the background ("" when
    none did): how many moved, how many remain, or when the last one moved."""
    handover = SuccessorHandover.objects.filter(agency=agency).select_related("successor").first()
    if handover is None:
        return ""
    moved, successor = handover.moved, handover.successor.name
    split = [(each.name, count) for each, count in moved_to(handover)]
    if handover.finished_at is not None:
        return texts.finished(moved, successor, handover.finished_at, split)
    left = waiting(agency.pk).count()
    if handover.blocked:
        return texts.paused(moved, left, successor, handover.blocked, agency.name, split) + refused_moves(handover)
    return texts.moving(moved, left, successor, split) + refused_moves(handover)


def refused_moves(handover) -> str:
    """The dossiers still at the department whose move the lifecycle refused (``run``), the first few by code with the
    refusal's words: to be handled one by one before the handover can finish."""
    if not handover.stuck:
        return ""
    ids = [int(pk) for pk in handover.stuck]
    still = set(waiting(handover.agency_id).filter(pk__in=ids).values_list("pk", flat=True))
    if not still:
        return ""
    return texts.refused_moves([texts.refused_move(each["code"], each["reason"])
                                for pk, each in handover.stuck.items() if int(pk) in still])


def incoming(agency_ids):
    """(handover, dossiers still to move) of each unfinished handover into `agency_ids` that has some left."""
    for handover in (unfinished().filter(successor_id__in=agency_ids).select_related("successor__admin_unit")
                     .order_by("pk")):
        if left := waiting(handover.agency_id).count():
            yield handover, left


def arriving(agency_ids) -> list[str]:
    """For the officers of `agency_ids`, above their work lists: the dossiers of a department they succeed that are
    still moving to them (not yet in their lists, not yet processable). No statement when none moves anywhere (the
    cached flag, ``any_unfinished``): every back-office page asks."""
    if not agency_ids or not any_unfinished():
        return []
    said = []
    for handover, left in incoming(agency_ids):
        old, new = handover.agency.name, handover.successor.name
        if handover.blocked:  # paused (``run``): nothing arrives until the reason goes
            said.append(texts.arriving_paused(left, old, new, paused_because(handover)))
        else:
            said.append(texts.arriving_moving(left, old, new))
    return said


def paused_because(handover) -> str:
    """Why `handover` is paused, in a few words for the successor's officers (who cannot change it; the administrator
    reads the whole reason, ``blocked``): the successor not taking dossiers, read from the rows on hand, or else the
    recording administrator's lost role (``blocker``'s two reasons)."""
    if refused := receiving.handover_refusal(handover.successor, timezone.localdate()):
        return refused.fact
    return texts.ROLE_LOST_SHORT
