"""Documents over HTTP: validated uploads, digitization jobs, signature verification, the citizen vault.

Thin layer over the motcua.documents services (attachments, digitization, vault): it resolves ids to
rows, checks who may see what and shapes the answer. Refused uploads answer 413 / 415 / 422 with a code and a Vietnamese message.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.http import FileResponse
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from motcua.accounts import lockout
from motcua.catalog.models import ComponentRequirement
from motcua.core.errors import NotFound, PermissionDenied, ValidationFailed
from motcua.documents import (
    attachments,
    consent,
    digitization,
    digitization_flags,
    digitization_rules,
    validation,
    vault,
)
from motcua.documents.models import (
    AttachmentKind,
    ConsentPurpose,
    DigitizationJob,
    DigitizationKind,
    VaultItem,
)
from motcua.documents.signing import verify_pdf
from motcua.documents.storage import document_storage
from motcua.dossiers import access
from motcua.dossiers.models import Dossier

from .auth import api_auth
from .schemas import ErrorOut
from .values import WholeNumber, whole

router = Router(tags=["documents"], auth=api_auth)

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut,
          415: ErrorOut, 422: ErrorOut}
OFFICER_KINDS = {AttachmentKind.SCAN, AttachmentKind.RESULT, AttachmentKind.SLIP}
# What an upload may be: the rest the system makes (a searchable PDF, a draft from the procedure's template, a result
# replaced by the one signed, the template, a plan's evidence) — a draft filed by hand would be what a leader signs.
UPLOAD_KINDS = {AttachmentKind.COMPONENT, *OFFICER_KINDS}
DIGITIZE_REFUSED = ("Bạn không được số hóa giấy tờ của hồ sơ này ở trạng thái hiện tại: thành phần hồ sơ do công chức một "
                    "cửa của cơ quan tiếp nhận số hóa; kết quả được số hóa khi đã có quyết định.")


class AttachmentOut(Schema):
    id: int
    dossier_id: int | None
    component_id: int | None
    kind: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    reused: bool
    is_signed: bool
    signature: dict


class DigitizeIn(Schema):
    attachment_ids: list[WholeNumber] = Field(..., min_length=1, max_length=50)
    dossier_id: WholeNumber | None = None
    component_id: WholeNumber | None = None
    kind: str = Field(DigitizationKind.RECEIPT, description="receipt | result")


class DigitizationJobOut(Schema):
    id: int
    status: str
    status_label: str
    kind: str
    dossier_id: int | None
    pages_total: int
    pages_done: int
    progress_percent: int
    fields: dict
    confirmed_fields: dict
    output_id: int | None
    error: str = Field(description="Vietnamese: why the job failed (or stalled) and what to do (rescan, or try "
                                   "again: POST …/digitization/{job_id}/retry)")
    stalled: bool = Field(description="running, but with no progress for 10 minutes: its worker was stopped; "
                                      "POST …/digitization/{job_id}/retry runs it again")
    pages_unrecognized: list[int] = Field(
        description="pages whose text could not be recognised: the digitized PDF holds them as images only, and the "
                    "fields are typed from the scan before confirming")
    created_at: datetime
    finished_at: datetime | None


class ConfirmIn(Schema):
    fields: dict[str, str]
    title: str | None = Field(None, max_length=500)


class SignatureOut(Schema):
    field: str
    signer: str
    organization: str
    signed_at: str | None
    signed_at_display: str
    timestamped: bool
    intact: bool
    trusted: bool
    covers_whole_document: bool
    reasons: list[str]


class VerifyOut(Schema):
    signed: bool
    intact: bool
    trusted: bool
    valid: bool
    signer: str
    signed_at: str | None
    verdict: str
    reasons: list[str]
    signatures: list[SignatureOut]


class VaultItemOut(Schema):
    id: int
    id_number: str
    kind: str
    title: str
    component_name: str
    attachment_id: int
    source_dossier_code: str | None
    valid_until: str | None
    created_at: datetime


class ConsentIn(Schema):
    id_number: str = Field(..., max_length=20)
    purpose: str = Field(..., description="prefill | processing")
    dossier_id: WholeNumber = Field(..., description="Hồ sơ của chính người này mà việc khai thác phục vụ; chỉ cán bộ "
                                             "đang giải quyết hồ sơ đó được khai thác.")
    days: whole(ge=1, le=3650) | None = Field(None, description="Thời hạn (ngày); bỏ trống: tối đa cho phép.")


class RevokeIn(Schema):
    id_number: str = Field(..., max_length=20)
    purpose: str = Field(..., description="prefill | processing")
    dossier_id: WholeNumber | None = Field(None, description="Bỏ trống (chỉ công dân): rút mọi sự đồng ý cho mục đích này.")


class ConsentOut(Schema):
    id_number: str
    purpose: str
    active: bool
    dossier_code: str | None = None
    expires_at: datetime | None = None
    revoked: int = 0


class ReuseIn(Schema):
    dossier_id: WholeNumber
    component_id: WholeNumber | None = None


def _user(request):
    return request.auth if getattr(request.auth, "pk", None) else request.user


def _dossier(request, dossier_id: int | None):
    if dossier_id is None:
        return None
    dossier = Dossier.objects.select_related("procedure", "agency", "current_agency").filter(pk=dossier_id).first()
    if dossier is None or not access.can_view_dossier(_user(request), dossier):
        raise NotFound("dossier_not_found", "Không tìm thấy hồ sơ.")
    return dossier


def _component(component_id: int | None):
    if component_id is None:
        return None
    comp = ComponentRequirement.objects.filter(pk=component_id).first()
    if comp is None:
        raise NotFound("component_not_found", "Không tìm thấy thành phần hồ sơ.")
    return comp


def _attachment(request, pk: int):
    att = attachments.get_attachment(pk)
    if not attachments.can_access_attachment(_user(request), att):
        raise NotFound("attachment_not_found", "Không tìm thấy tệp đính kèm.")
    return att


def _attachment_out(att) -> dict:
    return {"id": att.pk, "dossier_id": att.dossier_id, "component_id": att.component_id, "kind": att.kind,
            "original_name": att.original_name, "content_type": att.content_type, "size": att.size,
            "sha256": att.sha256, "uploaded_at": att.uploaded_at, "reused": att.reused, "is_signed": att.is_signed,
            "signature": att.signature}


def _job_out(job: DigitizationJob) -> dict:
    return {"id": job.pk, "status": job.status, "status_label": job.get_status_display(), "kind": job.kind,
            "dossier_id": job.dossier_id, "pages_total": job.pages_total, "pages_done": job.pages_done,
            "progress_percent": job.progress_percent, "fields": job.fields, "confirmed_fields": job.confirmed_fields,
            "output_id": job.output_id, "error": job.officer_error,
            "stalled": job.stalled, "pages_unrecognized": job.pages_unrecognized or [],
            "created_at": job.created_at,
            "finished_at": job.finished_at}


# ---------------------------------------------------------------- attachments

@router.post("/attachments", response={201: AttachmentOut, **ERRORS}, summary="Tải lên tệp đính kèm")
def upload(request, file: File[UploadedFile], kind: Form[str] = AttachmentKind.COMPONENT,
           dossier_id: Form[WholeNumber | None] = None, component_id: Form[WholeNumber | None] = None):
    user = _user(request)
    dossier = _dossier(request, dossier_id)
    if kind in OFFICER_KINDS and not access.handles_dossier(user, dossier):
        raise PermissionDenied("forbidden", "Chỉ cán bộ của cơ quan giải quyết được tải lên loại tệp này.")
    if kind in AttachmentKind.values and kind not in UPLOAD_KINDS:
        raise ValidationFailed("attachment_kind_invalid",
                               f"{AttachmentKind(kind).label} do hệ thống tạo, không tải lên trực tiếp.")
    owner = dossier.applicant if dossier is not None and dossier.applicant_id else user
    with transaction.atomic():  # the file, and the late electronic result it may make: both or neither
        att = attachments.store_upload(file, owner=owner, dossier=dossier, component=_component(component_id),
                                       kind=kind, uploaded_by=user, name=file.name)
        digitization_flags.mark_result_electronic(att, actor=user)
    return Status(201, _attachment_out(att))


@router.get("/attachments/{id:attachment_id}", response={200: AttachmentOut, **ERRORS}, summary="Thông tin tệp")
def attachment_detail(request, attachment_id: int):
    return _attachment_out(_attachment(request, attachment_id))


@router.get("/attachments/{id:attachment_id}/content", response={200: None, **ERRORS}, summary="Tải tệp về")
def attachment_content(request, attachment_id: int):
    att = _attachment(request, attachment_id)
    response = FileResponse(document_storage().open(att.storage_path, "rb"), content_type=att.content_type,
                            as_attachment=True, filename=att.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------- digitization

@router.post("/digitization", response={202: DigitizationJobOut, **ERRORS}, summary="Số hóa bản quét (OCR, chạy nền)")
def digitize(request, body: DigitizeIn):
    user = _user(request)
    dossier = _dossier(request, body.dossier_id)
    if not access.handles_dossier(user, dossier):
        raise PermissionDenied("forbidden", "Chỉ cán bộ của cơ quan tiếp nhận được số hóa hồ sơ.")
    _may_digitize(user, dossier, body.kind)
    sources = [_attachment(request, pk) for pk in body.attachment_ids]
    job = digitization.start_digitization(sources=sources, actor=user, dossier=dossier, kind=body.kind,
                                      component=_component(body.component_id))
    job.refresh_from_db()
    return Status(202, _job_out(job))


def _may_digitize(user, dossier, kind: str) -> None:
    """Who digitizes what, and when, as on the counter screen (documents.digitization_rules.may_digitize); outside any
    dossier only a counter officer (403 ``digitization_forbidden``). An unknown kind and the components of a dossier
    submitted online are refused by start_digitization with their reason (422)."""
    if dossier is None:
        if not digitization_rules.may_digitize(user, None, kind):
            raise PermissionDenied("digitization_forbidden", digitization_rules.BACKLOG_REFUSED)
        return
    if kind not in DigitizationKind.values or (kind == DigitizationKind.RECEIPT
                                               and not digitization_rules.receipt_digitization_applies(dossier)):
        return
    if not digitization_rules.may_digitize(user, dossier, kind):
        raise PermissionDenied("forbidden", DIGITIZE_REFUSED)


def _job(request, job_id: int) -> DigitizationJob:
    job = DigitizationJob.objects.select_related("dossier").filter(pk=job_id).first()
    user = _user(request)
    if job is None or not (job.created_by_id == user.pk or (job.dossier and access.handles_dossier(user, job.dossier))):
        raise NotFound("digitization_job_not_found", "Không tìm thấy lượt số hóa.")
    return job


@router.get("/digitization/{id:job_id}", response={200: DigitizationJobOut, **ERRORS}, summary="Tiến độ số hóa")
def digitization_progress(request, job_id: int):
    return _job_out(_job(request, job_id))


@router.post("/digitization/{id:job_id}/confirm", response={200: DigitizationJobOut, **ERRORS},
             summary="Cán bộ xác nhận thông tin trích xuất")
def digitization_confirm(request, job_id: int, body: ConfirmIn):
    job = _job(request, job_id)
    _may_digitize(_user(request), job.dossier, job.kind)
    return _job_out(digitization_flags.confirm_digitization(job, officer=_user(request), fields=body.fields, title=body.title))


@router.post("/digitization/{id:job_id}/retry", response={202: DigitizationJobOut, **ERRORS},
             summary="Nhận dạng lại lượt số hóa bị lỗi hoặc đã dừng giữa chừng")
def digitization_retry(request, job_id: int):
    """As «Thử nhận dạng lại» on the counter screen: a failed job, or a stalled one, is queued again (409
    ``digitization_not_failed`` otherwise), by whoever may digitize it."""
    job = _job(request, job_id)
    _may_digitize(_user(request), job.dossier, job.kind)
    return Status(202, _job_out(digitization.retry_digitization(job, actor=_user(request))))


# ---------------------------------------------------------------- signatures

@router.post("/verify", response={200: VerifyOut, 429: ErrorOut, **ERRORS}, auth=None,
             summary="Kiểm tra chữ ký số trên tệp PDF")
def verify(request, file: File[UploadedFile]):
    lockout.refuse_heavy_use(request, "verify")  # anyone may ask, so not without end from one address
    data = validation.read_limited(file)
    if not data[:1024].lstrip().startswith(b"%PDF-"):
        raise ValidationFailed("file_type_not_allowed", "Chỉ kiểm tra được chữ ký số trên tệp PDF.", status=415)
    return verify_pdf(data).as_dict()


# ---------------------------------------------------------------- citizen data repository

def _vault_out(item: VaultItem) -> dict:
    return {"id": item.pk, "id_number": item.id_number, "kind": item.kind, "title": item.title,
            "component_name": item.component_name, "attachment_id": item.attachment_id,
            "source_dossier_code": item.source_dossier.code if item.source_dossier_id else None,
            "valid_until": item.valid_until.strftime("%d/%m/%Y") if item.valid_until else None,
            "created_at": item.created_at}


@router.get("/vault", response={200: list[VaultItemOut], **ERRORS}, summary="Kho dữ liệu điện tử của công dân",
            description="Công dân xem kho của mình. Cán bộ nêu `dossier_id` — hồ sơ của người này do cơ quan mình "
                        "đang giải quyết — và cần sự đồng ý còn hiệu lực cho hồ sơ và mục đích đó; mỗi lần xem "
                        "(kể cả bị từ chối) được ghi nhật ký kèm lý do (`reason`).")
def vault_list(request, id_number: str = Query(..., max_length=20), purpose: str = ConsentPurpose.PREFILL,
               dossier_id: WholeNumber | None = None, reason: str = Query("", max_length=500)):
    items = vault.vault_items_for(id_number, requester=_user(request), purpose=purpose,
                                  dossier=_dossier(request, dossier_id), reason=reason)
    return [_vault_out(i) for i in items]


def _consent_out(row) -> dict:
    return {"id_number": row.id_number, "purpose": row.purpose, "active": row.is_active,
            "dossier_code": row.dossier.code if row.dossier_id else None, "expires_at": row.expires_at}


@router.post("/vault/consents", response={201: ConsentOut, **ERRORS}, summary="Đồng ý cho cơ quan khai thác kho",
             description="Công dân (người nộp hồ sơ) tự đồng ý, hoặc cán bộ đang giải quyết hồ sơ ghi nhận sự đồng ý "
                         "của họ; chỉ cho hồ sơ đó, một mục đích, có thời hạn.")
def consent_grant(request, body: ConsentIn):
    row = consent.grant_consent(body.id_number, body.purpose, by=_user(request), dossier=_dossier(request, body.dossier_id),
                                days=body.days)
    return Status(201, _consent_out(row))


@router.post("/vault/consents/revoke", response={200: ConsentOut, **ERRORS}, summary="Rút lại sự đồng ý")
def consent_revoke(request, body: RevokeIn):
    dossier = _dossier(request, body.dossier_id)
    count = consent.revoke_consent(body.id_number, body.purpose, by=_user(request), dossier=dossier)
    return {"id_number": body.id_number.strip(), "purpose": body.purpose, "active": False,
            "dossier_code": dossier.code if dossier else None, "revoked": count}


@router.post("/vault/{id:item_id}/reuse", response={201: AttachmentOut, **ERRORS},
             summary="Dùng lại giấy tờ trong kho cho hồ sơ mới")
def vault_reuse(request, item_id: int, body: ReuseIn):
    user = _user(request)
    dossier = _dossier(request, body.dossier_id)
    item = VaultItem.objects.select_related("attachment").filter(pk=item_id).first()
    if item is None:
        raise NotFound("vault_item_not_found", "Không tìm thấy giấy tờ trong kho dữ liệu.")
    # Reading the item through the service checks ownership or consent and logs the access.
    readable = vault.vault_items_for(item.id_number, requester=user, purpose=ConsentPurpose.PREFILL, dossier=dossier,
                                     reason=f"Dùng lại giấy tờ cho hồ sơ {dossier.code or dossier.pk}")
    if item.pk not in {i.pk for i in readable}:
        raise NotFound("vault_item_not_found", "Không tìm thấy giấy tờ trong kho dữ liệu.")
    att = vault.reuse_in_dossier(item, dossier, actor=user, component=_component(body.component_id))
    return Status(201, _attachment_out(att))
