"""Signed results: the result PDF signed with the deciding agency's certificate, stored and filed in the
applicant's repository. The status change itself is motcua.dossiers.lifecycle.sign_result."""

from __future__ import annotations

from django.db import transaction

from . import validation
from .attachments import save_bytes, signature_summary
from .models import Attachment, AttachmentKind, VaultItemKind
from .signing import sign_pdf
from .vault import add_to_vault


def issue_signed_result(dossier, pdf_bytes: bytes, *, officer, title: str | None = None, at=None) -> Attachment:
    """Sign the result PDF with the deciding agency's certificate, store it, and file it in the
    applicant's repository (``at``: when, for data recorded after the fact). The status change itself is
    lifecycle.sign_result."""
    agency = dossier.current_agency or dossier.agency
    signed = sign_pdf(pdf_bytes, agency)
    inspection = validation.inspect(signed)
    name = title or dossier.procedure.result_name or "Kết quả giải quyết"
    with transaction.atomic():
        att = save_bytes(signed, inspection=inspection, original_name=f"{dossier.code or dossier.pk}-ket-qua.pdf",
                          owner=dossier.applicant, dossier=dossier, component=None, kind=AttachmentKind.RESULT,
                          uploaded_by=officer, is_signed=True, signature=signature_summary(signed))
        if dossier.applicant_id_number:
            add_to_vault(att, id_number=dossier.applicant_id_number, kind=VaultItemKind.RESULT, title=name,
                         source_dossier=dossier, actor=officer, at=at)
    return att
