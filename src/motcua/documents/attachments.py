"""Attachments: files checked by their content (validation.py), stored (storage.py), and who may open them.

Other apps call these functions; they never write the documents tables themselves. Who may open a
dossier's files is who may view the dossier (motcua.dossiers.access), plus the file's owner and uploader.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
import uuid

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from motcua.accounts.permissions import is_officer
from motcua.audit.services import record as audit_record
from motcua.core.errors import NotFound, ValidationFailed
from motcua.dossiers.access import can_view_dossier
from motcua.dossiers.models import Status

from . import transactional, validation
from .models import INTERNAL_KINDS, Attachment, AttachmentKind
from .signing import verify_pdf
from .storage import document_storage


def _clean_name(name: str | None) -> str:
    name = os.path.basename((name or "").replace("\\", "/")).strip()
    name = "".join(c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c)[0] != "C")
    return (name or "tep-dinh-kem")[:255]


def check_component(dossier, component) -> None:
    if component is not None and dossier is not None and component.procedure_id != dossier.procedure_id:
        raise ValidationFailed("component_not_in_procedure", "Thành phần hồ sơ không thuộc thủ tục của hồ sơ này.")


def save_bytes(data: bytes, *, inspection: validation.Inspection, original_name: str, owner, dossier, component,
                kind: str, uploaded_by, at=None, **extra) -> Attachment:
    """Write bytes that already passed validation, then the row. If the row, or the caller's transaction
    around it, rolls back, the file is removed again (transactional.py). ``at``: when it was uploaded, for data
    recorded after the fact (the demo's history); default now."""
    sha = hashlib.sha256(data).hexdigest()
    moment = at or timezone.now()
    path = f"documents/{moment:%Y/%m}/{sha[:2]}/{uuid.uuid4().hex}{inspection.extension}"
    with transaction.atomic():
        stored = transactional.save(document_storage(), path, ContentFile(data))
        att = Attachment.objects.create(
            dossier=dossier, owner=owner if getattr(owner, "pk", None) else None, component=component,
            kind=kind, original_name=original_name, content_type=inspection.content_type, size=len(data),
            sha256=sha, storage_path=stored, uploaded_by=uploaded_by if getattr(uploaded_by, "pk", None) else None,
            uploaded_at=moment, **extra,
        )
        audit_record(uploaded_by, "document.upload", "attachment", att.pk,
                     {"dossier": getattr(dossier, "pk", None), "kind": kind, "sha256": sha, "size": len(data),
                      "content_type": inspection.content_type, "name": original_name}, at=at)
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
    check_component(dossier, component)
    if isinstance(file, (bytes, bytearray)):
        data = bytes(file)
        if len(data) > validation.max_upload_bytes():
            raise validation._too_large(validation.max_upload_bytes())
    else:
        data = validation.read_limited(file)
    inspection = validation.inspect(data)
    original = _clean_name(name or getattr(file, "name", None))
    signature = signature_summary(data) if inspection.content_type == validation.PDF else {}
    return save_bytes(data, inspection=inspection, original_name=original, owner=owner, dossier=dossier,
                       component=component, kind=kind, uploaded_by=uploaded_by or owner,
                       is_signed=bool(signature.get("signed")), signature=signature)


def replace_in_draft(dossier, component, *, by) -> list[int]:
    """A draft's files of ``component``, taken off before the citizen's new choice for it is stored: the form takes
    one file per component, and choosing another replaces the one kept with the draft. Only a draft (nothing sent to
    the agency yet); the files themselves go with the daily sweep (orphans.py). Returns the rows taken off."""
    if dossier.status != Status.DRAFT:
        raise ValidationFailed("not_a_draft", "Chỉ thay được tệp của hồ sơ nháp.")
    rows = Attachment.objects.filter(dossier=dossier, component=component, kind=AttachmentKind.COMPONENT)
    gone = list(rows.values_list("pk", flat=True))
    if gone:
        rows.delete()
        audit_record(by, "document.replaced_in_draft", "dossier", dossier.pk,
                     {"component": component.pk, "attachments": gone})
    return gone


def hold_upload(upload, *, owner, component) -> Attachment:
    """A file the citizen sent for ``component`` with a form refused before they chose where to submit it: a draft
    needs its place, so the file is held, with no dossier, for ``owner`` until the form is sent again
    (``attach_held``). Never chosen for them; what is left held is removed by the daily sweep (orphans.py)."""
    return store_upload(upload, owner=owner, component=component, kind=AttachmentKind.HELD, uploaded_by=owner)


def held_for(owner, procedure, pks) -> dict[int, Attachment]:
    """component pk -> the file ``owner`` holds for it among ``pks`` (the ones the portal remembers in the
    session), for ``procedure`` only."""
    rows = Attachment.objects.filter(pk__in=list(pks or []), kind=AttachmentKind.HELD, dossier__isnull=True,
                                     owner=owner, component__procedure=procedure).order_by("uploaded_at", "id")
    return {att.component_id: att for att in rows}


def drop_held(held) -> None:
    """Held files replaced by the citizen's new choice: the rows go now, their files with the daily sweep."""
    Attachment.objects.filter(pk__in=[att.pk for att in held], kind=AttachmentKind.HELD, dossier__isnull=True).delete()


def attach_held(held, dossier, *, by) -> None:
    """The held files go with ``dossier`` (the citizen's, just saved or submitted) as its components' files."""
    held = list(held)
    if not held:
        return
    Attachment.objects.filter(pk__in=[att.pk for att in held], kind=AttachmentKind.HELD, dossier__isnull=True,
                              owner=dossier.applicant_id).update(dossier=dossier, kind=AttachmentKind.COMPONENT)
    audit_record(by, "document.held_attached", "dossier", dossier.pk, {"attachments": [att.pk for att in held]})


def signature_summary(data: bytes) -> dict:
    """Verify the signatures of an uploaded PDF (if any) so the officer sees their validity."""
    if b"/ByteRange" not in data:
        return {}
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
    """Its owner and uploader, and whoever may view its dossier (motcua.dossiers.access, hand-overs included).
    A file only officers see (an unsigned draft, a replaced result, a template): its uploader and the officers who
    may view its dossier, never the applicant (as on the portal, motcua.web.files.list_attachments)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if att.uploaded_by_id == user.pk:
        return True
    if att.kind in INTERNAL_KINDS:
        return is_officer(user) and att.dossier is not None and can_view_dossier(user, att.dossier)
    if att.owner_id == user.pk:
        return True
    return att.dossier is not None and can_view_dossier(user, att.dossier)
