"""What follows when an administrator records an agency's successor in the admin (*cơ quan kế thừa* on an agency no
longer working: a provincial department merged into another, ``Agency.clean`` checks it). A merger's reorganization
plan moves what hangs on the old agencies through its steps (units.reorganization); a successor recorded in the admin
has no plan, so an app whose work the successor takes over registers a ``Follower`` here from its
``AppConfig.ready``, and the admin runs each one when it saves the agency (in the same transaction)::

    @followers.register("transformation.tasks")
    class OpenTasks(Follower):
        def follow(self, actor, agency, successor, on) -> str: ...  # what moved, for the administrator ("" if nothing)
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from motcua.audit.models import AuditEntry
from motcua.audit.services import record
from motcua.core.plugins import Registry
from motcua.outbox.models import OutboxEvent
from motcua.outbox.services import emit

from .models import Agency

# The outbox event of a successor recorded here: the statistics read again which agency a rating given after the
# agency's unit ended counts for (motcua.reporting.consumer), as on a merger's ``units.reorganized``, whose payload
# shape (``predecessors`` with their ``agency_codes``, ``effective_date``, ``agency``, ``unit``, ``procedure_codes``)
# it shares; the national portal learns the old code → the successor's (integrations/adapters/portal.py, kind
# "successor"). Not ``units.reorganized`` itself: there is no resolution, nor a new administrative unit.
SUCCESSOR_RECORDED = "units.successor_recorded"
# The key, in the audit data and dossier events of what a follower moved, that a successor recorded here moved it (its
# value: the day the successor takes over); a merger's plan writes "plan" instead. The catalog's past procedure lists,
# a dossier's history and the portal's «Nơi tiếp nhận» read it back.
SUCCESSION_ON = "succession_on"


def by_succession(data: dict | None) -> bool:
    """Whether an audit entry's or a dossier event's data (``SUCCESSION_ON``), or a dossier transfer's outbox payload
    (``moved_by``, dossiers.lifecycle.reorganization), says a successor recorded here moved it."""
    if not isinstance(data, dict):
        return False
    return SUCCESSION_ON in data or data.get("moved_by") == "successor"


class Caution(str):
    """A follower's sentence that warns the administrator (shown as a warning, not as news): something moved that
    they should check."""


class Follower:
    # Followers run by ``order`` (then as registered), like a plan's steps: the outbox event first (it lists the
    # procedures the agency receives before the catalog's follower hands them to the successor), the catalog's (10),
    # the officers' roles (20) before the open dossiers (30: an assignee keeps a dossier where they now hold a role)
    # and feedback (40), the national portal's (70) last, which tells the administrator what the catalog still misses.
    order = 50
    # The codes of the procedures the agency received when its successor was recorded, read once by ``follow`` before
    # any follower runs (the catalog's hands them over): what the outbox event lists and the portal's follower tells.
    procedure_codes: tuple[str, ...] = ()

    def refusal(self, actor, agency: Agency, successor: Agency, on: dt.date) -> str:
        """Why the administrator may not record `successor` for `agency` now (what this follower could not hand over
        safely: the admin refuses the save with it, and nothing moves); "" when it can."""
        return ""

    def follow(self, actor, agency: Agency, successor: Agency, on: dt.date) -> str:
        """Give `successor` what of this kind `agency` leaves, from `on`; a sentence saying what moved, for the
        administrator ("" when nothing did; a ``Caution`` when they should check it)."""
        return ""

    def progress(self, agency: Agency) -> str:
        """What of `agency`'s work this follower is still moving to its successor after the admin's save (in the
        background: too much for one request), or finished moving, for the agency's admin page ("" when nothing)."""
        return ""


followers: Registry[type[Follower]] = Registry("successor follower")


@followers.register("units.outbox")
class TellTheOutbox(Follower):
    """``SUCCESSOR_RECORDED`` to the outbox, in the admin's transaction: the statistics consumer counts the ratings
    the agency received since ``on`` for the successor at once, as a rebuild would, and the national portal's adapter
    tells the portal the successor now receives the agency's procedures (what the administrator is told of it is
    integrations.reorganization's follower; nothing here: the figures follow)."""

    order = 0

    event: OutboxEvent | None = None  # what it wrote: ``follow`` names it in its audit entry

    def follow(self, actor, agency, successor, on):
        unit, new_unit = agency.admin_unit, successor.admin_unit
        self.event = emit(SUCCESSOR_RECORDED, "agency", agency.pk, {
            "effective_date": on.isoformat(), "agency": {"code": successor.code, "name": successor.name},
            "unit": {"code": new_unit.code, "name": new_unit.name, "level": new_unit.level},
            "predecessors": [{"unit_code": unit.code, "unit_name": unit.name, "agency_codes": [agency.code]}],
            "procedure_codes": list(self.procedure_codes)})
        return ""


def taking_over_on(agency: Agency) -> dt.date:
    """The day the successor takes over: the day after the agency's unit's last day when one is recorded, else today
    (the day the administrator records it; ``Agency.clean`` asks the successor to work on that day)."""
    last = agency.admin_unit.valid_to
    return last + dt.timedelta(days=1) if last else timezone.localdate()


def _ordered():
    return [cls() for _name, cls in sorted(followers.items(), key=lambda item: item[1].order)]


class Refused(Exception):
    """The followers could not hand the agency's work over when it came to moving it (``follow``): what changed since
    the admin form checked it (``reasons``, the followers' refusals). The caller's transaction is undone."""

    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def lock(agency: Agency) -> None:
    """Hold `agency`'s row until the caller's transaction ends (FOR NO KEY UPDATE): a dossier received there meanwhile
    waits (a submission reads the row FOR SHARE: dossiers.lifecycle.intake_reads), so what the followers check is what
    they move. Not FOR UPDATE: an officer's transition at the agency checks its event's foreign key to this row at
    COMMIT (FOR KEY SHARE) while holding its dossier, which the followers then wait for: a deadlock."""
    list(Agency.objects.select_for_update(no_key=True).filter(pk=agency.pk).values_list("pk", flat=True))


def refusals(actor, agency: Agency, successor: Agency) -> list[str]:
    """Why the followers could not hand `agency`'s work to `successor` (the admin form refuses the save; [] when
    they can), checked under `agency`'s lock, held until the caller's transaction ends."""
    lock(agency)
    on = taking_over_on(agency)
    return [why for each in _ordered() if (why := each.refusal(actor, agency, successor, on))]


def follow(actor, agency: Agency, successor: Agency) -> list[str]:
    """Run every registered follower for `agency`, whose successor `successor` an administrator has just recorded, in
    the caller's transaction. The followers' refusals are asked again first, under the same lock as the moves: a
    dossier received since the admin form checked them is checked too, or the whole save is ``Refused``."""
    if why := refusals(actor, agency, successor):
        raise Refused(why)
    if why := _recorded_meanwhile(agency, successor):  # another administrator's save, committed before the lock
        raise Refused([why])
    on = taking_over_on(agency)
    run, procedures = _ordered(), tuple(agency.procedure_codes())
    for each in run:
        each.procedure_codes = procedures
    said = [said for each in run if (said := each.follow(actor, agency, successor, on))]
    event = next((each.event for each in run if isinstance(each, TellTheOutbox)), None)
    # what moved, in the followers' words: the admin reads it back if the successor is changed (``change_refusal``)
    record(actor, SUCCESSOR_RECORDED, "units.Agency", agency.pk, {
        "successor": successor.code, "on": on.isoformat(), "event": event.pk if event else None, "moved": said})
    return said


def progress(agency: Agency) -> list[str]:
    """The followers' sentences on what of `agency`'s work is still moving to its successor, or has finished moving,
    in the background (``Follower.progress``): shown on the agency's admin page."""
    return [said for each in _ordered() if (said := each.progress(agency))]


def change_refusal(agency: Agency) -> str:
    """Why the successor recorded for `agency` may no longer be changed or cleared in the admin ("" when it may): the
    followers have handed it the agency's work (procedures, open dossiers whose applicants were told, feedback,
    officers' roles), the national portal was told and the statistics count the agency's later ratings for it.
    Changing it would leave all that there and tell the portal a second successor; a successor that stops working in
    turn gets its own successor recorded (the statistics and the portal follow the chain). Nothing moved (a successor
    recorded before its followers existed): it may change."""
    if not agency.successor_id:
        return ""
    entry = _recordings(agency).filter(data__successor=agency.successor.code).first()
    return _unchangeable(agency, agency.successor, entry) if entry else ""


def _recorded_meanwhile(agency: Agency, successor: Agency) -> str:
    """``change_refusal``'s words when another successor of `agency` took its work since the admin form read the
    agency (two administrators saving at once: this save waited on the lock); "" otherwise. Read under the lock."""
    entry = _recordings(agency).exclude(data__successor=successor.code).first()
    first = entry and Agency.objects.filter(code=entry.data.get("successor")).first()
    return _unchangeable(agency, first, entry) if first else ""


def _recordings(agency: Agency):
    """The audit entries of the successors recorded for `agency` whose followers ran (``follow``), latest first: what
    moved, in their words."""
    return AuditEntry.objects.filter(action=SUCCESSOR_RECORDED, object_type="units.Agency",
                                     object_id=str(agency.pk)).order_by("-pk")


def _unchangeable(agency: Agency, successor: Agency, entry: AuditEntry) -> str:
    moved = "; ".join(said.rstrip(".") for said in entry.data.get("moved") or ())
    return (f"Ngày {timezone.localtime(entry.at):%d/%m/%Y} đã ghi nhận {successor.name} là cơ quan kế thừa của "
            f"{agency.name} và chuyển sang {successor.name} công việc cơ quan này để lại"
            + (f" ({moved})" if moved else "")
            + f": không đổi hoặc bỏ cơ quan kế thừa được nữa, những gì đã chuyển vẫn ở {successor.name}. Nếu "
            f"{successor.name} cũng ngừng hoạt động, hãy ghi cơ quan kế thừa cho {successor.name}.")
