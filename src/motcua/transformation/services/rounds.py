"""Reporting rounds: open, answer, remind (SMS / e-mail through the outbox), see who has not reported."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.accounts.models import Role
from motcua.core.errors import InvalidTransition, NotFound, ValidationFailed
from motcua.outbox.services import emit
from motcua.units import lifetime
from motcua.units.models import Agency
from motcua.units.receiving import receiving_on, refusal
from motcua.units.reorganization import latest_successor

from .. import permissions
from ..models import Plan, ReportingRound, RoundReminder, RoundResponse
from ..models.rounds import REMINDER_DAYS_MESSAGE, normalized_reminder_days
from .common import audit, stored_user
from .indicators import measure_targets
from .merger import counted_tasks
from .plans import _year, task_state

DEFAULT_UNIT_KINDS = (Agency.COMMUNE_COMMITTEE, Agency.PROVINCIAL_DEPARTMENT)
RECIPIENT_ROLES = (Role.UNIT_ADMIN, Role.LEADER)
TOPIC_OPENED = "notice.dx_round_opened"
TOPIC_REMINDER = "notice.dx_round_reminder"
CLOSED = "closed"  # told, not stored: a unit whose last day passed before it answered (``with_closures``)


def _reminder_days(text: str) -> str:
    days = normalized_reminder_days(text)
    if days is None:
        raise ValidationFailed("reminder_days_invalid", REMINDER_DAYS_MESSAGE)
    return days


def open_round(user, *, title: str, year, deadline: dt.date, period_start: dt.date | None = None,
               period_end: dt.date | None = None, reminder_days: str = "7,3,1", agencies=None, note: str = ""
               ) -> ReportingRound:
    """Open a round for `agencies` (default: every commune and provincial department receiving today)."""
    permissions.require(permissions.is_provincial_admin(user), "Chỉ quản trị cấp tỉnh mở kỳ báo cáo.")
    year = _year(year)
    title = (title or "").strip() or f"Báo cáo kết quả chuyển đổi số năm {year}"
    if not isinstance(deadline, dt.date):
        raise ValidationFailed("deadline_invalid", "Hạn báo cáo phải là ngày dd/mm/yyyy.")
    if deadline < timezone.localdate():
        raise ValidationFailed("deadline_past", "Hạn báo cáo đã qua.")
    period_start, period_end = period_start or dt.date(year, 1, 1), period_end or dt.date(year, 12, 31)
    if period_start > period_end:
        raise ValidationFailed("period_invalid", "Ngày bắt đầu kỳ số liệu phải trước ngày kết thúc.")
    units = _recipients(agencies)
    if not units:
        raise ValidationFailed("round_no_units", "Chưa chọn đơn vị nào phải báo cáo.")
    with transaction.atomic():
        rnd = ReportingRound.objects.create(title=title[:500], year=year, period_start=period_start,
                                            period_end=period_end, deadline=deadline,
                                            reminder_days=_reminder_days(reminder_days), note=(note or "").strip(),
                                            opened_by=stored_user(user))
        RoundResponse.objects.bulk_create([RoundResponse(round=rnd, agency=a) for a in units])
        for agency in units:
            for person in recipients(agency):
                _notify(TOPIC_OPENED, rnd, agency, person,
                        f"Đã mở kỳ báo cáo: {rnd.title}. Hạn gửi: {rnd.deadline:%d/%m/%Y}. Đơn vị: {agency.name}.")
        audit(user, "dx.round_opened", "dx_round", rnd.pk, {"units": len(units), "deadline": str(deadline)})
    return rnd


def _recipients(agencies) -> list[Agency]:
    """The units a round opened today asks: those receiving today (units.receiving: a unit whose last day has passed
    no longer works, its agency would be asked for nobody's report). Named ones (the API's ``units``) closed are
    refused with why (409 ``round_unit_closed``, as its answer is: the unit's state, not the value naming it, is what
    refuses it); the rounds already open keep the units they asked."""
    today = timezone.localdate()
    if agencies is None:
        return list(Agency.objects.filter(receiving_on(today), kind__in=DEFAULT_UNIT_KINDS))
    units = list(agencies)
    for agency in units:
        if (no := refusal(agency, today)) is not None:
            raise InvalidTransition("round_unit_closed", f"Không thể giao báo cáo cho {agency.name}: {no.fact}.")
    return units


def close_round(user, rnd: ReportingRound) -> ReportingRound:
    """The province stops the round: no answer is sent nor reminder queued after it; the answers sent stay, and the
    units that sent none stay listed as such."""
    permissions.require(permissions.is_provincial_admin(user), "Chỉ quản trị cấp tỉnh đóng kỳ báo cáo.")
    with transaction.atomic():
        rnd.status = ReportingRound.objects.select_for_update().values_list("status", flat=True).get(pk=rnd.pk)
        if rnd.status != ReportingRound.OPEN:
            raise InvalidTransition("round_closed", "Kỳ báo cáo đã đóng.")
        rnd.status = ReportingRound.CLOSED
        rnd.save(update_fields=["status"])
        reported = rnd.responses.filter(status=RoundResponse.SUBMITTED).count()
        audit(user, "dx.round_closed", "dx_round", rnd.pk, {"reported": reported, "pending": pending(rnd).count()})
    return rnd


def recipients(agency) -> list:
    """The officers told about a round: the unit's admins and leaders."""
    return list(get_user_model().objects.filter(role_assignments__agency=agency,
                                                role_assignments__role__in=RECIPIENT_ROLES, is_active=True)
                .distinct().order_by("pk"))


def _notify(topic: str, rnd: ReportingRound, agency, person, text: str):
    return emit(topic, "user", person.pk, {"user_id": person.pk, "round_id": rnd.pk, "agency_code": agency.code,
                                           "deadline": rnd.deadline.isoformat(),
                                           "subject": f"Kỳ báo cáo chuyển đổi số: {rnd.title}", "text": text})


def response_for(rnd: ReportingRound, agency) -> RoundResponse:
    resp = RoundResponse.objects.filter(round=rnd, agency=agency).first()
    if resp is None:
        raise NotFound("round_unit_not_found", f"{agency.name} không thuộc kỳ báo cáo này.")
    return resp


def answer_refusal(resp: RoundResponse, today: dt.date | None = None) -> InvalidTransition | None:
    """Why the unit of `resp` sends no answer (409): merged away by a reorganization (``round_unit_merged``: its
    successor answers) or its unit closed before ``today`` (``round_unit_closed``, units.lifetime); None when it
    may. What it sent before stays as sent. The pages offer «Gửi báo cáo» only where this is None."""
    agency = resp.agency
    if resp.status == RoundResponse.MERGED:
        return InvalidTransition("round_unit_merged", f"{agency.name} đã sáp nhập vào {resp.merged_into.name}; đơn vị "
                                                      "mới báo cáo kỳ này.")
    today = today or timezone.localdate()
    if (life := lifetime.of_unit(agency.admin_unit)).ended_before(today):
        return InvalidTransition("round_unit_closed", f"{life.closure_of(agency.admin_unit.name, today)}: "
                                                      f"{agency.name} không gửi báo cáo kỳ này nữa.")
    return None


def submit_response(user, rnd: ReportingRound, agency) -> RoundResponse:
    """The unit sends its figures: a snapshot of its tasks and targets for the round's period."""
    # the unit's editors are told first why a closed unit answers no more (answer_refusal, 409); then the closure
    # of DX data (permissions.is_closed) refuses the rest
    permissions.require(permissions.holds_edit_role(user, agency))
    if rnd.status != ReportingRound.OPEN:
        raise InvalidTransition("round_closed", "Kỳ báo cáo đã đóng.")
    resp = response_for(rnd, agency)
    if (no := answer_refusal(resp)) is not None:
        raise no
    permissions.require_edit(user, agency)
    plan = Plan.objects.filter(agency=agency, year=rnd.year, kind=Plan.PLAN).first()
    if plan is None:
        raise InvalidTransition("plan_missing", f"{agency.name} chưa có kế hoạch chuyển đổi số năm {rnd.year}; lập kế "
                                                "hoạch trước khi gửi báo cáo.")
    tasks = list(counted_tasks(plan))  # with the tasks a merger handed over to the unit, as in the roll-up
    states = [task_state(t, rnd.period_end)[0] for t in tasks]
    snapshot = {
        "plan_id": plan.pk, "period": [rnd.period_start.isoformat(), rnd.period_end.isoformat()],
        "tasks": len(tasks), "done": states.count("done"), "overdue": states.count("overdue"),
        "targets": [{"name": m.target.name, "measure": m.target.measure, "target": m.target_label,
                     "value": None if m.value is None else str(m.value), "display": m.display, "met": m.met}
                    for m in measure_targets(plan, rnd.period_start, rnd.period_end)],
    }
    with transaction.atomic():
        resp.status, resp.submitted_at = RoundResponse.SUBMITTED, timezone.now()
        resp.submitted_by, resp.snapshot = stored_user(user), snapshot
        resp.save()
        audit(user, "dx.round_answered", "dx_round", rnd.pk, {"agency": agency.code, "plan": plan.pk})
    return resp


def pending(rnd: ReportingRound, today: dt.date | None = None):
    """The units a round still waits for (reminded, listed as not reported): not answered, not merged away
    (``follow_merger``), their unit not closed before ``today`` (``with_closures``)."""
    return (rnd.responses.filter(status=RoundResponse.PENDING)
            .exclude(lifetime.ended_before(today or timezone.localdate(), "agency__admin_unit__"))
            .select_related("agency").order_by("agency__code"))


def with_closures(responses, today: dt.date | None = None) -> list[RoundResponse]:
    """`responses`, each with its ``state``: its status, or ``CLOSED`` for a unit whose last day passed before
    ``today`` without an answer — merged or dissolved since the round opened (units.lifetime, read by the date): no
    longer waited for nor reminded (``pending``) — and ``closure``, how that is told («Đã sáp nhập vào … từ ngày …»,
    «Đã giải thể từ ngày …»; "" otherwise). An answer it sent before stays as sent."""
    today = today or timezone.localdate()
    out = list(responses)
    for r in out:
        life = lifetime.of_unit(r.agency.admin_unit)
        closed = r.status == RoundResponse.PENDING and life.ended_before(today)
        r.state, r.closure = (CLOSED, life.closure_on(today)) if closed else (r.status, "")
    return out


def expected(responses, today: dt.date | None = None) -> list:
    """The answers a round expects: not those of a unit merged away before it answered (its successor's is), nor of
    one closed since (``with_closures``)."""
    return [r for r in with_closures(responses, today) if r.state not in (RoundResponse.MERGED, CLOSED)]


def shown_name(resp: RoundResponse) -> str:
    """The unit's name in a round's lists: an answer a unit sent before it was merged is shown under the name of
    the unit that stands for it now, «(trước đây: …)», as the portal shows a merged commune."""
    now = latest_successor(resp.agency) if resp.status == RoundResponse.SUBMITTED else None
    return f"{now.name} (trước đây: {resp.agency.short_name or resp.agency.name})" if now else resp.agency.name


def open_rounds_with(agency_ids):
    """Open rounds that ask any of `agency_ids` for an answer (or hold one of theirs)."""
    return (ReportingRound.objects.filter(status=ReportingRound.OPEN, responses__agency_id__in=agency_ids)
            .distinct().order_by("pk"))


def follow_merger(user, rnd: ReportingRound, old_ids, successor, reason: str) -> dict:
    """A merger during an open round: the old units that have not answered are no longer expected (their rows
    stay, ``merged`` into `successor`), answers they sent stay as sent, and `successor` is asked if it is not
    already (its admins and leaders are told, as when a round opens). Closed rounds never change."""
    if rnd.status != ReportingRound.OPEN:
        return {}
    rows = list(RoundResponse.objects.select_for_update().filter(round=rnd, agency_id__in=old_ids)
                .select_related("agency").order_by("agency__code"))
    merged = [r.agency.code for r in rows if r.status == RoundResponse.PENDING]
    RoundResponse.objects.filter(round=rnd, agency_id__in=old_ids, status=RoundResponse.PENDING).update(
        status=RoundResponse.MERGED, merged_into=successor)
    _resp, asked = RoundResponse.objects.get_or_create(round=rnd, agency=successor)
    if asked:
        for person in recipients(successor):
            _notify(TOPIC_OPENED, rnd, successor, person,
                    f"{reason}: {successor.name} báo cáo kỳ \u201c{rnd.title}\u201d thay các đơn vị cũ. "
                    f"Hạn gửi: {rnd.deadline:%d/%m/%Y}.")
    detail = {"merged": merged, "kept": [r.agency.code for r in rows if r.status == RoundResponse.SUBMITTED],
              "successor": successor.code, "asked": asked}
    audit(user, "dx.round_unit_merged", "dx_round", rnd.pk, detail)
    return detail


def send_reminders(today: dt.date | None = None, rnd: ReportingRound | None = None) -> int:
    """Remind the units that have not reported, once per reminder day (7, 3, 1 … days before the deadline).

    Run daily (``manage.py send_dx_reminders``); a day the job missed is caught up by the next run
    with the nearest reminder day due. Returns the number of messages queued in the outbox."""
    today = today or timezone.localdate()
    if rnd is not None and rnd.status != ReportingRound.OPEN:
        raise InvalidTransition("round_closed", "Kỳ báo cáo đã đóng: không nhắc nữa.")
    rounds = [rnd] if rnd is not None else ReportingRound.objects.filter(status=ReportingRound.OPEN,
                                                                          deadline__gte=today)
    sent = 0
    for r in rounds:
        days_left = (r.deadline - today).days
        due = [o for o in r.reminder_offsets() if days_left <= o]
        offset = min(due) if due and rnd is None else days_left
        if rnd is None and not due:
            continue
        for resp in pending(r, today):
            for person in recipients(resp.agency):
                sent += _remind(r, resp.agency, person, offset, days_left)
    return sent


def _remind(rnd: ReportingRound, agency, person, offset: int, days_left: int) -> int:
    text = (f"Nhắc báo cáo chuyển đổi số: {agency.name} chưa gửi \u201c{rnd.title}\u201d. Hạn {rnd.deadline:%d/%m/%Y}"
            f" (còn {days_left} ngày).")
    try:
        with transaction.atomic():
            reminder = RoundReminder.objects.create(round=rnd, agency=agency, user=person, days_before=offset)
            event = _notify(TOPIC_REMINDER, rnd, agency, person, text)
            reminder.outbox_event_id = event.pk
            reminder.save(update_fields=["outbox_event_id"])
    except IntegrityError:
        return 0  # already reminded for this day
    return 1
