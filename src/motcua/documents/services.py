"""Documents services: validated storage, digitization, the citizen data repository, signed results.

Other apps call these functions; they never write the documents tables themselves.
"""

from __future__ import annotations

import hashlib
import io
import os
import unicodedata
import uuid

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from motcua.audit.services import record as audit_record
from motcua.core.cccd import parse_id_number
from motcua.core.errors import NotFound, PermissionDenied, ValidationFailed
from motcua.dossiers.access import can_view_dossier

from . import validation
from .models import (
    Attachment,
    AttachmentKind,
    ConsentPurpose,
    DigitizationJob,
    DigitizationKind,
    JobStatus,
    VaultConsent,
    VaultItem,
    VaultItemKind,
)
from .storage import document_storage

OFFICER_ROLES = ("counter_officer", "specialist", "department_head", "leader", "unit_admin", "provincial_admin")


# ---------------------------------------------------------------- storage

def _clean_name(name: str | None) -> str:
    name = os.path.basename((name or "").replace("\\", "/")).strip()
    name = "".join(c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c)[0] != "C")
    return (name or "tep-dinh-kem")[:255]


def _check_component(dossier, component) -> None:
    if component is not None and dossier is not None and component.procedure_id != dossier.procedure_id:
        raise ValidationFailed("component_not_in_procedure", "Thành phần hồ sơ không thuộc thủ tục của hồ sơ này.")


def _save_bytes(data: bytes, *, inspection: validation.Inspection, original_name: str, owner, dossier, component,
                kind: str, uploaded_by, **extra) -> Attachment:
    """Write bytes that already passed validation, then the row; remove the file if the row fails."""
    sha = hashlib.sha256(data).hexdigest()
    now = timezone.now()
    path = f"documents/{now:%Y/%m}/{sha[:2]}/{uuid.uuid4().hex}{inspection.extension}"
    storage = document_storage()
    stored = storage.save(path, ContentFile(data))
    try:
        with transaction.atomic():
            att = Attachment.objects.create(
                dossier=dossier, owner=owner if getattr(owner, "pk", None) else None, component=component,
                kind=kind, original_name=original_name, content_type=inspection.content_type, size=len(data),
                sha256=sha, storage_path=stored, uploaded_by=uploaded_by if getattr(uploaded_by, "pk", None) else None,
                **extra,
            )
            audit_record(uploaded_by, "document.upload", "attachment", att.pk,
                         {"dossier": getattr(dossier, "pk", None), "kind": kind, "sha256": sha, "size": len(data),
                          "content_type": inspection.content_type, "name": original_name})
    except BaseException:
        storage.delete(stored)
        raise
    return att


def store_upload(file, *, owner, dossier=None, component=None, kind: str = AttachmentKind.COMPONENT,
                 uploaded_by=None, name: str | None = None) -> Attachment:
    """Validate an uploaded file and store it; on refusal raise ValidationFailed and store nothing.

    `file` is a Django UploadedFile, a file object or bytes. Checks (validation.inspect): size limit,
    type by content (PDF, JPEG, PNG, TIFF, DOCX), PDF structure and active content, image pixel
    budget, ZIP bombs and macros.
    """
    if kind not in AttachmentKind.values:
        raise ValidationFailed("attachment_kind_invalid", "Loại tệp đính kèm không hợp lệ.")
    _check_component(dossier, component)
    if isinstance(file, (bytes, bytearray)):
        data = bytes(file)
        if len(data) > validation.max_upload_bytes():
            raise validation._too_large(validation.max_upload_bytes())
    else:
        data = validation.read_limited(file)
    inspection = validation.inspect(data)
    original = _clean_name(name or getattr(file, "name", None))
    signature = signature_summary(data) if inspection.content_type == validation.PDF else {}
    return _save_bytes(data, inspection=inspection, original_name=original, owner=owner, dossier=dossier,
                       component=component, kind=kind, uploaded_by=uploaded_by or owner,
                       is_signed=bool(signature.get("signed")), signature=signature)


def signature_summary(data: bytes) -> dict:
    """Verify the signatures of an uploaded PDF (if any) so the officer sees their validity."""
    if b"/ByteRange" not in data:
        return {}
    from .signing import verify_pdf

    result = verify_pdf(data)
    if not result.signed:
        return {}
    return {"signed": True, "valid": result.valid, "intact": result.intact, "trusted": result.trusted,
            "signer": result.signer, "signed_at": result.signed_at.isoformat() if result.signed_at else None,
            "verdict": result.verdict, "reasons": result.reasons}


def get_attachment(pk: int) -> Attachment:
    att = Attachment.objects.select_related("dossier").filter(pk=pk).first()
    if att is None:
        raise NotFound("attachment_not_found", "Không tìm thấy tệp đính kèm.")
    return att


def can_access_attachment(user, att: Attachment) -> bool:
    """Its owner and uploader, and whoever may view its dossier (motcua.dossiers.access, hand-overs included)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if att.owner_id == user.pk or att.uploaded_by_id == user.pk:
        return True
    return att.dossier is not None and can_view_dossier(user, att.dossier)


# ---------------------------------------------------------------- digitization flags

def is_digitized(dossier, kind: str = DigitizationKind.RECEIPT) -> bool:
    """True when a digitization job for this dossier and kind produced its searchable copy."""
    return DigitizationJob.objects.filter(dossier=dossier, kind=kind,
                                          status__in=[JobStatus.DONE, JobStatus.CONFIRMED]).exists()


def mark_digitized(dossier, kind: str = DigitizationKind.RECEIPT, *, actor=None) -> bool:
    """Record that the dossier's components (receipt) or its result were digitized.

    Before receipt nothing is written: the counter passes `digitized=is_digitized(dossier)` to
    motcua.dossiers.lifecycle.receive, which sets the flag. A result signed through
    lifecycle.sign_result(digitized=True) already carries it. Only when digitization finishes after
    that transition is the flag written here (write_dossier_digitization_flag). Returns True when
    the flag is set now.
    """
    from motcua.dossiers.models import Status

    if kind not in DigitizationKind.values:
        raise ValidationFailed("digitization_kind_invalid", "Loại số hóa không hợp lệ.")
    field = "digitized_at_receipt" if kind == DigitizationKind.RECEIPT else "result_digitized"
    if getattr(dossier, field):
        return True
    if kind == DigitizationKind.RECEIPT and dossier.status in (Status.DRAFT, Status.SUBMITTED):
        return False
    if kind == DigitizationKind.RESULT and dossier.status not in (Status.READY_FOR_RETURN, Status.RETURNED,
                                                                  Status.APPROVED, Status.REJECTED):
        return False
    write_dossier_digitization_flag(dossier, field, actor=actor)
    return True


def write_dossier_digitization_flag(dossier, field: str, *, actor=None) -> None:
    """Set Dossier.<field> after the transition that normally sets it, through the lifecycle
    (motcua.dossiers.lifecycle.record_digitization: event, audit entry and outbox in one transaction)."""
    from motcua.dossiers import lifecycle

    kinds = {"digitized_at_receipt": "receipt", "result_digitized": "result"}
    fresh = lifecycle.record_digitization(dossier, kind=kinds[field], by=actor)
    setattr(dossier, field, True)
    dossier.version = fresh.version


# ---------------------------------------------------------------- digitization jobs

def _count_pages(att: Attachment, data: bytes) -> int:
    if att.content_type == validation.PDF:
        from pypdf import PdfReader

        return len(PdfReader(io.BytesIO(data), strict=False).pages)
    if att.content_type in validation.IMAGE_TYPES:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as im:
            return getattr(im, "n_frames", 1)
    raise ValidationFailed("digitization_type_not_supported",
                           "Chỉ số hóa được bản quét dạng ảnh (JPEG, PNG, TIFF) hoặc PDF.")


def start_digitization(*, sources: list[Attachment], actor, dossier=None, kind: str = DigitizationKind.RECEIPT,
                       component=None) -> DigitizationJob:
    """Queue OCR of scans into a searchable PDF; the worker (manage.py db_worker) runs it."""
    from .tasks import digitize

    if not sources:
        raise ValidationFailed("digitization_no_source", "Chưa có bản quét nào để số hóa.")
    if kind not in DigitizationKind.values:
        raise ValidationFailed("digitization_kind_invalid", "Loại số hóa không hợp lệ.")
    _check_component(dossier, component)
    total = 0
    for att in sources:
        if dossier is not None and att.dossier_id not in (None, dossier.pk):
            raise ValidationFailed("attachment_other_dossier", "Bản quét thuộc hồ sơ khác.")
        total += _count_pages(att, att.read())
    with transaction.atomic():
        job = DigitizationJob.objects.create(dossier=dossier, kind=kind, component=component, pages_total=total,
                                             created_by=actor if getattr(actor, "pk", None) else None)
        job.sources.set(sources)
        audit_record(actor, "document.digitize_start", "digitization_job", job.pk,
                     {"dossier": getattr(dossier, "pk", None), "kind": kind, "pages": total})
        job_id = job.pk

        def _enqueue():
            result = digitize.enqueue(job_id)
            DigitizationJob.objects.filter(pk=job_id, task_id="").update(task_id=str(result.id)[:64])

        transaction.on_commit(_enqueue)
    return job


def run_digitization(job_id: int) -> DigitizationJob:
    """Body of the background task: OCR every page, saving progress after each one."""
    from . import ocr

    job = DigitizationJob.objects.get(pk=job_id)
    if job.status not in (JobStatus.QUEUED, JobStatus.FAILED):
        return job
    DigitizationJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now(),
                                                     pages_done=0, error="")
    try:
        texts, pdfs, done = [], [], 0
        for att in job.sources.order_by("id"):
            for page in ocr.pages_from_file(att.read(), att.content_type):
                result = ocr.ocr_image(page, want_pdf=True)
                texts.append(result.text)
                pdfs.append(result.pdf)
                done += 1
                DigitizationJob.objects.filter(pk=job.pk).update(pages_done=done)
        merged = ocr.merge_pdfs(pdfs)
        text = "\n\f\n".join(texts)
        fields = ocr.extract_fields(text)
        dossier = job.dossier
        first = job.sources.order_by("id").first()
        stem = os.path.splitext(first.original_name)[0] if first else "ban-so-hoa"
        output = _save_bytes(merged, inspection=validation.Inspection(validation.PDF, ".pdf", len(pdfs)),
                             original_name=f"{stem}-so-hoa.pdf"[:255], owner=first.owner if first else None,
                             dossier=dossier, component=job.component, kind=AttachmentKind.DIGITIZED,
                             uploaded_by=job.created_by)
        with transaction.atomic():
            DigitizationJob.objects.filter(pk=job.pk).update(
                status=JobStatus.DONE, pages_done=done, pages_total=max(done, job.pages_total), text=text,
                fields=fields, output=output, finished_at=timezone.now())
            if dossier is not None:
                mark_digitized(dossier, job.kind, actor=job.created_by)
    except Exception as exc:  # the worker must record the failure for the officer, not crash silently
        DigitizationJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, finished_at=timezone.now(),
            error=f"Không nhận dạng được bản quét: {exc.__class__.__name__}: {exc}"[:2000])
    return DigitizationJob.objects.get(pk=job.pk)


CONFIRMABLE_FIELDS = ("id_number", "full_name", "date_of_birth", "address")


def confirm_digitization(job: DigitizationJob, *, officer, fields: dict, title: str | None = None) -> DigitizationJob:
    """The officer checks the extracted fields; the digitized copy then joins the person's repository."""
    if job.status not in (JobStatus.DONE, JobStatus.CONFIRMED):
        raise ValidationFailed("digitization_not_finished", "Lượt số hóa chưa hoàn thành, chưa thể xác nhận.")
    clean = {k: str(v).strip() for k, v in (fields or {}).items() if k in CONFIRMABLE_FIELDS and str(v).strip()}
    id_number = clean.get("id_number") or (job.dossier.applicant_id_number if job.dossier else "")
    if id_number:
        clean["id_number"] = parse_id_number(id_number).value
    with transaction.atomic():
        job.status = JobStatus.CONFIRMED
        job.confirmed_fields = clean
        job.confirmed_at = timezone.now()
        job.confirmed_by = officer
        job.save(update_fields=["status", "confirmed_fields", "confirmed_at", "confirmed_by"])
        audit_record(officer, "document.digitize_confirm", "digitization_job", job.pk, {"fields": clean})
        if id_number and job.output_id:
            name = title or (job.component.name if job.component else "Giấy tờ đã số hóa")
            if not VaultItem.objects.filter(attachment_id=job.output_id, id_number=clean["id_number"]).exists():
                add_to_vault(job.output, id_number=clean["id_number"], kind=VaultItemKind.COMPONENT, title=name,
                             source_dossier=job.dossier, actor=officer, fields=clean)
    return job


# ---------------------------------------------------------------- citizen data repository (Vault)
# Decree 45/2020/ND-CP art. 9, 12: reuse data the state already holds, "provide once" (LEGAL.md §5).

def add_to_vault(attachment: Attachment, *, id_number: str, kind: str, title: str, source_dossier=None,
                 actor=None, fields: dict | None = None, valid_until=None) -> VaultItem:
    id_number = parse_id_number(id_number).value
    item = VaultItem.objects.create(
        id_number=id_number, attachment=attachment, kind=kind, title=title[:500], source_dossier=source_dossier,
        component_name=(attachment.component.name if attachment.component_id else "")[:500], fields=fields or {},
        valid_until=valid_until, created_by=actor if getattr(actor, "pk", None) else None)
    audit_record(actor, "vault.add", "vault_item", item.pk, {"id_number": id_number, "kind": kind, "title": title})
    return item


def grant_consent(id_number: str, purpose: str, *, by, note: str = "") -> VaultConsent:
    id_number = parse_id_number(id_number).value
    if purpose not in ConsentPurpose.values:
        raise ValidationFailed("consent_purpose_invalid", "Mục đích khai thác dữ liệu không hợp lệ.")
    _require_self_or_counter(by, id_number, "ghi nhận sự đồng ý")
    with transaction.atomic():
        existing = VaultConsent.objects.filter(id_number=id_number, purpose=purpose, revoked_at__isnull=True).first()
        if existing:
            return existing
        consent = VaultConsent.objects.create(id_number=id_number, purpose=purpose, granted_at=timezone.now(),
                                              granted_by=by if getattr(by, "pk", None) else None, note=note[:255])
        audit_record(by, "vault.consent_grant", "vault_consent", consent.pk,
                     {"id_number": id_number, "purpose": purpose})
    return consent


def revoke_consent(id_number: str, purpose: str, *, by) -> int:
    """Withdraw consent for one purpose; later officer reads for it are refused. Returns rows revoked."""
    id_number = parse_id_number(id_number).value
    _require_self_or_counter(by, id_number, "rút lại sự đồng ý")
    with transaction.atomic():
        rows = list(VaultConsent.objects.select_for_update().filter(id_number=id_number, purpose=purpose,
                                                                    revoked_at__isnull=True))
        now = timezone.now()
        for consent in rows:
            consent.revoked_at = now
            consent.save(update_fields=["revoked_at"])
            audit_record(by, "vault.consent_revoke", "vault_consent", consent.pk,
                         {"id_number": id_number, "purpose": purpose})
    return len(rows)


def _is_self(user, id_number: str) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False)
                and getattr(user, "id_number", "") == id_number)


def _require_self_or_counter(user, id_number: str, what: str) -> None:
    from motcua.accounts.permissions import has_role

    if _is_self(user, id_number) or has_role(user, ("counter_officer",)):
        return
    raise PermissionDenied("vault_forbidden", f"Bạn không có quyền {what} cho số định danh này.")


def has_consent(id_number: str, purpose: str) -> bool:
    return VaultConsent.objects.filter(id_number=id_number, purpose=purpose, revoked_at__isnull=True).exists()


def vault_items_for(id_number: str, *, requester, purpose: str) -> list[VaultItem]:
    """Valid repository items of a person. The person sees their own; an officer needs their consent.

    Every read (and every refused read) is written to the audit trail as vault.read.
    """
    from motcua.accounts.permissions import has_role

    id_number = parse_id_number(id_number).value
    if purpose not in ConsentPurpose.values:
        raise ValidationFailed("consent_purpose_invalid", "Mục đích khai thác dữ liệu không hợp lệ.")
    own = _is_self(requester, id_number)
    allowed = own or (has_role(requester, OFFICER_ROLES) and has_consent(id_number, purpose))
    if not allowed:
        audit_record(requester, "vault.read_denied", "vault", id_number, {"purpose": purpose})
        raise PermissionDenied("vault_consent_missing",
                               "Công dân chưa đồng ý (hoặc đã rút lại sự đồng ý) cho cơ quan khai thác kho dữ liệu "
                               "điện tử của mình cho mục đích này.")
    today = timezone.localdate()
    items = list(VaultItem.objects.select_related("attachment", "source_dossier")
                 .filter(id_number=id_number, is_valid=True)
                 .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today)))
    audit_record(requester, "vault.read", "vault", id_number,
                 {"purpose": purpose, "own": own, "items": [i.pk for i in items]})
    return items


def _fold(text: str) -> str:
    from motcua.core.text import fold

    return fold(text or "")


def match_component(procedure, item: VaultItem):
    """The procedure's component requirement whose name matches the item's component or title."""
    wanted = {_fold(item.component_name), _fold(item.title)} - {""}
    for comp in procedure.components.all():
        if _fold(comp.name) in wanted:
            return comp
    return None


def reuse_in_dossier(item: VaultItem, dossier, *, actor=None, component=None) -> Attachment:
    """Attach a repository item to a new dossier without a new upload (Decision 766 metric 4.3)."""
    if not item.is_valid or (item.valid_until and item.valid_until < timezone.localdate()):
        raise ValidationFailed("vault_item_expired", "Giấy tờ trong kho dữ liệu đã hết hiệu lực.")
    if not dossier.applicant_id_number or dossier.applicant_id_number != item.id_number:
        raise ValidationFailed("vault_item_other_person",
                               "Giấy tờ trong kho dữ liệu không thuộc người nộp hồ sơ này.")
    component = component or match_component(dossier.procedure, item)
    _check_component(dossier, component)
    src = item.attachment
    with transaction.atomic():
        existing = Attachment.objects.filter(dossier=dossier, reused_from=src).first()
        if existing:
            return existing
        att = Attachment.objects.create(
            dossier=dossier, owner=dossier.applicant, component=component, kind=AttachmentKind.COMPONENT,
            original_name=src.original_name, content_type=src.content_type, size=src.size, sha256=src.sha256,
            storage_path=src.storage_path, uploaded_by=actor if getattr(actor, "pk", None) else None,
            reused=True, reused_from=src, is_signed=src.is_signed, signature=src.signature)
        audit_record(actor, "vault.reuse", "attachment", att.pk,
                     {"vault_item": item.pk, "dossier": dossier.pk, "component": getattr(component, "pk", None)})
    return att


def reuse_suggestions(procedure, id_number: str, *, requester, purpose: str = ConsentPurpose.PREFILL) -> list[dict]:
    """For each component of a procedure, the repository items that can fill it ("provide once")."""
    items = vault_items_for(id_number, requester=requester, purpose=purpose)
    out = []
    for comp in procedure.components.all():
        matches = [i for i in items if _fold(comp.name) in {_fold(i.component_name), _fold(i.title)}]
        out.append({"component": comp, "items": matches})
    return out


# ---------------------------------------------------------------- signed results

def issue_signed_result(dossier, pdf_bytes: bytes, *, officer, title: str | None = None) -> Attachment:
    """Sign the result PDF with the deciding agency's certificate, store it, and file it in the
    applicant's repository. The status change itself is lifecycle.sign_result."""
    from .signing import sign_pdf

    agency = dossier.current_agency or dossier.agency
    signed = sign_pdf(pdf_bytes, agency)
    inspection = validation.inspect(signed)
    name = title or dossier.procedure.result_name or "Kết quả giải quyết"
    with transaction.atomic():
        att = _save_bytes(signed, inspection=inspection, original_name=f"{dossier.code or dossier.pk}-ket-qua.pdf",
                          owner=dossier.applicant, dossier=dossier, component=None, kind=AttachmentKind.RESULT,
                          uploaded_by=officer, is_signed=True, signature=signature_summary(signed))
        if dossier.applicant_id_number:
            add_to_vault(att, id_number=dossier.applicant_id_number, kind=VaultItemKind.RESULT, title=name,
                         source_dossier=dossier, actor=officer)
    return att
