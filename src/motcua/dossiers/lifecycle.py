"""Every legal transition of a dossier lives here.

Public functions below are the contract other apps (api, portal, backoffice, reporting tests)
program against. Each one:
- runs in one transaction (transaction.atomic), locks the dossier row (select_for_update);
- checks the current status and the actor's role, raising motcua.core.errors.InvalidTransition /
  PermissionDenied / ValidationFailed (code + Vietnamese message) and changing nothing on failure;
- writes a DossierEvent, an audit entry (motcua.audit.services.record) and an outbox event
  (motcua.outbox.services.emit, topic "dossier.<action>") in the same transaction;
- accepts `at=` (aware datetime) to replay history in tests and simulations; default now;
- increments dossier.version and returns the updated Dossier (the instance passed in is refreshed too).

Outbox payload for every topic (reporting and integrations rely on it):
  {"dossier_id", "code", "action", "from_status", "to_status", "at" (ISO), "procedure_code",
   "procedure_online_level", "field_code", "agency_code", "current_agency_code", "channel",
   "received_at", "due_at", "decided_at", "returned_at", "fee_vnd", "fee_paid_online",
   "digitized_at_receipt", "result_digitized", "result_electronic", "supplement_count",
   "apology_count", "applicant_id_number"}
  plus "version", "rule_version", "step_order", "to_agency_code" (may be null).

Legal texts: Decree 61/2018/NĐ-CP + Circular 01/2018/TT-VPCP for dossiers received before
01/07/2025; Decree 118/2025/NĐ-CP + Circular 03/2025/TT-VPCP from then on; Decree 45/2020/NĐ-CP for
the online channel. Version-dependent numbers live in motcua.dossiers.rules.

Other public names: ``allowed_actions``, ``timeliness``, ``step_timeliness``, ``awaiting_decision``,
``online_receipt_due_at``, ``handovers`` (control sheet rows), ``GUARDS`` (action → guard(dossier,
user) raising the same errors as the transition; used by dossiers.access.can_act),
``ACTION_LABELS`` (Vietnamese button labels), ``payload`` (the outbox payload), ``TERMINAL``,
``DossierRef`` (name a dossier by code + visibility rule instead of loading it: the transition's own
locking statement finds it; used by the API). A retried idempotent submission returns the first dossier
with ``idempotent_replay = True``.

Processing is a walk through the procedure's ProcessSteps (catalog). "Waiting for the decision"
is represented as: status PROCESSING, ``current_step`` None and no open StepRun (see
``awaiting_decision``). ``approve``/``reject`` are allowed then, or while the LAST step is open (the
leader's approval step is closed by the decision itself).
"""

from __future__ import annotations

import copy
import datetime as dt
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connections, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from motcua.accounts.permissions import has_role
from motcua.audit.services import record as audit_record
from motcua.catalog.models import OnlineLevel
from motcua.core import calendar
from motcua.core.cccd import parse_id_number
from motcua.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from motcua.outbox.services import emit
from motcua.units.models import Agency

from . import codes, rules
from .models import Channel, Dossier, DossierEvent, ReturnMethod, Slip, Status, StepRun, SupplementRequest

TZ = calendar.TZ
TERMINAL = frozenset({Status.REFUSED, Status.REJECTED, Status.RETURNED, Status.WITHDRAWN, Status.STOPPED})
BEFORE_RECEIPT = frozenset({Status.SUBMITTED})
IN_PROGRESS = frozenset({Status.RECEIVED, Status.PROCESSING, Status.PAUSED, Status.SUPPLEMENT_REQUESTED})
DECIDED = frozenset({Status.APPROVED, Status.REJECTED, Status.READY_FOR_RETURN, Status.RETURNED})

ADMINS = ("unit_admin", "provincial_admin")
COUNTER = ("counter_officer",)
PROCESSORS = ("specialist", "department_head")
LEADER = ("leader",)
OFFICER_ROLES = COUNTER + PROCESSORS + LEADER + ADMINS

ACTION_LABELS = {
    "save_draft": "Lưu nháp", "submit_online": "Nộp hồ sơ trực tuyến", "receive": "Tiếp nhận hồ sơ",
    "receive_at_counter": "Tiếp nhận hồ sơ trực tiếp", "request_supplement": "Yêu cầu bổ sung hồ sơ",
    "provide_supplement": "Bổ sung hồ sơ", "refuse": "Từ chối tiếp nhận", "start_processing": "Chuyển xử lý",
    "complete_step": "Hoàn thành bước xử lý", "hand_over": "Chuyển liên thông",
    "return_from_agency": "Trả về cơ quan chủ trì", "pause": "Tạm dừng", "resume": "Tiếp tục xử lý",
    "extend": "Gia hạn", "issue_apology": "Xin lỗi, hẹn lại ngày trả", "approve": "Phê duyệt kết quả",
    "reject": "Không giải quyết", "sign_result": "Ký kết quả", "return_result": "Trả kết quả",
    "withdraw": "Rút hồ sơ", "stop": "Dừng giải quyết",
}


# --------------------------------------------------------------------------------------------
# helpers


def _now(at) -> dt.datetime:
    if at is None:
        return timezone.now()
    if timezone.is_naive(at):
        return at.replace(tzinfo=TZ)
    return at


def _iso(value):
    return value.isoformat() if value else None


def _status_label(value: str) -> str:
    try:
        return Status(value).label
    except ValueError:
        return value


def _wrong_status(d: Dossier, action: str, code: str = "invalid_transition"):
    return InvalidTransition(
        code,
        f"Không thể thực hiện «{ACTION_LABELS.get(action, action)}» khi hồ sơ đang ở trạng thái "
        f"«{_status_label(d.status)}».",
        details={"status": d.status, "action": action},
    )


def _require_status(d: Dossier, action: str, allowed) -> None:
    if d.status not in allowed:
        raise _wrong_status(d, action)


def _require_role(user, roles, agencies, action: str) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        raise PermissionDenied("forbidden", "Bạn cần đăng nhập để thực hiện thao tác này.")
    wanted = tuple(roles) + ADMINS
    for agency in agencies:
        if agency is not None and has_role(user, wanted, agency):
            return
    raise PermissionDenied(
        "forbidden",
        f"Bạn không có quyền «{ACTION_LABELS.get(action, action)}» đối với hồ sơ này.",
        details={"action": action},
    )


def _is_owner(d: Dossier, user) -> bool:
    uid = getattr(user, "pk", None)
    return uid is not None and uid in (d.applicant_id, d.submitted_by_id)


def _require_reason(reason, code: str = "reason_required", message: str = "Cần nêu rõ lý do.") -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed(code, message)
    return text


@dataclass(frozen=True)
class DossierRef:
    """A dossier named by its code, for callers that have not loaded it (the API).

    Pass it instead of a Dossier to any transition: the dossier is then found and locked by the
    transition's own locking statement. When ``visible(dossier)`` is false, or there is no such
    dossier, ``not_found`` (default: NotFound "dossier_not_found") is raised and nothing is written.
    """

    code: str
    visible: Callable[[Dossier], bool] | None = None
    not_found: Exception | None = None


def _not_found(ref=None):
    if isinstance(ref, DossierRef) and ref.not_found is not None:
        return ref.not_found
    from motcua.core.errors import NotFound

    return NotFound("dossier_not_found", "Không tìm thấy hồ sơ.")


def _lock_queryset():
    events = DossierEvent.objects.filter(dossier_id=OuterRef("pk")).order_by()
    return (Dossier.objects.select_for_update(of=("self",))
            .select_related("procedure", "procedure__field", "agency", "current_agency", "current_step")
            .annotate(
                lock_last_event_at=Subquery(events.order_by("-at").values("at")[:1]),
                lock_event_count=Subquery(events.values("dossier_id").annotate(n=Count("id")).values("n")[:1]),
            ).order_by())


# The locking statement is the same for every transition but the ORM would rebuild its SQL (six tables, two
# subqueries) each time, which cost more CPU than anything else in a transition. It is compiled once per
# database connection and lookup field, then run with the new value. Unique placeholders find the value's
# position; anything unexpected falls back to the plain ORM.
_LOCK_PLACEHOLDER = {"pk": -7246001, "code": "\x01lifecycle-lock\x01"}
_compiled_locks: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _compiled_lock(field: str):
    conn = connections[Dossier.objects.db]  # the thread's own connection object
    per_connection = _compiled_locks.setdefault(conn, {})
    if field not in per_connection:
        qs = _lock_queryset().filter(**{field: _LOCK_PLACEHOLDER[field]})
        compiler = qs.query.get_compiler(using=qs.db)
        sql, params = compiler.as_sql()  # also sets compiler.select / klass_info used to build the objects
        params = list(params)
        per_connection[field] = None
        if params.count(_LOCK_PLACEHOLDER[field]) == 1:
            per_connection[field] = (compiler, sql, params, params.index(_LOCK_PLACEHOLDER[field]))
    return per_connection[field]


def _fetch_locked(field: str, value) -> Dossier | None:
    compiled = _compiled_lock(field)
    if compiled is None or not connections[Dossier.objects.db].in_atomic_block:
        return _lock_queryset().filter(**{field: value}).first()
    compiler, sql, params, position = compiled
    params = list(params)
    params[position] = value
    compiler.as_sql = lambda *args, **kwargs: (sql, params)
    qs = Dossier.objects.all()
    qs.query.get_compiler = lambda *args, **kwargs: compiler
    rows = list(qs)
    return rows[0] if rows else None


def _lock(dossier) -> Dossier:
    """Lock and load the dossier with what every transition reads, in one statement.

    The same statement reads the time and the number of the dossier's events, so that the time-order
    check needs no statement of its own (see ``_check_time_order``), and remembers the loaded values so
    that ``_commit`` writes only the columns that changed.
    """
    if isinstance(dossier, DossierRef):
        d = _fetch_locked("code", dossier.code) if dossier.code else None
        if d is None or (dossier.visible is not None and not dossier.visible(d)):
            raise _not_found(dossier)
    else:
        pk = getattr(dossier, "pk", dossier)
        d = _fetch_locked("pk", int(pk)) if pk is not None else None
        if d is None:
            raise _not_found()
    _remember_loaded(d)
    return d


def _remember_loaded(d: Dossier) -> None:
    loaded = {}
    for f in Dossier._meta.concrete_fields:
        value = getattr(d, f.attname)
        loaded[f.attname] = copy.deepcopy(value) if isinstance(value, (dict, list)) else value
    d._lifecycle_loaded = loaded


def _changed_fields(d: Dossier) -> list[str] | None:
    """Columns changed since ``_lock`` loaded the row, or None when unknown (write them all)."""
    loaded = getattr(d, "_lifecycle_loaded", None)
    if loaded is None or d._state.adding or d.pk is None:
        return None
    return [f.attname for f in Dossier._meta.concrete_fields
            if not f.primary_key and getattr(d, f.attname) != loaded.get(f.attname)]


def _last_event_at(d: Dossier):
    # The locking statement read it; trust it only while it counts every event of this version (a statement
    # that waited for the row lock reads the events as they were before the wait: then ask again).
    count = getattr(d, "lock_event_count", None)
    if count is not None and count == d.version:
        return getattr(d, "lock_last_event_at", None)
    if count is None and d.version == 0 and hasattr(d, "lock_last_event_at"):
        return None  # no event yet
    return d.events.order_by("-at").values_list("at", flat=True).first()


def _check_time_order(d: Dossier, at: dt.datetime) -> None:
    last = _last_event_at(d)
    if last and at < last:
        raise ValidationFailed("time_before_last_event",
                               "Thời điểm thao tác không được trước thao tác gần nhất của hồ sơ.")


def _agency_of_step(d: Dossier, step) -> Agency:
    """Where a process step is done: its agency, an agency of its kind, or the receiving agency."""
    if step.agency_id:
        return step.agency
    if not step.agency_kind or step.agency_kind == d.agency.kind:
        return d.agency
    candidates = Agency.objects.filter(kind=step.agency_kind, is_active=True)
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


def _open_run(d: Dossier) -> StepRun | None:
    return d.step_runs.filter(finished_at__isnull=True).order_by("-started_at", "-id").first()


def _steps(d: Dossier):
    steps = list(d.procedure.steps.select_related("agency").order_by("order"))
    d.procedure._lifecycle_last_step_pk = steps[-1].pk if steps else None
    return steps


def _last_step_pk(d: Dossier):
    """Primary key of the procedure's last process step (remembered on the loaded procedure)."""
    proc = d.procedure
    if not hasattr(proc, "_lifecycle_last_step_pk"):
        proc._lifecycle_last_step_pk = proc.steps.order_by("-order").values_list("pk", flat=True).first()
    return proc._lifecycle_last_step_pk


def _check_assignee(assignee, agency) -> None:
    if assignee is not None and not has_role(assignee, OFFICER_ROLES, agency):
        raise ValidationFailed("assignee_invalid", f"Người được giao không phải cán bộ của {agency.name}.")


def _start_step(d: Dossier, step, *, at, assignee=None) -> StepRun:
    agency = _agency_of_step(d, step)
    _check_assignee(assignee, agency)
    run = StepRun.objects.create(
        dossier=d, step=step, agency=agency, assignee=assignee, started_at=at,
        due_at=calendar.add_working_days(at, step.duration_days),
    )
    d.current_step = step
    d.current_agency = agency
    if assignee is not None:
        d.assignee = assignee
    return run


def awaiting_decision(dossier: Dossier) -> bool:
    """True when every process step is done and the dossier waits for the leader's decision."""
    return dossier.status == Status.PROCESSING and dossier.current_step_id is None


def _shift_clock(d: Dossier, since: dt.datetime, at: dt.datetime) -> int:
    """Stop-the-clock: push due dates by the working minutes elapsed in [since, at)."""
    waited = max(0, calendar.working_minutes_between(since, at))
    if waited:
        if d.due_at:
            d.due_at = calendar.add_working_minutes(d.due_at, waited)
        run = _open_run(d)
        if run is not None:
            run.due_at = calendar.add_working_minutes(run.due_at, waited)
            run.save(update_fields=["due_at"])
    d.paused_minutes += waited
    d.paused_at = None
    return waited


def payload(d: Dossier, *, action: str, from_status: str, at: dt.datetime, **extra) -> dict:
    proc = d.procedure
    data = {
        "dossier_id": d.pk,
        "code": d.code,
        "action": action,
        "from_status": from_status,
        "to_status": d.status,
        "at": at.isoformat(),
        "procedure_code": proc.code,
        "procedure_online_level": proc.online_level,
        "field_code": proc.field.code if proc.field_id else None,
        "agency_code": d.agency.code,
        "current_agency_code": d.current_agency.code if d.current_agency_id else None,
        "channel": d.channel,
        "submitted_at": _iso(d.submitted_at),
        "received_at": _iso(d.received_at),
        "closed_at": _iso(d.closed_at),
        "due_at": _iso(d.due_at),
        "decided_at": _iso(d.decided_at),
        "returned_at": _iso(d.returned_at),
        "fee_vnd": d.fee_vnd,
        "fee_paid_online": d.fee_paid_online,
        "digitized_at_receipt": d.digitized_at_receipt,
        "result_digitized": d.result_digitized,
        "result_electronic": d.result_electronic,
        "supplement_count": d.supplement_count,
        "apology_count": d.apology_count,
        "applicant_id_number": d.applicant_id_number or None,
        "version": d.version,
        "rule_version": d.rule_version,
        "step_order": d.current_step.order if d.current_step_id else None,
        "to_agency_code": None,
    }
    data.update(extra)
    return data


def _commit(d: Dossier, *, action: str, from_status: str, actor, at: dt.datetime, note: str = "",
            agency=None, to_agency=None, step=None, data: dict | None = None) -> Dossier:
    """Save the dossier and write its event, audit entry and outbox event (same transaction)."""
    d.version += 1
    changed = _changed_fields(d)
    if changed is None:
        d.save()
    else:
        d.save(update_fields=changed)
    _remember_loaded(d)
    event = DossierEvent.objects.create(
        dossier=d, action=action, from_status=from_status, to_status=d.status, at=at,
        actor=actor if getattr(actor, "pk", None) else None,
        agency=agency if agency is not None else (d.current_agency or d.agency),
        to_agency=to_agency, step=step, note=note, data=data or {},
    )
    extra = {"event_id": event.pk}
    if to_agency is not None:
        extra["to_agency_code"] = to_agency.code
    body = payload(d, action=action, from_status=from_status, at=at, **extra)
    emit(f"dossier.{action}", "dossier", d.pk, body)
    # Last statement before COMMIT: the audit chain's lock serialises every transition province-wide,
    # so it is taken as late as possible and held only for the entry itself.
    audit_record(actor, f"dossier.{action}", "dossier", d.pk,
                 {"code": d.code, "from": from_status, "to": d.status, "note": note, **(data or {})}, at=at,
                 savepoint=False)
    return d


def _replayed(existing: Dossier) -> Dossier:
    """An idempotent retry: the dossier created by the first attempt, marked ``idempotent_replay = True``."""
    existing.idempotent_replay = True
    return existing


def _refresh_caller(original, fresh: Dossier) -> Dossier:
    """Copy the new state onto the instance the caller passed in, so it is not left stale."""
    if isinstance(original, Dossier) and original is not fresh:
        for f in Dossier._meta.concrete_fields:
            setattr(original, f.attname, getattr(fresh, f.attname))
        original._state.fields_cache = dict(fresh._state.fields_cache)
    return fresh


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


def _check_offered(procedure, agency, *, online: bool) -> None:
    if not procedure.is_active:
        raise ValidationFailed("procedure_inactive", "Thủ tục này không còn áp dụng.")
    if online and procedure.online_level not in (OnlineLevel.FULL, OnlineLevel.PARTIAL):
        # Decree 42/2022: only procedures offered as online public services take online dossiers.
        raise ValidationFailed("procedure_not_online", "Thủ tục này chưa cung cấp dịch vụ công trực tuyến.")
    # One statement: does the procedure name its agencies, and is this one of them?
    offered = procedure.agencies.through.objects.filter(procedure_id=procedure.pk).aggregate(
        named=Count("pk"), this=Count("pk", filter=Q(agency_id=agency.pk)))
    if offered["named"]:
        if not offered["this"]:
            raise ValidationFailed("agency_not_offering", "Cơ quan đã chọn không tiếp nhận thủ tục này.")
    elif procedure.agency_kind and procedure.agency_kind != agency.kind:
        raise ValidationFailed("agency_not_offering", "Cơ quan đã chọn không tiếp nhận thủ tục này.")


def _set_received(d: Dossier, at: dt.datetime, digitized: bool) -> None:
    d.received_at = at
    d.rule_version = rules.rule_version_for(at)
    # Deadline counted in working days from receipt (Decree 61/2018 / Decree 118/2025: appointment
    # on the receipt slip, Mẫu 01).
    d.due_at = calendar.add_working_days(at, d.procedure.processing_days)
    d.original_due_at = d.due_at
    d.digitized_at_receipt = bool(digitized)
    d.current_agency = d.agency


def _issue_slip(d: Dossier, kind: str, *, officer, at, **data) -> Slip:
    clean = {k: (_iso(v) if isinstance(v, dt.datetime) else v) for k, v in data.items()}
    return Slip.objects.create(dossier=d, kind=kind, issued_at=at,
                               issued_by=officer if getattr(officer, "pk", None) else None, data=clean)


def _run(original, action: str, body: Callable[[Dossier], Dossier]) -> Dossier:
    with transaction.atomic():
        d = _lock(original)
        fresh = body(d)
    return _refresh_caller(original, fresh)


# --------------------------------------------------------------------------------------------
# guards: status + role, without side effects (used by the transitions and by allowed_actions)


def _g_receive(d, user):
    _require_status(d, "receive", {Status.SUBMITTED})
    _require_role(user, COUNTER, [d.agency], "receive")


def _g_request_supplement(d, user):
    _require_status(d, "request_supplement", {Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING})
    roles = COUNTER if d.status == Status.SUBMITTED else COUNTER + PROCESSORS
    _require_role(user, roles, [d.agency, d.current_agency], "request_supplement")
    limit = rules.rules_of(d).max_supplement_requests
    if d.supplement_count >= limit:
        raise InvalidTransition("supplement_already_requested",
                                "Hồ sơ đã được yêu cầu bổ sung một lần; chỉ được hướng dẫn bổ sung một lần "
                                "bằng văn bản.", details={"supplement_count": d.supplement_count})


def _g_provide_supplement(d, user):
    _require_status(d, "provide_supplement", {Status.SUPPLEMENT_REQUESTED})
    if not _is_owner(d, user):
        _require_role(user, COUNTER, [d.agency], "provide_supplement")


def _g_refuse(d, user):
    if d.status not in (Status.SUBMITTED, Status.SUPPLEMENT_REQUESTED) or d.received_at is not None:
        raise _wrong_status(d, "refuse")
    _require_role(user, COUNTER, [d.agency], "refuse")


def _g_start_processing(d, user):
    _require_status(d, "start_processing", {Status.RECEIVED})
    _require_role(user, COUNTER + PROCESSORS + LEADER, [d.agency], "start_processing")


def _g_complete_step(d, user):
    _require_status(d, "complete_step", {Status.PROCESSING})
    if d.current_step_id is None:
        raise InvalidTransition("no_current_step", "Hồ sơ đã qua hết các bước xử lý, đang chờ phê duyệt.")
    roles = PROCESSORS + ((d.current_step.role,) if d.current_step.role else ())
    _require_role(user, roles, [d.current_agency or d.agency], "complete_step")


def _g_hand_over(d, user):
    _require_status(d, "hand_over", {Status.PROCESSING})
    _require_role(user, PROCESSORS + LEADER, [d.current_agency or d.agency], "hand_over")


def _g_return_from_agency(d, user):
    _require_status(d, "return_from_agency", {Status.PROCESSING})
    if d.current_agency_id in (None, d.agency_id):
        raise InvalidTransition("not_handed_over", "Hồ sơ đang ở cơ quan chủ trì, không có gì để trả về.")
    _require_role(user, PROCESSORS + LEADER, [d.current_agency], "return_from_agency")


def _g_pause(d, user):
    _require_status(d, "pause", {Status.PROCESSING})
    _require_role(user, PROCESSORS + LEADER, [d.current_agency or d.agency, d.agency], "pause")


def _g_resume(d, user):
    _require_status(d, "resume", {Status.PAUSED})
    _require_role(user, PROCESSORS + LEADER, [d.current_agency or d.agency, d.agency], "resume")


def _g_extend(d, user):
    _require_status(d, "extend", {Status.RECEIVED, Status.PROCESSING, Status.PAUSED})
    _require_role(user, LEADER, [d.current_agency or d.agency, d.agency], "extend")
    if d.extension_count >= rules.rules_of(d).max_extensions:
        raise InvalidTransition("extension_limit_reached", "Hồ sơ đã được gia hạn tối đa số lần cho phép.")


def _g_issue_apology(d, user):
    _require_status(d, "issue_apology", {Status.RECEIVED, Status.PROCESSING, Status.PAUSED})
    # The leader of the agency causing the delay signs it (LEGAL §1.4).
    _require_role(user, LEADER, [d.current_agency or d.agency], "issue_apology")
    if d.apology_count >= rules.rules_of(d).max_apologies:
        raise InvalidTransition("apology_already_issued",
                                "Hồ sơ đã có phiếu xin lỗi và hẹn lại; chỉ được hẹn lại một lần.")


def _g_decide(action):
    def guard(d, user):
        _require_status(d, action, {Status.PROCESSING})
        if d.current_step_id is not None:
            if d.current_step_id != _last_step_pk(d):
                raise InvalidTransition("steps_pending", "Hồ sơ chưa qua hết các bước xử lý.",
                                        details={"current_step": d.current_step.order})
        _require_role(user, LEADER, [d.current_agency or d.agency, d.agency], action)
    return guard


def _g_sign_result(d, user):
    _require_status(d, "sign_result", {Status.APPROVED})
    _require_role(user, LEADER, [d.current_agency or d.agency, d.agency], "sign_result")


def _g_return_result(d, user):
    _require_status(d, "return_result", {Status.READY_FOR_RETURN})
    _require_role(user, COUNTER, [d.agency], "return_result")


def _g_withdraw(d, user):
    _require_status(d, "withdraw", {Status.SUBMITTED} | IN_PROGRESS)
    if not _is_owner(d, user):
        _require_role(user, COUNTER, [d.agency], "withdraw")


def _g_stop(d, user):
    if d.status not in IN_PROGRESS or d.received_at is None:
        raise _wrong_status(d, "stop")
    _require_role(user, LEADER + ("department_head",), [d.current_agency or d.agency, d.agency], "stop")


GUARDS: dict[str, Callable] = {
    "receive": _g_receive, "request_supplement": _g_request_supplement,
    "provide_supplement": _g_provide_supplement, "refuse": _g_refuse,
    "start_processing": _g_start_processing, "complete_step": _g_complete_step, "hand_over": _g_hand_over,
    "return_from_agency": _g_return_from_agency, "pause": _g_pause, "resume": _g_resume, "extend": _g_extend,
    "issue_apology": _g_issue_apology, "approve": _g_decide("approve"), "reject": _g_decide("reject"),
    "sign_result": _g_sign_result, "return_result": _g_return_result, "withdraw": _g_withdraw, "stop": _g_stop,
}


def allowed_actions(dossier: Dossier, user) -> list[str]:
    """Actions `user` may take on `dossier` now (status and role; argument checks come at call time)."""
    if dossier.status in TERMINAL:
        return []
    result = []
    if dossier.status == Status.DRAFT:
        return ["save_draft", "submit_online"] if _is_owner(dossier, user) else []
    for action, guard in GUARDS.items():
        try:
            guard(dossier, user)
        except (InvalidTransition, PermissionDenied, ValidationFailed):
            continue
        result.append(action)
    return result


# --------------------------------------------------------------------------------------------
# citizen side: draft and online submission (Decree 45/2020)


def save_draft(*, applicant, procedure, agency, applicant_data: dict, form_data: dict, dossier=None,
               at=None) -> Dossier:
    """Create or update the citizen's draft (nothing is sent to the agency)."""
    at = _now(at)
    if applicant is None or not getattr(applicant, "is_authenticated", False):
        raise PermissionDenied("forbidden", "Bạn cần đăng nhập để lưu hồ sơ nháp.")

    def body(d: Dossier | None) -> Dossier:
        created = d is None
        if created:
            d = Dossier(applicant=applicant, submitted_by=applicant, status=Status.DRAFT, channel=Channel.ONLINE,
                        return_method=ReturnMethod.ONLINE)
        else:
            if not _is_owner(d, applicant):
                raise PermissionDenied("forbidden", "Bạn không có quyền sửa hồ sơ này.")
            _require_status(d, "save_draft", {Status.DRAFT})
        _check_offered(procedure, agency, online=True)
        d.procedure, d.agency = procedure, agency
        # Name may be missing in an early draft; keep what we have.
        data = dict(applicant_data or {})
        if not (data.get("name") or "").strip():
            data["name"] = getattr(applicant, "full_name", "") or str(applicant)
        _apply_applicant(d, data)
        d.form_data = dict(form_data or {})
        d.rule_version = rules.rule_version_for(at)
        d.fee_vnd = procedure.fee_for_channel(Channel.ONLINE)
        return _commit(d, action="save_draft", from_status="" if created else Status.DRAFT, actor=applicant,
                       at=at, agency=agency)

    if dossier is None:
        with transaction.atomic():
            return body(None)
    return _run(dossier, "save_draft", body)


def submit_online(*, applicant, procedure, agency, applicant_data: dict, form_data: dict, return_method="online",
                  idempotency_key=None, draft=None, at=None) -> Dossier:
    """Submit a dossier online → SUBMITTED with its code (Decree 45/2020; code: Decree 61/2018 art. 26)."""
    at = _now(at)
    if applicant is None or not getattr(applicant, "is_authenticated", False):
        raise PermissionDenied("forbidden", "Bạn cần đăng nhập để nộp hồ sơ trực tuyến.")
    if return_method not in ReturnMethod.values:
        raise ValidationFailed("return_method_invalid", "Hình thức nhận kết quả không hợp lệ.")
    try:
        with transaction.atomic():
            if idempotency_key:
                # Serialise submissions of the same account, then look for the earlier attempt.
                get_user_model().objects.select_for_update().filter(pk=applicant.pk).first()
                existing = Dossier.objects.filter(submitted_by=applicant, idempotency_key=idempotency_key).first()
                if existing is not None:
                    return _replayed(existing)
            if draft is not None:
                d = _lock(draft)
                if not _is_owner(d, applicant):
                    raise PermissionDenied("forbidden", "Bạn không có quyền nộp hồ sơ này.")
                _require_status(d, "submit_online", {Status.DRAFT})
                from_status = Status.DRAFT
            else:
                d = Dossier(applicant=applicant, submitted_by=applicant)
                from_status = ""
            _check_offered(procedure, agency, online=True)
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
            return _commit(d, action="submit_online", from_status=from_status, actor=applicant, at=at, agency=agency)
    except IntegrityError:
        if idempotency_key:
            existing = Dossier.objects.filter(submitted_by=applicant, idempotency_key=idempotency_key).first()
            if existing is not None:
                return _replayed(existing)
        raise


# --------------------------------------------------------------------------------------------
# counter: receipt, supplement, refusal (Decree 61/2018 + Circular 01/2018; Decree 118/2025 + Circular 03/2025)


def receive(dossier, *, officer, digitized=False, at=None) -> Dossier:
    """SUBMITTED → RECEIVED: receipt slip with appointment (Mẫu 01); rule version fixed at this date."""
    at = _now(at)

    def body(d):
        _g_receive(d, officer)
        _check_time_order(d, at)
        from_status = d.status
        _set_received(d, at, digitized)
        d.status = Status.RECEIVED
        _issue_slip(d, Slip.RECEIPT, officer=officer, at=at, due_at=d.due_at, code=d.code)
        return _commit(d, action="receive", from_status=from_status, actor=officer, at=at)

    return _run(dossier, "receive", body)


def receive_at_counter(*, officer, procedure, agency, applicant_data, form_data, channel="counter",
                       digitized=False, return_method="counter", idempotency_key=None, at=None) -> Dossier:
    """A walk-in (or postal) dossier received directly → RECEIVED with code and appointment."""
    at = _now(at)
    if channel not in (Channel.COUNTER, Channel.POST):
        raise ValidationFailed("channel_invalid", "Hình thức nộp phải là trực tiếp hoặc bưu chính.")
    if return_method not in ReturnMethod.values:
        raise ValidationFailed("return_method_invalid", "Hình thức nhận kết quả không hợp lệ.")
    _require_role(officer, COUNTER, [agency], "receive_at_counter")
    try:
        with transaction.atomic():
            if idempotency_key:
                get_user_model().objects.select_for_update().filter(pk=officer.pk).first()
                existing = Dossier.objects.filter(submitted_by=officer, idempotency_key=idempotency_key).first()
                if existing is not None:
                    return _replayed(existing)
            _check_offered(procedure, agency, online=False)
            d = Dossier(submitted_by=officer, procedure=procedure, agency=agency)
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
            d.save()
            _issue_slip(d, Slip.RECEIPT, officer=officer, at=at, due_at=d.due_at, code=d.code)
            return _commit(d, action="receive_at_counter", from_status="", actor=officer, at=at, agency=agency)
    except IntegrityError:
        if idempotency_key:
            existing = Dossier.objects.filter(submitted_by=officer, idempotency_key=idempotency_key).first()
            if existing is not None:
                return _replayed(existing)
        raise


def request_supplement(dossier, *, officer, items: list[str], reason: str, at=None) -> Dossier:
    """Ask ONCE, in writing, for the listed missing items (Mẫu 02); the deadline clock stops."""
    at = _now(at)
    clean_items = [str(i).strip() for i in (items or []) if str(i).strip()]

    def body(d):
        _g_request_supplement(d, officer)
        if not clean_items:
            raise ValidationFailed("supplement_items_required", "Cần liệt kê các giấy tờ phải bổ sung, hoàn thiện.")
        text = _require_reason(reason, message="Cần nêu rõ lý do yêu cầu bổ sung.")
        _check_time_order(d, at)
        from_status = d.status
        SupplementRequest.objects.create(dossier=d, items=clean_items, reason=text, requested_at=at,
                                         requested_by=officer)
        _issue_slip(d, Slip.SUPPLEMENT, officer=officer, at=at, items=clean_items, reason=text)
        d.supplement_count += 1
        d.status = Status.SUPPLEMENT_REQUESTED
        # Decision 766 (LEGAL §6): the time waiting for the applicant is not processing time.
        if d.received_at is not None:
            d.paused_at = at
        return _commit(d, action="request_supplement", from_status=from_status, actor=officer, at=at, note=text,
                       data={"items": clean_items, "resume_status": from_status})

    return _run(dossier, "request_supplement", body)


def provide_supplement(dossier, *, by, form_data=None, at=None) -> Dossier:
    """The applicant supplements; back to where the dossier was, the clock resumes (due date shifted)."""
    at = _now(at)

    def body(d):
        _g_provide_supplement(d, by)
        _check_time_order(d, at)
        from_status = d.status
        last = d.events.filter(action="request_supplement").order_by("-at", "-id").first()
        back = (last.data or {}).get("resume_status") if last else None
        if d.received_at is None or back not in (Status.RECEIVED, Status.PROCESSING):
            back = Status.SUBMITTED if d.received_at is None else Status.PROCESSING
        waited = 0
        if d.paused_at is not None:
            waited = _shift_clock(d, d.paused_at, at)
        if form_data:
            d.form_data = {**(d.form_data or {}), **dict(form_data)}
        d.supplement_requests.filter(fulfilled_at__isnull=True).update(fulfilled_at=at)
        d.status = back
        # Supplements made online keep the same dossier code (Decree 45/2020 art. 12).
        return _commit(d, action="provide_supplement", from_status=from_status, actor=by, at=at,
                       data={"waited_working_minutes": waited})

    return _run(dossier, "provide_supplement", body)


def refuse(dossier, *, officer, reason, at=None) -> Dossier:
    """Refuse to receive (not eligible / out of scope), with the reason (Mẫu 03)."""
    at = _now(at)

    def body(d):
        _g_refuse(d, officer)
        text = _require_reason(reason, message="Cần nêu rõ lý do từ chối tiếp nhận hồ sơ.")
        _check_time_order(d, at)
        from_status = d.status
        d.status = Status.REFUSED
        d.refusal_reason = text
        d.closed_at = at
        d.paused_at = None
        _issue_slip(d, Slip.REFUSAL, officer=officer, at=at, reason=text)
        return _commit(d, action="refuse", from_status=from_status, actor=officer, at=at, note=text)

    return _run(dossier, "refuse", body)


# --------------------------------------------------------------------------------------------
# processing: internal process steps, inter-agency hand-over (Mẫu 05 control sheet)


def start_processing(dossier, *, officer, assignee=None, at=None) -> Dossier:
    """RECEIVED → PROCESSING at the first process step (the counter forwards the dossier)."""
    at = _now(at)

    def body(d):
        _g_start_processing(d, officer)
        _check_time_order(d, at)
        from_status = d.status
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
        return _commit(d, action="start_processing", from_status=from_status, actor=officer, at=at,
                       agency=d.agency, to_agency=to_agency, step=step)

    return _run(dossier, "start_processing", body)


def complete_step(dossier, *, officer, note="", assignee=None, at=None) -> Dossier:
    """Finish the current step and move to the next; a step in another agency is a recorded hand-over."""
    at = _now(at)

    def body(d):
        _g_complete_step(d, officer)
        _check_time_order(d, at)
        from_status = d.status
        done_step = d.current_step
        from_agency = d.current_agency or d.agency
        run = _open_run(d)
        if run is not None:
            run.finished_at = at
            run.note = note or ""
            run.save(update_fields=["finished_at", "note"])
        nxt = next((s for s in _steps(d) if s.order > done_step.order), None)
        data = {"step_done": done_step.order,
                "step_timeliness": step_timeliness(run) if run else None}
        if nxt is None:
            d.current_step = None  # every step done: waiting for the decision
            to_agency = None
        else:
            _start_step(d, nxt, at=at, assignee=assignee)
            to_agency = d.current_agency if d.current_agency_id != from_agency.pk else None
            data["next_step"] = nxt.order
        if to_agency is not None:
            data["hand_over"] = True
        return _commit(d, action="complete_step", from_status=from_status, actor=officer, at=at, note=note,
                       agency=from_agency, to_agency=to_agency, step=done_step, data=data)

    return _run(dossier, "complete_step", body)


def hand_over(dossier, *, officer, to_agency, note="", at=None) -> Dossier:
    """Inter-agency (liên thông) hand-over to another agency, recorded like the control sheet (Mẫu 05)."""
    at = _now(at)

    def body(d):
        _g_hand_over(d, officer)
        if to_agency is None or getattr(to_agency, "pk", None) is None:
            raise ValidationFailed("to_agency_required", "Cần chọn cơ quan nhận hồ sơ liên thông.")
        from_agency = d.current_agency or d.agency
        if to_agency.pk == from_agency.pk:
            raise ValidationFailed("same_agency", "Cơ quan nhận phải khác cơ quan đang xử lý.")
        _check_time_order(d, at)
        d.current_agency = to_agency
        return _commit(d, action="hand_over", from_status=d.status, actor=officer, at=at, note=note,
                       agency=from_agency, to_agency=to_agency, step=d.current_step)

    return _run(dossier, "hand_over", body)


def return_from_agency(dossier, *, officer, note="", at=None) -> Dossier:
    """The cooperating agency sends the dossier back to the lead (receiving) agency."""
    at = _now(at)

    def body(d):
        _g_return_from_agency(d, officer)
        _check_time_order(d, at)
        from_agency = d.current_agency
        d.current_agency = d.agency
        return _commit(d, action="return_from_agency", from_status=d.status, actor=officer, at=at, note=note,
                       agency=from_agency, to_agency=d.agency, step=d.current_step)

    return _run(dossier, "return_from_agency", body)


def pause(dossier, *, officer, reason, at=None) -> Dossier:
    """PROCESSING → PAUSED; the deadline clock stops until resume."""
    at = _now(at)

    def body(d):
        _g_pause(d, officer)
        text = _require_reason(reason, message="Cần nêu rõ lý do tạm dừng.")
        _check_time_order(d, at)
        d.status = Status.PAUSED
        d.paused_at = at
        return _commit(d, action="pause", from_status=Status.PROCESSING, actor=officer, at=at, note=text)

    return _run(dossier, "pause", body)


def resume(dossier, *, officer, at=None) -> Dossier:
    """PAUSED → PROCESSING; due dates move by the working time the dossier was paused."""
    at = _now(at)

    def body(d):
        _g_resume(d, officer)
        _check_time_order(d, at)
        waited = _shift_clock(d, d.paused_at or at, at)
        d.status = Status.PROCESSING
        return _commit(d, action="resume", from_status=Status.PAUSED, actor=officer, at=at,
                       data={"paused_working_minutes": waited})

    return _run(dossier, "resume", body)


def extend(dossier, *, officer, days, reason, at=None) -> Dossier:
    """Extend the deadline by `days` working days where a specialised law allows it."""
    at = _now(at)

    def body(d):
        _g_extend(d, officer)
        text = _require_reason(reason, message="Cần nêu rõ lý do gia hạn.")
        try:
            n = float(days)
        except (TypeError, ValueError):
            n = 0
        if n <= 0 or n > 365:
            raise ValidationFailed("days_invalid", "Số ngày gia hạn phải là số dương (ngày làm việc).")
        _check_time_order(d, at)
        old = d.due_at
        d.due_at = calendar.add_working_days(d.due_at, days)
        d.extension_count += 1
        return _commit(d, action="extend", from_status=d.status, actor=officer, at=at, note=text,
                       data={"days": str(days), "previous_due_at": _iso(old)})

    return _run(dossier, "extend", body)


def issue_apology(dossier, *, officer, reason, new_due_at, at=None) -> Dossier:
    """Apology slip with a new appointment: by the late agency's leader, once, ≥ 1 day before the deadline."""
    at = _now(at)

    def body(d):
        _g_issue_apology(d, officer)
        text = _require_reason(reason, message="Cần nêu rõ lý do chậm trả kết quả.")
        r = rules.rules_of(d)
        due_day = d.due_at.astimezone(TZ).date()
        if at.astimezone(TZ).date() > due_day - dt.timedelta(days=r.apology_min_days_before_due):
            raise InvalidTransition("apology_too_late",
                                    f"Phiếu xin lỗi phải được gửi chậm nhất {r.apology_min_days_before_due} ngày "
                                    f"trước ngày hẹn trả ({d.due_at.astimezone(TZ):%d/%m/%Y}).")
        new_due = _now(new_due_at) if new_due_at else None
        if new_due is None or new_due <= d.due_at:
            raise ValidationFailed("new_due_invalid", "Ngày hẹn lại phải sau ngày hẹn trả hiện tại.")
        _check_time_order(d, at)
        old = d.due_at
        d.due_at = new_due
        d.apology_count += 1
        _issue_slip(d, Slip.APOLOGY, officer=officer, at=at, reason=text, previous_due_at=old, new_due_at=new_due,
                    agency_code=(d.current_agency or d.agency).code)
        return _commit(d, action="issue_apology", from_status=d.status, actor=officer, at=at, note=text,
                       data={"previous_due_at": _iso(old), "new_due_at": _iso(new_due)})

    return _run(dossier, "issue_apology", body)


# --------------------------------------------------------------------------------------------
# decision, result, return


def _close_open_step(d: Dossier, at) -> None:
    # One statement; a dossier has at most one open step run (a step starts only when the previous one closed).
    d.step_runs.filter(finished_at__isnull=True).update(finished_at=at)
    d.current_step = None


def approve(dossier, *, officer, summary="", at=None) -> Dossier:
    """The leader approves the result."""
    at = _now(at)

    def body(d):
        _g_decide("approve")(d, officer)
        _check_time_order(d, at)
        step = d.current_step
        _close_open_step(d, at)
        d.status = Status.APPROVED
        d.decided_at = at
        d.result_summary = summary or d.result_summary
        return _commit(d, action="approve", from_status=Status.PROCESSING, actor=officer, at=at, note=summary,
                       step=step)

    return _run(dossier, "approve", body)


def reject(dossier, *, officer, reason, at=None) -> Dossier:
    """The leader decides not to grant; the written reply states the reason."""
    at = _now(at)

    def body(d):
        _g_decide("reject")(d, officer)
        text = _require_reason(reason, message="Cần nêu rõ lý do không giải quyết.")
        _check_time_order(d, at)
        step = d.current_step
        _close_open_step(d, at)
        d.status = Status.REJECTED
        d.decided_at = at
        d.closed_at = at
        d.refusal_reason = text
        return _commit(d, action="reject", from_status=Status.PROCESSING, actor=officer, at=at, note=text, step=step)

    return _run(dossier, "reject", body)


def sign_result(dossier, *, officer, electronic=True, digitized=True, at=None) -> Dossier:
    """APPROVED → READY_FOR_RETURN: the result is signed (electronic result, result digitized)."""
    at = _now(at)

    def body(d):
        _g_sign_result(d, officer)
        _check_time_order(d, at)
        d.status = Status.READY_FOR_RETURN
        d.result_electronic = bool(electronic)
        d.result_digitized = bool(digitized)
        return _commit(d, action="sign_result", from_status=Status.APPROVED, actor=officer, at=at,
                       data={"electronic": bool(electronic), "digitized": bool(digitized)})

    return _run(dossier, "sign_result", body)


def return_result(dossier, *, officer, method=None, at=None) -> Dossier:
    """READY_FOR_RETURN → RETURNED at the counter, online or by public post."""
    at = _now(at)

    def body(d):
        _g_return_result(d, officer)
        m = method or d.return_method
        if m not in ReturnMethod.values:
            raise ValidationFailed("return_method_invalid", "Hình thức trả kết quả không hợp lệ.")
        _check_time_order(d, at)
        d.status = Status.RETURNED
        d.return_method = m
        d.returned_at = at
        d.closed_at = at
        return _commit(d, action="return_result", from_status=Status.READY_FOR_RETURN, actor=officer, at=at,
                       data={"method": m})

    return _run(dossier, "return_result", body)


def _close_early(dossier, *, action: str, guard, actor, reason, reason_message: str, to_status: str,
                 at) -> Dossier:
    """End a dossier before any result (withdrawal, stop): the clock stops at `at`, an open step closes."""
    at = _now(at)

    def body(d):
        guard(d, actor)
        text = _require_reason(reason, message=reason_message)
        _check_time_order(d, at)
        from_status = d.status
        if d.paused_at is not None:  # time spent waiting is not processing time
            _shift_clock(d, d.paused_at, at)
        _close_open_step(d, at)
        d.status = to_status
        d.closed_at = at
        d.paused_at = None
        return _commit(d, action=action, from_status=from_status, actor=actor, at=at, note=text)

    return _run(dossier, action, body)


def withdraw(dossier, *, by, reason, at=None) -> Dossier:
    """The applicant withdraws (own request, or recorded by the counter) before any decision."""
    return _close_early(dossier, action="withdraw", guard=_g_withdraw, actor=by, reason=reason,
                        reason_message="Cần nêu rõ lý do rút hồ sơ.", to_status=Status.WITHDRAWN, at=at)


def stop(dossier, *, officer, reason, at=None) -> Dossier:
    """Notice of stopping settlement (Circular 03/2025, LEGAL §1.5 [?])."""
    return _close_early(dossier, action="stop", guard=_g_stop, actor=officer, reason=reason,
                        reason_message="Cần nêu rõ lý do dừng giải quyết.", to_status=Status.STOPPED, at=at)


def record_online_payment(dossier, *, amount_vnd: int, reference: str, at=None) -> Dossier:
    """The payment gateway confirmed the fee: the dossier is marked paid online (Decision 766 metric 3.6).

    Not a status change: an event, an audit entry and an outbox event record the fact. Idempotent:
    a second confirmation of an already-paid dossier writes nothing.
    """
    at = _now(at)

    def body(d):
        if d.fee_paid_online:
            return d
        if int(amount_vnd) < 0:
            raise ValidationFailed("amount_invalid", "Số tiền thanh toán không hợp lệ.")
        d.fee_paid_online = True
        return _commit(d, action="record_payment", from_status=d.status, actor=None, at=at,
                       data={"amount_vnd": int(amount_vnd), "reference": str(reference)})

    return _run(dossier, "record_payment", body)


def record_digitization(dossier, *, kind: str, by=None, at=None) -> Dossier:
    """Components (kind='receipt') or the result (kind='result') were digitized after the transition
    that normally records it (receive / sign_result). Circular 03/2025 art. 5: digitization is the rule."""
    at = _now(at)
    fields = {"receipt": "digitized_at_receipt", "result": "result_digitized"}
    if kind not in fields:
        raise ValidationFailed("digitization_kind_invalid", "Loại số hóa không hợp lệ.")
    field = fields[kind]

    def body(d):
        if getattr(d, field):
            return d
        if kind == "receipt" and d.status in (Status.DRAFT, Status.SUBMITTED):
            raise InvalidTransition("not_received", "Hồ sơ chưa được tiếp nhận nên chưa ghi nhận số hóa.")
        if kind == "result" and d.status not in (Status.APPROVED, Status.REJECTED, Status.READY_FOR_RETURN,
                                                 Status.RETURNED):
            raise InvalidTransition("no_result", "Hồ sơ chưa có kết quả giải quyết để ghi nhận số hóa.")
        setattr(d, field, True)
        return _commit(d, action="digitized", from_status=d.status, actor=by, at=at, data={"flag": field})

    return _run(dossier, "digitized", body)


# --------------------------------------------------------------------------------------------
# timeliness (Decision 766 indicator 2.1; control sheet Mẫu 05: early / on time / late)


def _grade(end: dt.datetime, due: dt.datetime) -> str:
    if end > due:
        return "late"
    if end.astimezone(TZ).date() < due.astimezone(TZ).date():
        return "early"
    return "on_time"


def timeliness(dossier: Dossier, as_of=None) -> str | None:
    """'early' | 'on_time' | 'late' for decided dossiers, 'in_progress_on_time' | 'in_progress_late'
    for open ones, None when no deadline applies (draft, not yet received, refused, withdrawn)."""
    d = dossier
    if d.received_at is None or d.due_at is None or d.status == Status.WITHDRAWN:
        return None
    r = rules.rules_of(d)
    forced_late = d.supplement_count > r.late_if_supplements_over or (r.apology_counts_as_late and d.apology_count)
    end = d.decided_at or (d.closed_at if d.status == Status.STOPPED else None)
    if end is not None:
        return "late" if forced_late else _grade(end, d.due_at)
    as_of = _now(as_of)
    due = d.due_at
    if d.paused_at is not None and as_of > d.paused_at:
        due = calendar.add_working_minutes(due, max(0, calendar.working_minutes_between(d.paused_at, as_of)))
    if forced_late or as_of > due:
        return "in_progress_late"
    return "in_progress_on_time"


def step_timeliness(step_run: StepRun, as_of=None) -> str | None:
    if step_run is None:
        return None
    if step_run.finished_at is not None:
        return _grade(step_run.finished_at, step_run.due_at)
    return "in_progress_late" if _now(as_of) > step_run.due_at else "in_progress_on_time"


def online_receipt_due_at(dossier: Dossier) -> dt.datetime | None:
    """When an online dossier must have been received or sent a supplement request (Decree 45/2020)."""
    if dossier.channel != Channel.ONLINE or dossier.submitted_at is None:
        return None
    hours = rules.rules_for(rules.rule_version_for(dossier.submitted_at)).online_receipt_notice_working_hours
    return calendar.add_working_minutes(dossier.submitted_at, hours * 60)


def handovers(dossier: Dossier) -> list[dict]:
    """The hand-overs between agencies, for the control sheet (Mẫu 05, Circular 01/2018): who gave,
    who received, when, and whether the giving step finished early / on time / late."""
    rows = []
    events = (dossier.events.filter(to_agency__isnull=False)
              .select_related("agency", "to_agency", "actor", "step").order_by("at", "id"))
    for ev in events:
        rows.append({"at": ev.at, "action": ev.action, "from_agency": ev.agency, "to_agency": ev.to_agency,
                     "actor": ev.actor, "step": ev.step, "note": ev.note,
                     "timeliness": (ev.data or {}).get("step_timeliness")})
    return rows
