"""Intake: the citizen's draft and online submission (Decree 45/2020), receipt at the counter, the one
written request for a supplement, and refusal (Decree 61/2018 + Circular 01/2018; Decree 118/2025 +
Circular 03/2025)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from motcua.catalog.models import OnlineLevel
from motcua.core import calendar
from motcua.core.cccd import parse_id_number
from motcua.core.errors import PermissionDenied, ValidationFailed
from motcua.units import receiving

from .. import codes, rules
from ..models import Channel, Dossier, ReturnMethod, Slip, Status, SupplementRequest
from . import intake_reads
from .commit import commit, flag_of, issue_slip, lock, now, run_locked
from .creation import create_once, save_new
from .guards import COUNTER, is_owner, require_role, require_status
from .processing import check_shifted_due, shift_clock
from .returns import check_return_method
from .transitions import Event, reason, transition


def _apply_applicant(d: Dossier, applicant_data: dict) -> None:
    data = applicant_data or {}
    name = (data.get("name") or "").strip()
    if not name:
        raise ValidationFailed("applicant_name_required", "Cần nhập họ tên người nộp hồ sơ.")
    id_number = (data.get("id_number") or "").replace(" ", "").strip()
    if id_number:
        id_number = parse_id_number(id_number).value
    d.applicant_name = name[:200]
    d.applicant_id_number = id_number
    d.applicant_phone = (data.get("phone") or "").strip()[:20]
    d.applicant_email = (data.get("email") or "").strip()[:254]
    d.applicant_address = (data.get("address") or "").strip()[:255]
    # Who vouches for the applicant's data (Decision 766 4.5): the caller passes what the e-ID sign-in and the
    # population database look-up told it; a flag once set stays set.
    d.applicant_vneid = d.applicant_vneid or bool(data.get("vneid_verified"))
    d.applicant_population = d.applicant_population or bool(data.get("population_checked"))


def _validate_form(procedure, form_data: dict) -> dict:
    form = dict(form_data or {})
    missing = []
    for field in procedure.form_schema or []:
        if isinstance(field, dict) and field.get("required") and field.get("name"):
            value = form.get(field["name"])
            if value is None or (isinstance(value, str) and not value.strip()):
                missing.append(field.get("label") or field["name"])
    if missing:
        raise ValidationFailed("form_incomplete", "Tờ khai còn thiếu: " + ", ".join(missing) + ".",
                               details={"missing": missing})
    return form


def _offered(procedure, agency) -> tuple[int, int]:
    """How many agencies the procedure names, and whether this agency is one of them: read with the procedure
    when it was (intake_reads.procedure_and_agency, the API's submissions), else one statement."""
    known = getattr(procedure, "_lifecycle_offered", None)
    if known is not None and known[0] == agency.pk:
        return known[1], known[2]
    offered = procedure.agencies.through.objects.filter(procedure_id=procedure.pk).aggregate(
        named=Count("pk"), this=Count("pk", filter=Q(agency_id=agency.pk)))
    return offered["named"], offered["this"]


def _share(procedure, agency) -> tuple[int, int] | None:
    """Read ``agency``'s row FOR SHARE in the submission's transaction, unless the submission's first statement did
    (creation.create_once), so that whether it still receives is checked on the row its dossier is inserted against
    (intake_reads: an administrator switching it off or recording its successor meanwhile). Returns what
    ``_offered`` counts when it was read with it (None: ``_offered`` tells). Lock order: before the dossier's row
    (commit.py)."""
    if intake_reads.shared_in_transaction(agency):
        return None
    offered = intake_reads.share_agency(agency, procedure.pk)
    if offered is None:
        raise ValidationFailed("agency_not_found", f"Không có cơ quan mã “{agency.code}”.")
    return offered


def _check_offered(procedure, agency, *, online: bool, at: dt.datetime, offered=None) -> None:
    """Whether ``procedure`` is received by ``agency`` at ``at`` (ValidationFailed with why not). ``offered``: what
    ``_share`` read, when the caller took the agency's share lock (intake_reads); else what ``_offered`` tells."""
    if not procedure.is_active:
        raise ValidationFailed("procedure_inactive", "Thủ tục này không còn áp dụng.")
    # An agency not working, or whose unit does not exist that day (merged or dissolved), receives nothing.
    if refused := receiving.refusal(agency, timezone.localdate(at)):
        raise ValidationFailed(refused.code, refused.message)
    if online and procedure.online_level not in (OnlineLevel.FULL, OnlineLevel.PARTIAL):
        # Decree 42/2022: only procedures offered as online public services take online dossiers.
        raise ValidationFailed("procedure_not_online", "Thủ tục này chưa cung cấp dịch vụ công trực tuyến.")
    named, this = offered or _offered(procedure, agency)
    if named:
        if not this:
            raise ValidationFailed("agency_not_offering", "Cơ quan đã chọn không tiếp nhận thủ tục này.")
    elif procedure.agency_kind and procedure.agency_kind != agency.kind:
        raise ValidationFailed("agency_not_offering", "Cơ quan đã chọn không tiếp nhận thủ tục này.")


def appointment(procedure, at: dt.datetime) -> dt.datetime:
    """The appointment of a dossier of ``procedure`` received at ``at``: its time limit in working days counted from
    receipt (Decree 61/2018 / Decree 118/2025: appointment on the receipt slip, Mẫu 01)."""
    return calendar.add_working_days(at, procedure.processing_days)


def check_appointment(procedure, agency, at: dt.datetime, *, advice: str = "") -> None:
    """A dossier of ``procedure`` received by ``agency`` at ``at`` is not due after the last day of a unit whose
    dissolution is recorded ahead (units.receiving.appointment_refusal): else ValidationFailed naming both days, in
    the citizen's words, or the refusal's fact followed by ``advice`` for an officer."""
    if receiving.appointment_bound(agency) is None:  # nearly every agency: no appointment to compute here
        return
    due = timezone.localdate(appointment(procedure, at))
    if refused := receiving.appointment_refusal(agency, timezone.localdate(at), due):
        raise ValidationFailed(refused.code, f"{refused.fact}. {advice}" if advice else refused.message,
                               details=refused.details)


def _set_received(d: Dossier, at: dt.datetime, digitized) -> None:
    d.received_at = at
    d.rule_version = rules.rule_version_for(at)
    d.due_at = appointment(d.procedure, at)
    d.original_due_at = d.due_at
    d.digitized_at_receipt = flag_of(digitized, d)
    d.current_agency = d.agency


# ---------------------------------------------------------------------------------------------- citizen side

def save_draft(*, applicant, procedure, agency, applicant_data: dict, form_data: dict, dossier=None,
               at=None) -> Dossier:
    """Create or update the citizen's draft (nothing is sent to the agency)."""
    at = now(at)
    if applicant is None or not getattr(applicant, "is_authenticated", False):
        raise PermissionDenied("forbidden", "Bạn cần đăng nhập để lưu hồ sơ nháp.")

    def body(d: Dossier | None) -> Dossier:
        created = d is None
        if created:
            d = Dossier(applicant=applicant, submitted_by=applicant, status=Status.DRAFT, channel=Channel.ONLINE,
                        return_method=ReturnMethod.ONLINE, created_at=at)
        else:
            if not is_owner(d, applicant):
                raise PermissionDenied("forbidden", "Bạn không có quyền sửa hồ sơ này.")
            require_status(d, "save_draft", {Status.DRAFT})
        # A new draft reads the agency's row under the share lock; a saved one is locked already (run_locked), and
        # the agency's row is never locked after a dossier's (lock order: commit.py). A draft is not received: its
        # submission checks again.
        _check_offered(procedure, agency, online=True, at=at, offered=_share(procedure, agency) if created else None)
        d.procedure, d.agency = procedure, agency
        # Name may be missing in an early draft; keep what we have.
        data = dict(applicant_data or {})
        if not (data.get("name") or "").strip():
            data["name"] = getattr(applicant, "full_name", "") or str(applicant)
        _apply_applicant(d, data)
        d.form_data = dict(form_data or {})
        d.rule_version = rules.rule_version_for(at)
        d.fee_vnd = procedure.fee_for_channel(Channel.ONLINE)
        return commit(d, action="save_draft", from_status="" if created else Status.DRAFT, actor=applicant,
                      at=at, agency=agency)

    if dossier is None:
        with transaction.atomic():
            return body(None)
    return run_locked(dossier, body)


def submit_online(*, applicant, procedure, agency, applicant_data: dict, form_data: dict, return_method="online",
                  idempotency_key=None, draft=None, at=None) -> Dossier:
    """Submit a dossier online → SUBMITTED with its code (Decree 45/2020; code: Decree 61/2018 art. 26)."""
    at = now(at)
    if applicant is None or not getattr(applicant, "is_authenticated", False):
        raise PermissionDenied("forbidden", "Bạn cần đăng nhập để nộp hồ sơ trực tuyến.")
    check_return_method(return_method, applicant_data)

    def create() -> Dossier:
        offered = _share(procedure, agency)  # the agency's row before the draft's (lock order: commit.py)
        if draft is not None:
            d = lock(draft)
            if not is_owner(d, applicant):
                raise PermissionDenied("forbidden", "Bạn không có quyền nộp hồ sơ này.")
            require_status(d, "submit_online", {Status.DRAFT})
            from_status = Status.DRAFT
        else:
            d = Dossier(applicant=applicant, submitted_by=applicant, created_at=at)
            from_status = ""
        _check_offered(procedure, agency, online=True, at=at, offered=offered)
        check_appointment(procedure, agency, at)
        _apply_applicant(d, applicant_data)
        d.form_data = _validate_form(procedure, form_data)
        d.procedure, d.agency = procedure, agency
        d.channel = Channel.ONLINE
        d.return_method = return_method
        d.status = Status.SUBMITTED
        d.submitted_at = at
        d.rule_version = rules.rule_version_for(at)  # provisional; fixed at receipt
        d.fee_vnd = procedure.fee_for_channel(Channel.ONLINE)
        d.idempotency_key = idempotency_key or None
        d.code = codes.assign_code(agency, at)
        return commit(d, action="submit_online", from_status=from_status, actor=applicant, at=at, agency=agency)

    return create_once(applicant, idempotency_key, create, agency)


# ---------------------------------------------------------------------------------------------- counter

def reception_day_off(agency, moment: dt.datetime) -> str:
    """'' when the counter of ``agency`` normally receives at ``moment``; else what the day is, "thứ Bảy
    05/12/2026" (core.calendar.counter_day_off, the unit's Saturday mornings open or not)."""
    if agency is None:
        return ""
    return calendar.counter_day_off(moment, saturday_morning=agency.works_saturday_morning)


def check_off_day_reason(agency, moment: dt.datetime, reason: str | None) -> str:
    """The one rule for a reception on a day off of the receiving unit, asked by the back office's forms, by the API
    and by the receptions themselves: there a reason is required, else ValidationFailed ``off_day_reason_required``
    naming the day (nothing is written); on a working day there is nothing to explain and a reason given is not
    recorded. Returns the reason to record ('' on a working day)."""
    day_off = reception_day_off(agency, moment)
    if not day_off:
        return ""
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed("off_day_reason_required",
                               f"Vui lòng nêu lý do tiếp nhận vào ngày nghỉ: {day_off} không phải ngày làm việc của "
                               f"{agency.name}; lý do được ghi vào quá trình xử lý hồ sơ.",
                               details={"field": "off_day_reason", "day_off": day_off})
    return text


def _off_day_reason(d, at, args) -> None:
    if args.get("off_day_reason") is not None:
        args["off_day_reason"] = check_off_day_reason(d.agency, at, args["off_day_reason"])


def _appointment_kept(d, at, args) -> None:
    check_appointment(d.procedure, d.agency, at, advice="Không tiếp nhận được hồ sơ này: hãy từ chối tiếp nhận (Mẫu "
                                                        "03), hướng dẫn người nộp chọn nơi nộp khác.")


@transition("receive", checks=[_off_day_reason, _appointment_kept])
def receive(d, at, *, officer, digitized=False, off_day_reason=None) -> Event:
    """SUBMITTED → RECEIVED: receipt slip with appointment (Mẫu 01); rule version fixed at this date.
    ``digitized``: the ``digitized_at_receipt`` flag, or the function of the dossier that says it (the back office
    and the API pass documents.digitization_flags.receipt_digitized: what the officer confirmed, asked under the lock).
    ``off_day_reason``: the counter's answer to "why receive on a day off?" (back office, API), checked by
    ``check_off_day_reason`` against the dossier's agency at ``at`` and kept in the history; None (the default): not
    asked, for callers that replay or load past receptions."""
    _set_received(d, at, digitized)
    d.status = Status.RECEIVED
    issue_slip(d, Slip.RECEIPT, officer=officer, at=at, due_at=d.due_at, code=d.code)
    return Event(**_off_day(off_day_reason))


def _off_day(reason: str) -> dict:
    reason = (reason or "").strip()
    return {"note": f"Tiếp nhận vào ngày nghỉ: {reason}", "data": {"off_day_reason": reason}} if reason else {}


def receive_at_counter(*, officer, procedure, agency, applicant_data, form_data, channel="counter",
                       digitized=False, return_method="counter", idempotency_key=None, at=None,
                       off_day_reason=None) -> Dossier:
    """A walk-in (or postal) dossier received directly → RECEIVED with code and appointment. ``digitized`` as for
    ``receive``; the back office and the API leave it False: the dossier this creates has no confirmed scan yet
    (a later one is recorded by documents.digitization_flags.mark_digitized). ``off_day_reason`` as for ``receive``,
    checked against ``agency`` (after the earlier attempt of an idempotent retry is looked for)."""
    at = now(at)
    if channel not in (Channel.COUNTER, Channel.POST):
        raise ValidationFailed("channel_invalid", "Hình thức nộp phải là trực tiếp hoặc bưu chính.")
    check_return_method(return_method, applicant_data, account=False)  # no account to link
    require_role(officer, COUNTER, [agency], "receive_at_counter")

    def create() -> Dossier:
        _check_offered(procedure, agency, online=False, at=at, offered=_share(procedure, agency))
        check_appointment(procedure, agency, at)
        reason_given = off_day_reason if off_day_reason is None else check_off_day_reason(agency, at, off_day_reason)
        d = Dossier(submitted_by=officer, procedure=procedure, agency=agency, created_at=at)
        _apply_applicant(d, applicant_data)
        d.form_data = _validate_form(procedure, form_data)
        d.channel = channel
        d.return_method = return_method
        d.status = Status.RECEIVED
        d.submitted_at = at
        d.fee_vnd = procedure.fee_for_channel(channel)
        d.idempotency_key = idempotency_key or None
        _set_received(d, at, digitized)
        d.code = codes.assign_code(agency, at)
        save_new(d)
        issue_slip(d, Slip.RECEIPT, officer=officer, at=at, due_at=d.due_at, code=d.code)
        return commit(d, action="receive_at_counter", from_status="", actor=officer, at=at, agency=agency,
                      **_off_day(reason_given))

    return create_once(officer, idempotency_key, create, agency)


def _supplement_items(d, at, args) -> None:
    args["items"] = [str(i).strip() for i in (args.get("items") or []) if str(i).strip()]
    if not args["items"]:
        raise ValidationFailed("supplement_items_required", "Cần liệt kê các giấy tờ phải bổ sung, hoàn thiện.")


@transition("request_supplement", checks=[_supplement_items, reason("Cần nêu rõ lý do yêu cầu bổ sung.")])
def request_supplement(d, at, *, officer, items: list[str], reason: str) -> Event:
    """Ask ONCE, in writing, for the listed missing items (Mẫu 02); the deadline clock stops."""
    from_status = d.status
    SupplementRequest.objects.create(dossier=d, items=items, reason=reason, requested_at=at, requested_by=officer)
    issue_slip(d, Slip.SUPPLEMENT, officer=officer, at=at, items=items, reason=reason)
    d.supplement_count += 1
    d.status = Status.SUPPLEMENT_REQUESTED
    # Decision 766 (LEGAL §6): the time waiting for the applicant is not processing time.
    if d.received_at is not None:
        d.paused_at = at
    return Event(note=reason, data={"items": items, "resume_status": from_status})


def _supplement_in_time(d, at, args) -> None:
    """The clock resuming moves the appointment (``shift_clock``): not past the last day of a unit dissolving ahead
    (processing.check_new_appointment); the applicant is told whom to ask, an officer what to do."""
    advice = (f"Vui lòng liên hệ {d.agency.name} để được hướng dẫn." if is_owner(d, args["by"]) else
              "Ngày hẹn trả lùi thêm thời gian chờ bổ sung; cần dừng giải quyết hồ sơ (Dừng giải quyết) và hướng dẫn "
              "người nộp nộp hồ sơ tại nơi khác.")
    check_shifted_due(d, d.paused_at, at, doing="bổ sung hồ sơ", advice=advice)


@transition("provide_supplement", actor="by", checks=[_supplement_in_time])
def provide_supplement(d, at, *, by, form_data=None) -> Event:
    """The applicant supplements; back to where the dossier was, the clock resumes (due date shifted)."""
    last = d.events.filter(action="request_supplement").order_by("-at", "-id").first()
    back = (last.data or {}).get("resume_status") if last else None
    if d.received_at is None or back not in (Status.RECEIVED, Status.PROCESSING):
        back = Status.SUBMITTED if d.received_at is None else Status.PROCESSING
    waited = 0
    if d.paused_at is not None:
        waited = shift_clock(d, d.paused_at, at)
    if form_data:
        d.form_data = {**(d.form_data or {}), **dict(form_data)}
    d.supplement_requests.filter(fulfilled_at__isnull=True).update(fulfilled_at=at)
    d.status = back
    # Supplements made online keep the same dossier code (Decree 45/2020 art. 12).
    return Event(data={"waited_working_minutes": waited})


@transition("refuse", checks=[reason("Cần nêu rõ lý do từ chối tiếp nhận hồ sơ.")])
def refuse(d, at, *, officer, reason) -> Event:
    """Refuse to receive (not eligible / out of scope), with the reason (Mẫu 03)."""
    d.status = Status.REFUSED
    d.refusal_reason = reason
    d.closed_at = at
    d.paused_at = None
    issue_slip(d, Slip.REFUSAL, officer=officer, at=at, reason=reason)
    return Event(note=reason)
