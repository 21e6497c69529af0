"""Dossiers over HTTP: submit online, receive at the counter, read, and one POST per legal action.

Each action endpoint is a thin call into motcua.dossiers.lifecycle, which checks the status and the
caller's role and writes the event, audit entry and outbox event in one transaction; this module
only resolves codes to rows, decides what the caller may see, and shapes the answer.
"""

from __future__ import annotations

import functools
from datetime import date, datetime

from django.utils import timezone
from ninja import Header, Query, Router, Status

from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.core import calendar
from motcua.core.errors import NotFound, ValidationFailed
from motcua.documents.digitization_flags import (
    issue_filed_result,
    receipt_digitized,
    result_digitized,
    result_electronic_as_required,
)
from motcua.dossiers import access, lifecycle
from motcua.dossiers.models import Dossier
from motcua.dossiers.models import Status as DossierStatus
from motcua.integrations import eid, population
from motcua.units import receiving
from motcua.units.models import Agency

from . import idempotency, retry
from .auth import api_auth, eid_signed_in
from .dossier_shapes import dossier_detail, dossier_state, dossier_summary
from .schemas import (
    ApologyIn,
    ApproveIn,
    CompleteStepIn,
    CounterIn,
    DossierDetailOut,
    DossierOut,
    DossierPage,
    ErrorOut,
    ExtendIn,
    HandOverIn,
    NoteIn,
    ReasonIn,
    ReceiveIn,
    ReturnIn,
    SignResultIn,
    StartProcessingIn,
    SubmitIn,
    SupplementIn,
    SupplementRequestIn,
)
from .values import page_size, page_start

router = Router(tags=["dossiers"], auth=api_auth)

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
IdempotencyKey = Header(None, alias="Idempotency-Key", max_length=100,
                        description="Khóa chống gửi trùng: gửi lại cùng khóa trả về đúng hồ sơ đã tạo.")


class DossierState(DossierOut):
    allowed_actions: list[str]


# ---------------------------------------------------------------- visibility

def visible_dossiers(user):
    """Dossiers `user` may see; the rule lives in dossiers.access."""
    return access.visible_dossiers(user)


def can_view(user, dossier: Dossier) -> bool:
    return access.can_view_dossier(user, dossier)


def _not_found(code: str) -> NotFound:
    return NotFound("dossier_not_found", f"Không tìm thấy hồ sơ mã “{code[:64]}”.")


RELATED = ("procedure", "agency", "current_agency", "current_step", "assignee")
# What the visibility rule reads; an action reloads and locks the full row inside the lifecycle.
VISIBILITY_FIELDS = ("id", "code", "status", "agency_id", "current_agency_id", "applicant_id", "assignee_id",
                     "submitted_by_id")


def _get(request, code: str, *, for_action: bool = False) -> Dossier:
    if "\x00" in code or len(code) > 64:
        raise _not_found(code)
    qs = Dossier.objects.only(*VISIBILITY_FIELDS) if for_action else Dossier.objects.select_related(*RELATED)
    dossier = qs.filter(code=code).first()
    if dossier is None or not can_view(request.auth, dossier):
        raise _not_found(code)
    return dossier


# ---------------------------------------------------------------- lookups

def _agency_not_found(code: str, field: str) -> ValidationFailed:
    return ValidationFailed("agency_not_found", f"Không có cơ quan mã “{code}”.", details={"field": field})


def _agency(code: str, field: str = "agency_code") -> Agency:
    """A working agency named by its code (``agency_not_found`` otherwise). Sent a dossier (a hand-over), one whose
    unit has closed is refused by the lifecycle, with why (``agency_dissolved``, ``agency_merged``: units.receiving)."""
    agency = Agency.objects.select_related("admin_unit").filter(code=code, is_active=True).first()
    if agency is None:
        raise _agency_not_found(code, field)
    return agency


def _procedure_and_agency(procedure_code: str, agency_code: str) -> tuple[Procedure, Agency]:
    """The active procedure (with its field) and the agency receiving today (units.receiving) a submission names,
    the procedure checked first; one statement, which also reads whether the agency receives the procedure (for the
    lifecycle). An agency not working while its unit is there keeps its old answer (``agency_not_found``); one whose
    unit merged or dissolved is told so (``agency_merged``, ``agency_dissolved``)."""
    proc, agency = lifecycle.procedure_and_agency(procedure_code, agency_code)
    if proc is None or not proc.is_active:
        raise ValidationFailed("procedure_not_found", f"Không có thủ tục mã “{procedure_code}” đang áp dụng.")
    if agency is None:
        raise _agency_not_found(agency_code, "agency_code")
    refused = receiving.refusal(agency, timezone.localdate())
    if refused is not None and refused.code == "agency_inactive":  # not working, its unit still there: as before
        raise _agency_not_found(agency_code, "agency_code")
    if refused is not None:  # its unit merged or dissolved: say so, and where to file instead
        raise ValidationFailed(refused.code, refused.message, details={"field": "agency_code"})
    return proc, agency


def _user(username: str | None):
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationFailed("assignee_not_found", f"Không có cán bộ có tên đăng nhập “{username}”.")
    return user


def _applicant_data(request, applicant) -> dict:
    """The applicant of an online submission (the account's holder when none is named), with where their data came
    from: the caller's VNeID sign-in when the applicant is the person it vouched for, as on the portal (Decision 766
    4.5), and the population database."""
    user = request.auth
    data = applicant.dict() if applicant is not None else {
        "name": user.full_name or user.get_full_name() or user.username, "id_number": user.id_number,
        "phone": user.phone, "email": user.email, "address": user.address}
    data["vneid_verified"] = eid.applicant_vouched(eid_signed_in(request), user, data.get("id_number") or "")
    return _from_population(data, user)


def _from_population(data: dict, user) -> dict:
    """The applicant's data, marked as read from the population database when this account looked the person up
    there (POST /integrations/population/lookup) within the working day."""
    return {**data, "population_checked": population.checked_by(user, data.get("id_number") or "")}


def _idempotent(user, key: str | None, create, *, precheck: bool = True):
    """Run `create()` once per (caller, key): a retry, even a concurrent one, gets the first dossier (the lifecycle
    looks for the earlier attempt itself too, under a lock on the account, and marks it)."""
    return idempotency.once(key, lambda: Dossier.objects.filter(submitted_by=user, idempotency_key=key).first(),
                            create, created=201, precheck=precheck)


# ---------------------------------------------------------------- reads

@router.get("", response={200: DossierPage, **ERRORS}, summary="Danh sách hồ sơ người gọi được xem")
def list_dossiers(request, status: str | None = Query(None, max_length=32),
                  procedure: str | None = Query(None, max_length=64),
                  limit: page_size(200) = 50, offset: page_start(10_000_000) = 0):
    qs = visible_dossiers(request.auth).exclude(code__isnull=True)
    if status:
        if status not in DossierStatus.values:
            raise ValidationFailed("invalid_status", f"Trạng thái “{status}” không tồn tại.")
        qs = qs.filter(status=status)
    if procedure:
        qs = qs.filter(procedure__code=procedure.replace("\x00", ""))
    qs = qs.select_related("procedure", "agency", "current_agency", "current_step", "assignee").order_by(
        "-created_at", "-id")
    return {"count": qs.count(), "limit": limit, "offset": offset,
            "items": [dossier_summary(d) for d in qs[offset:offset + limit]]}


# ---------------------------------------------------------------- creation

@router.post("", response={200: DossierState, 201: DossierState, **ERRORS}, summary="Nộp hồ sơ trực tuyến")
def submit(request, payload: SubmitIn, idempotency_key: str | None = IdempotencyKey):
    user = request.auth
    proc, agency = _procedure_and_agency(payload.procedure_code, payload.agency_code)
    applicant_data = _applicant_data(request, payload.applicant)

    def create():
        return lifecycle.submit_online(applicant=user, procedure=proc, agency=agency, applicant_data=applicant_data,
                                       form_data=payload.form_data, return_method=payload.return_method,
                                       idempotency_key=idempotency_key)

    # No look-up here: submit_online finds an earlier attempt itself before checking anything else.
    dossier, status = _idempotent(user, idempotency_key, create, precheck=False)
    return Status(status, dossier_state(dossier, user))


@router.post("/counter", response={200: DossierState, 201: DossierState, **ERRORS},
             summary="Tiếp nhận hồ sơ trực tiếp tại Bộ phận Một cửa")
def receive_at_counter(request, payload: CounterIn, idempotency_key: str | None = IdempotencyKey):
    user = request.auth
    proc, agency = _procedure_and_agency(payload.procedure_code, payload.agency_code)

    def create():
        return lifecycle.receive_at_counter(
            officer=user, procedure=proc, agency=agency, applicant_data=_from_population(payload.applicant.dict(), user),
            form_data=payload.form_data, channel=payload.channel,
            return_method=payload.return_method, idempotency_key=idempotency_key,
            off_day_reason=payload.off_day_reason)

    dossier, status = _idempotent(user, idempotency_key, create)
    return Status(status, dossier_state(dossier, user))


@router.get("/{code}", response={200: DossierDetailOut, **ERRORS}, summary="Chi tiết hồ sơ, lịch sử và thao tác được phép")
def get_dossier(request, code: str):
    return dossier_detail(_get(request, code), request.auth)


# ---------------------------------------------------------------- one endpoint per legal action

STATE = {200: DossierState, **ERRORS}


def _act(request, code: str, fn, **kwargs) -> dict:
    # The transition finds the dossier by code with its own locking statement and checks visibility
    # before anything else (an invisible dossier is "not found", nothing written): one statement less
    # than loading it here first.
    user = request.auth
    if "\x00" in code or len(code) > 64:
        raise _not_found(code)
    ref = lifecycle.DossierRef(code, visible=lambda d: can_view(user, d), not_found=_not_found(code))
    dossier = fn(ref, **kwargs)
    return dossier_state(dossier, user)


@router.post("/{code}/receive", response=STATE, summary="Tiếp nhận hồ sơ nộp trực tuyến")
@retry.whole_transaction
def receive(request, code: str, payload: ReceiveIn = None):
    payload = payload or ReceiveIn()
    # The flag is what the confirmed scans show (payload.digitized is not taken: documents.digitization_flags); on a day
    # off of the dossier's agency the reason is required (lifecycle.check_off_day_reason, under the lock).
    return _act(request, code, lifecycle.receive, officer=request.auth, digitized=receipt_digitized,
                off_day_reason=payload.off_day_reason)


@router.post("/{code}/request-supplement", response=STATE, summary="Yêu cầu bổ sung, hoàn thiện hồ sơ")
@retry.whole_transaction
def request_supplement(request, code: str, payload: SupplementRequestIn):
    return _act(request, code, lifecycle.request_supplement, officer=request.auth, items=payload.items,
                reason=payload.reason)


@router.post("/{code}/provide-supplement", response=STATE, summary="Nộp bổ sung hồ sơ")
@retry.whole_transaction
def provide_supplement(request, code: str, payload: SupplementIn = None):
    payload = payload or SupplementIn()
    return _act(request, code, lifecycle.provide_supplement, by=request.auth, form_data=payload.form_data)


@router.post("/{code}/refuse", response=STATE, summary="Từ chối tiếp nhận hồ sơ")
@retry.whole_transaction
def refuse(request, code: str, payload: ReasonIn):
    return _act(request, code, lifecycle.refuse, officer=request.auth, reason=payload.reason)


@router.post("/{code}/start-processing", response=STATE, summary="Chuyển xử lý, bắt đầu giải quyết")
@retry.whole_transaction
def start_processing(request, code: str, payload: StartProcessingIn = None):
    payload = payload or StartProcessingIn()
    return _act(request, code, lifecycle.start_processing, officer=request.auth, assignee=_user(payload.assignee))


@router.post("/{code}/complete-step", response=STATE, summary="Hoàn thành bước xử lý hiện tại")
@retry.whole_transaction
def complete_step(request, code: str, payload: CompleteStepIn = None):
    payload = payload or CompleteStepIn()
    return _act(request, code, lifecycle.complete_step, officer=request.auth, note=payload.note,
                assignee=_user(payload.assignee))


@router.post("/{code}/hand-over", response=STATE, summary="Chuyển hồ sơ liên thông sang cơ quan khác")
@retry.whole_transaction
def hand_over(request, code: str, payload: HandOverIn):
    return _act(request, code, lifecycle.hand_over, officer=request.auth,
                to_agency=_agency(payload.to_agency, "to_agency"), note=payload.note)


@router.post("/{code}/return-from-agency", response=STATE, summary="Trả hồ sơ liên thông về cơ quan chủ trì")
@retry.whole_transaction
def return_from_agency(request, code: str, payload: NoteIn = None):
    payload = payload or NoteIn()
    return _act(request, code, lifecycle.return_from_agency, officer=request.auth, note=payload.note)


@router.post("/{code}/pause", response=STATE, summary="Tạm dừng giải quyết")
@retry.whole_transaction
def pause(request, code: str, payload: ReasonIn):
    return _act(request, code, lifecycle.pause, officer=request.auth, reason=payload.reason)


@router.post("/{code}/resume", response=STATE, summary="Tiếp tục giải quyết")
@retry.whole_transaction
def resume(request, code: str):
    return _act(request, code, lifecycle.resume, officer=request.auth)


@router.post("/{code}/extend", response=STATE, summary="Gia hạn thời gian giải quyết")
@retry.whole_transaction
def extend(request, code: str, payload: ExtendIn):
    return _act(request, code, lifecycle.extend, officer=request.auth, days=payload.days, reason=payload.reason)


@router.post("/{code}/apology", response=STATE, summary="Phiếu xin lỗi và hẹn lại ngày trả kết quả")
@retry.whole_transaction
def apology(request, code: str, payload: ApologyIn):
    new_due = payload.new_due_at
    if not isinstance(new_due, datetime) and isinstance(new_due, date):
        new_due = calendar.end_of_working_day(new_due)  # a day: at the end of its office hours
    if timezone.is_naive(new_due):
        new_due = timezone.make_aware(new_due)
    return _act(request, code, lifecycle.issue_apology, officer=request.auth, reason=payload.reason,
                new_due_at=new_due)


@router.post("/{code}/approve", response=STATE, summary="Phê duyệt kết quả")
@retry.whole_transaction
def approve(request, code: str, payload: ApproveIn = None):
    payload = payload or ApproveIn()
    return _act(request, code, lifecycle.approve, officer=request.auth, summary=payload.summary)


@router.post("/{code}/reject", response=STATE, summary="Không giải quyết (trả lời bằng văn bản, nêu lý do)")
@retry.whole_transaction
def reject(request, code: str, payload: ReasonIn):
    return _act(request, code, lifecycle.reject, officer=request.auth, reason=payload.reason)


# An electronic-only procedure's result is refused without its file (the rule: result_electronic_as_required), and
# the refusal tells an API client how to give it.
SIGNED_AS_REQUIRED = functools.partial(result_electronic_as_required, how="Tải lên qua POST /api/v1/documents/"
                                       "attachments (kind=result) tệp PDF đã ký số, rồi ký ban hành.")


@router.post("/{code}/sign-result", response=STATE, summary="Ký, ban hành kết quả")
@retry.whole_transaction
def sign_result(request, code: str, payload: SignResultIn = None):
    payload = payload or SignResultIn()
    # Signing over the API issues no signed file here: the result is electronic when a digitally signed result PDF
    # was uploaded to the dossier first (that file then goes into the applicant's repository), digitized once its
    # scan was confirmed (documents.digitization_flags).
    return _act(request, code, _sign_with_filed_result, officer=request.auth, electronic=SIGNED_AS_REQUIRED,
                digitized=result_digitized)


def _sign_with_filed_result(ref, *, officer, **flags):
    dossier = lifecycle.sign_result(ref, officer=officer, **flags)
    issue_filed_result(dossier, officer=officer)
    return dossier


@router.post("/{code}/return", response=STATE, summary="Trả kết quả")
@retry.whole_transaction
def return_result(request, code: str, payload: ReturnIn = None):
    payload = payload or ReturnIn()
    return _act(request, code, lifecycle.return_result, officer=request.auth, method=payload.method)


@router.post("/{code}/withdraw", response=STATE, summary="Rút hồ sơ")
@retry.whole_transaction
def withdraw(request, code: str, payload: ReasonIn):
    return _act(request, code, lifecycle.withdraw, by=request.auth, reason=payload.reason)


@router.post("/{code}/stop", response=STATE, summary="Dừng giải quyết hồ sơ")
@retry.whole_transaction
def stop(request, code: str, payload: ReasonIn):
    return _act(request, code, lifecycle.stop, officer=request.auth, reason=payload.reason)
