"""Printable slips of a dossier over the API: GET /dossiers/{code}/slips/{kind}?fmt=pdf|docx.

Mounted on the dossiers router so integrators find it beside the dossier; visibility is the same.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from ninja import Query

from motcua.audit.services import record_read
from motcua.core.errors import NotFound, ValidationFailed
from motcua.papers import slips

from .dossiers import ERRORS, _get, router

# Slips that exist only once issued by a transition; the control sheet is drawn from the history.
ISSUED_KINDS = {slips.RECEIPT, slips.SUPPLEMENT, slips.REFUSAL, slips.APOLOGY}


@router.get("/{code}/slips/{kind}", response={200: None, **ERRORS}, summary="Tải phiếu của hồ sơ (PDF/DOCX)")
def download_slip(request, code: str, kind: str, fmt: str = Query("pdf")):
    if kind not in ISSUED_KINDS | {slips.CONTROL_SHEET}:
        raise ValidationFailed("slip_kind_unknown", "Loại phiếu không hợp lệ.")
    if fmt not in slips.CONTENT_TYPES:
        raise ValidationFailed("slip_format_unknown", "Định dạng phiếu phải là pdf hoặc docx.")
    dossier = _get(request, code)
    slip = dossier.slips.filter(kind=kind).order_by("-issued_at", "-id").first()
    if kind in ISSUED_KINDS and slip is None:
        raise NotFound("slip_not_found", "Hồ sơ chưa có phiếu này.")
    data = slips.render(kind, dossier, fmt=fmt, slip=slip)
    record_read(request.auth, "dossier", dossier.pk, ["applicant_name", "applicant_id_number", "applicant_phone"],
                purpose=f"slip:{kind}")
    response = HttpResponse(data, content_type=slips.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, slips.filename(kind, dossier, fmt))
    return response
