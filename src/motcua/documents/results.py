"""Signed results: the result PDF signed with the deciding agency's certificate, stored and filed in the
applicant's repository. The status change itself is motcua.dossiers.lifecycle.sign_result."""

from __future__ import annotations

from django.db import transaction

from motcua.audit.services import record as audit_record

from . import validation
from .attachments import save_bytes, signature_summary
from .models import Attachment, AttachmentKind
from .signing import sign_pdf
from .vault import file_result


def issue_signed_result(dossier, pdf_bytes: bytes, *, officer, title: str | None = None, at=None) -> Attachment:
    """Sign the result PDF with the deciding agency's certificate, store it, and file it in the
    applicant's repository (``at``: when, for data recorded after the fact). The status change itself is
    lifecycle.sign_result."""
    agency = dossier.current_agency or dossier.agency
    signed = sign_pdf(pdf_bytes, agency)
    inspection = validation.inspect(signed)
    with transaction.atomic():
        _replace_earlier_results(dossier, officer=officer)
        att = save_bytes(signed, inspection=inspection, original_name=f"{dossier.code or dossier.pk}-ket-qua.pdf",
                          owner=dossier.applicant, dossier=dossier, component=None, kind=AttachmentKind.RESULT,
                          uploaded_by=officer, is_signed=True, signature=signature_summary(signed))
        file_result(att, dossier=dossier, officer=officer, title=title, at=at)
    return att


def _replace_earlier_results(dossier, *, officer) -> None:
    """A dossier has one result: a result file filed on it before (over the API, say) that the leader chose not to
    issue, signing another one here, stays on the dossier for the record but is no longer its result (the applicant
    does not see it; it does not make the result electronic)."""
    earlier = list(Attachment.objects.filter(dossier=dossier, kind=AttachmentKind.RESULT).values_list("pk", flat=True))
    if earlier:
        Attachment.objects.filter(pk__in=earlier).update(kind=AttachmentKind.RESULT_REPLACED)
        audit_record(officer, "document.result_replaced", "dossier", dossier.pk, {"attachments": earlier})
