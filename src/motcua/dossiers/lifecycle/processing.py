"""Processing: the walk through the procedure's internal steps (catalog ProcessSteps), inter-agency hand-over
and return (liên thông, control sheet Mẫu 05), pause and resume (the clock stops), extension and the
apology slip with a new appointment (Mẫu 04)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from motcua.accounts.models import ACTING_ROLES
from motcua.accounts.permissions import has_role
from motcua.core import calendar
from motcua.core.calendar import TZ
from motcua.core.errors import InvalidTransition, ValidationFailed
from motcua.units import receiving
from motcua.units.models import Agency

from .. import rules
from ..models import Dossier, Slip, Status, StepRun
from . import store
from .commit import iso, issue_slip, now
from .timeliness import step_timeliness
from .transitions import Event, reason, transition


def _agency_of_step(d: Dossier, step, at: dt.datetime) -> Agency:
    """Where a process step is done: its agency, an agency of its kind, or the receiving agency. Another agency
    than the receiving one is sent the dossier: it must receive that day (units.receiving), or the dossier would wait
    there for nobody; the step's own agency whose unit has closed is refused (the procedure's internal process names
    it: the catalog is to be corrected, or the dossier handed over)."""
    day = timezone.localdate(at)
    due = timezone.localdate(d.due_at) if d.due_at else None
    if step.agency_id:
        refused = None
        if step.agency_id != d.agency_id:  # nor to one dissolving ahead before the dossier is due
            refused = receiving.sending_refusal(step.agency, day, due)
        if refused:
            raise InvalidTransition(
                "step_agency_not_receiving",
                f"Bước «{step.name}» do {step.agency.name} thực hiện theo quy trình nội bộ của thủ tục. "
                f"{refused.fact}. Cần sửa cơ quan thực hiện bước này trong danh mục thủ tục, hoặc chuyển liên thông "
                "hồ sơ cho cơ quan khác.",
                details={"step": step.order, "agency": step.agency.code, "reason": refused.code})
        return step.agency
    if not step.agency_kind or step.agency_kind == d.agency.kind:
        return d.agency
    candidates = Agency.objects.filter(receiving.receiving_on(day), kind=step.agency_kind)
    if due:
        candidates = candidates.filter(receiving.taking_due(due))
    # Prefer the agency of the same administrative unit, then of its parent (province), then any.
    unit = d.agency.admin_unit
    for scope in (Q(admin_unit_id=unit.pk), Q(admin_unit_id=unit.parent_id) if unit.parent_id else None, Q()):
        if scope is None:
            continue
        found = candidates.filter(scope).order_by("code").first()
        if found:
            return found
    raise InvalidTransition("no_agency_for_step",
                            f"Không tìm thấy cơ quan thực hiện bước «{step.name}».",
                            details={"step": step.order, "agency_kind": step.agency_kind})


def _holders(d: Dossier) -> list[Agency]:
    """The lead agency (which returns the result) and the agency holding the dossier, once each."""
    return [d.agency] if d.current_agency_id in (None, d.agency_id) else [d.agency, d.current_agency]


def bounded(d: Dossier) -> bool:
    """Whether a last day bounds the appointment of ``d`` (units.receiving.appointment_bound of a holder): only then
    is a moved appointment computed ahead to be checked."""
    return any(receiving.appointment_bound(a) is not None for a in _holders(d))


def check_new_appointment(d: Dossier, at: dt.datetime, due: dt.datetime, *, doing: str, advice: str = "",
                          error=ValidationFailed, **details) -> None:
    """A transition moving the appointment of ``d`` to ``due`` keeps it by the last day of its lead agency (which
    returns the result) and of the agency holding it, where a dissolution is recorded ahead
    (units.receiving.appointment_refusal, HOLDING): else ``error`` «Không ``doing`` được: …», with the refusal's advice
    or its fact and ``advice``. Asked before anything is written; both units come with the locking statement."""
    day, new = timezone.localdate(at), timezone.localdate(due)
    for agency in _holders(d):
        if refused := receiving.appointment_refusal(agency, day, new, receiving.HOLDING):
            told = f"{refused.fact}. {advice}" if advice else refused.message
            raise error(refused.code, f"Không {doing} được: {told}", details={**refused.details, **details})


def open_run(d: Dossier) -> StepRun | None:
    if hasattr(d, "_lifecycle_open_run"):  # read by the locking statement (reads=("open_run",))
        return d._lifecycle_open_run
    return d.step_runs.filter(finished_at__isnull=True).order_by("-started_at", "-id").first()


def _steps(d: Dossier):
    steps = getattr(d, "_lifecycle_steps", None)  # read by the locking statement (reads=("steps",))
    if steps is None:
        steps = list(d.procedure.steps.select_related("agency").order_by("order"))
    d.procedure._lifecycle_last_step_pk = steps[-1].pk if steps else None  # see guards.last_step_pk
    return steps


def _check_assignee(assignee, agency) -> None:
    if assignee is not None and not has_role(assignee, ACTING_ROLES, agency):
        raise ValidationFailed("assignee_invalid", f"Người được giao không phải cán bộ của {agency.name}.")


def _start_step(d: Dossier, step, *, at, assignee=None) -> StepRun:
    agency = _agency_of_step(d, step, at)
    _check_assignee(assignee, agency)
    run = StepRun(dossier=d, step=step, agency=agency, assignee=assignee, started_at=at,
                  due_at=calendar.add_working_days(at, step.duration_days))
    store.insert(run)
    d.current_step = step
    d.current_agency = agency
    if assignee is not None:
        d.assignee = assignee
    return run


def shifted_due(d: Dossier, since: dt.datetime, at: dt.datetime) -> tuple[int, dt.datetime | None]:
    """The working minutes elapsed in [since, at) and the due date they push the dossier's to."""
    waited = max(0, calendar.working_minutes_between(since, at))
    return waited, (calendar.add_working_minutes(d.due_at, waited) if waited and d.due_at else d.due_at)


def check_shifted_due(d: Dossier, since, at: dt.datetime, *, doing: str, advice: str) -> None:
    """The clock resuming (``shift_clock``) does not push the appointment past a last day (check_new_appointment)."""
    if since is None or d.due_at is None or not bounded(d):
        return
    if (due := shifted_due(d, since, at)[1]) != d.due_at:
        check_new_appointment(d, at, due, doing=doing, advice=advice, error=InvalidTransition)


def shift_clock(d: Dossier, since: dt.datetime, at: dt.datetime) -> int:
    """Stop-the-clock: push due dates by the working minutes elapsed in [since, at)."""
    waited, due = shifted_due(d, since, at)
    if waited:
        if d.due_at:
            d.due_at = due
        run = open_run(d)
        if run is not None:
            run.due_at = calendar.add_working_minutes(run.due_at, waited)
            store.update(run, ["due_at"])
    d.paused_minutes += waited
    d.paused_at = None
    return waited


@transition("start_processing", reads=("steps",))
def start_processing(d, at, *, officer, assignee=None) -> Event:
    """RECEIVED → PROCESSING at the first process step (the counter forwards the dossier)."""
    steps = _steps(d)
    d.status = Status.PROCESSING
    step = None
    if steps:
        step = steps[0]
        _start_step(d, step, at=at, assignee=assignee)
    else:
        d.current_step = None
        if assignee is not None:
            _check_assignee(assignee, d.agency)
            d.assignee = assignee
    to_agency = d.current_agency if d.current_agency_id != d.agency_id else None
    return Event(agency=d.agency, to_agency=to_agency, step=step)


@transition("complete_step", reads=("steps", "open_run"))
def complete_step(d, at, *, officer, note="", assignee=None) -> Event:
    """Finish the current step and move to the next; a step in another agency is a recorded hand-over."""
    done_step = d.current_step
    from_agency = d.current_agency or d.agency
    run = open_run(d)
    if run is not None:
        run.finished_at = at
        run.note = note or ""
        store.update(run, ["finished_at", "note"])
    nxt = next((s for s in _steps(d) if s.order > done_step.order), None)
    data = {"step_done": done_step.order, "step_timeliness": step_timeliness(run) if run else None}
    if nxt is None:
        d.current_step = None  # every step done: waiting for the decision
        to_agency = None
    else:
        _start_step(d, nxt, at=at, assignee=assignee)
        to_agency = d.current_agency if d.current_agency_id != from_agency.pk else None
        data["next_step"] = nxt.order
    if to_agency is not None:
        data["hand_over"] = True
    return Event(note=note, agency=from_agency, to_agency=to_agency, step=done_step, data=data)


def _receiving_agency(d, at, args) -> None:
    to_agency = args.get("to_agency")
    if to_agency is None or getattr(to_agency, "pk", None) is None:
        raise ValidationFailed("to_agency_required", "Cần chọn cơ quan nhận hồ sơ liên thông.")
    if to_agency.pk == (d.current_agency or d.agency).pk:
        raise ValidationFailed("same_agency", "Cơ quan nhận phải khác cơ quan đang xử lý.")
    # its unit closed (nobody there), or its dissolution recorded ahead: the dossier would still be waiting there
    # after its last day
    due = timezone.localdate(d.due_at) if d.due_at else None
    if refused := receiving.sending_refusal(to_agency, timezone.localdate(at), due):
        raise ValidationFailed(refused.code, refused.message, details={**refused.details, "field": "to_agency"})


@transition("hand_over", checks=[_receiving_agency])
def hand_over(d, at, *, officer, to_agency, note="") -> Event:
    """Inter-agency (liên thông) hand-over to another agency, recorded like the control sheet (Mẫu 05)."""
    from_agency = d.current_agency or d.agency
    d.current_agency = to_agency
    return Event(note=note, agency=from_agency, to_agency=to_agency, step=d.current_step)


def _lead_agency_receiving(d, at, args) -> None:
    """The lead agency whose unit has closed since the hand-over (its last day passed, dissolved or merged: a closure
    in the admin moves nothing; a merger's plan has already moved the dossier to the agency taking over) is not sent
    it back: it would wait there for nobody (units.receiving.handover_refusal, its words)."""
    if refused := receiving.handover_refusal(d.agency, timezone.localdate(at)):
        raise InvalidTransition("lead_agency_not_receiving",
                                f"Không trả được hồ sơ về cơ quan chủ trì: {refused.message}",
                                details={"agency": d.agency.code, "reason": refused.code})


@transition("return_from_agency", checks=[_lead_agency_receiving])
def return_from_agency(d, at, *, officer, note="") -> Event:
    """The cooperating agency sends the dossier back to the lead (receiving) agency, which must still receive."""
    from_agency = d.current_agency
    d.current_agency = d.agency
    return Event(note=note, agency=from_agency, to_agency=d.agency, step=d.current_step)


@transition("pause", checks=[reason("Cần nêu rõ lý do tạm dừng.")])
def pause(d, at, *, officer, reason) -> Event:
    """PROCESSING → PAUSED; the deadline clock stops until resume."""
    d.status = Status.PAUSED
    d.paused_at = at
    return Event(note=reason)


# A pause's clock stop (or a supplement's) moves the appointment: where it would pass the last day of a unit dissolving
# ahead, the dossier cannot be finished there in time.
RESUME_ADVICE = ("Ngày hẹn trả lùi thêm thời gian hồ sơ tạm dừng; cần dừng giải quyết hồ sơ (Dừng giải quyết) và hướng "
                 "dẫn người nộp nộp hồ sơ tại nơi khác.")


def _resume_in_time(d, at, args) -> None:
    check_shifted_due(d, d.paused_at or at, at, doing="tiếp tục xử lý", advice=RESUME_ADVICE)


@transition("resume", checks=[_resume_in_time], reads=("open_run",))
def resume(d, at, *, officer) -> Event:
    """PAUSED → PROCESSING; due dates move by the working time the dossier was paused."""
    waited = shift_clock(d, d.paused_at or at, at)
    d.status = Status.PROCESSING
    return Event(data={"paused_working_minutes": waited})


MAX_EXTENSION_DAYS = 365  # the longest extension taken as typed: a bound on typing errors, not a legal limit
MIN_EXTENSION_DAYS = 0.5  # the shortest: half a working day (the page's and the API's lower bound, checked again here)


DAYS_INVALID = ("days_invalid", "Số ngày gia hạn phải là số dương (ngày làm việc).")
DAYS_NOT_HALVES = ("days_invalid", "Số ngày gia hạn tính theo ngày làm việc hoặc nửa ngày (ví dụ 0,5; 1; 1,5).")


def _extension_days(d, at, args) -> None:
    try:
        n = float(args.get("days"))
    except (TypeError, ValueError):
        n = 0
    if not MIN_EXTENSION_DAYS <= n <= MAX_EXTENSION_DAYS:  # NaN compares false both ways, so it fails here too (infinity is past)
        raise ValidationFailed(*DAYS_INVALID)
    if not (2 * n).is_integer():  # a working day is counted by its two sessions: whole or half days, as the page says
        raise ValidationFailed(*DAYS_NOT_HALVES, details={"field": "days"})


def _extended_in_time(d, at, args) -> None:
    if bounded(d):  # the new appointment computed ahead only where a last day bounds it
        check_new_appointment(d, at, calendar.add_working_days(d.due_at, args["days"]), doing="gia hạn", field="days")


@transition("extend", checks=[reason("Cần nêu rõ lý do gia hạn."), _extension_days, _extended_in_time])
def extend(d, at, *, officer, days, reason) -> Event:
    """Extend the deadline by `days` working days where a specialised law allows it."""
    old = d.due_at
    d.due_at = calendar.add_working_days(d.due_at, days)
    d.extension_count += 1
    return Event(note=reason, data={"days": str(days), "previous_due_at": iso(old)})


def _apology_in_time(d, at, args) -> None:
    r = rules.rules_of(d)
    due_day = d.due_at.astimezone(TZ).date()
    if at.astimezone(TZ).date() > due_day - dt.timedelta(days=r.apology_min_days_before_due):
        raise InvalidTransition("apology_too_late",
                                f"Phiếu xin lỗi phải được gửi chậm nhất {r.apology_min_days_before_due} ngày "
                                f"trước ngày hẹn trả ({d.due_at.astimezone(TZ):%d/%m/%Y}).")
    new_due = now(args.get("new_due_at")) if args.get("new_due_at") else None
    if new_due is None or new_due <= d.due_at:
        raise ValidationFailed("new_due_invalid", "Ngày hẹn lại phải sau ngày hẹn trả hiện tại.")
    check_new_appointment(d, at, new_due, doing="hẹn lại ngày trả kết quả", field="new_due_at")
    args["new_due_at"] = new_due


@transition("issue_apology", checks=[reason("Cần nêu rõ lý do chậm trả kết quả."), _apology_in_time])
def issue_apology(d, at, *, officer, reason, new_due_at) -> Event:
    """Apology slip with a new appointment: by the late agency's leader, once, ≥ 1 day before the deadline."""
    old = d.due_at
    d.due_at = new_due_at
    d.apology_count += 1
    issue_slip(d, Slip.APOLOGY, officer=officer, at=at, reason=reason, previous_due_at=old, new_due_at=new_due_at,
               agency_code=(d.current_agency or d.agency).code)
    return Event(note=reason, data={"previous_due_at": iso(old), "new_due_at": iso(new_due_at)})
