"""Files on the web pages: checking and storing uploads (motcua.documents), a dossier's attachments, and
the answers that send attachments and slips (motcua.papers).

A PDF opens in the browser's viewer, to read and print (``Content-Disposition: inline``): a slip the system
drew, or an attachment whose type was read from its bytes and whose structure was checked when it was stored
(documents.validation: no scripts, launch actions or embedded files). Everything else downloads (images, Word
files); no uploaded file is ever shown inline as a page. The name is encoded for the header (RFC 6266,
``filename*=utf-8''…``), so Vietnamese names arrive whole; SecurityMiddleware adds ``nosniff``."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme

from motcua.core.errors import DomainError
from motcua.documents import validation
from motcua.documents.attachments import store_upload
from motcua.documents.models import INTERNAL_KINDS, Attachment
from motcua.documents.storage import document_storage
from motcua.papers.slips import CONTENT_TYPES, filename, render

from .pages import show_domain_error


def check_upload(upload) -> None:
    """Raise ValidationFailed (Vietnamese message) if the documents checks would refuse this file."""
    try:
        validation.inspect(validation.read_limited(upload))
    finally:
        upload.seek(0)


def store_attachment(dossier, upload, *, by, component=None, kind="component"):
    owner = dossier.applicant if dossier.applicant_id else None
    return store_upload(upload, owner=owner, dossier=dossier, component=component, kind=kind, uploaded_by=by)


def list_attachments(dossier, *, officer: bool = False) -> list[Attachment]:
    """The dossier's files; an unsigned draft result only for officers (officer=True)."""
    if dossier is None:
        return []
    files = Attachment.objects.filter(dossier=dossier).select_related("component").order_by("uploaded_at", "id")
    if not officer:
        files = files.exclude(kind__in=INTERNAL_KINDS)
    return list(files)


def attachments_by_component(dossier) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for att in list_attachments(dossier):
        if att.component_id:
            out.setdefault(f"tp_{att.component_id}", []).append(att.original_name)
    return out


def attachment_of(dossier, att_id: int, *, officer: bool = False) -> Attachment:
    """One of the dossier's files, or 404."""
    att = next((a for a in list_attachments(dossier, officer=officer) if a.pk == att_id), None)
    if att is None:
        raise Http404("Không tìm thấy tệp.")
    return att


def attachment_response(att) -> FileResponse:
    """The file: a PDF opens in the browser (its type was read from the bytes, never the name), others download."""
    return FileResponse(document_storage().open(att.storage_path, "rb"),
                        as_attachment=att.content_type != validation.PDF,
                        filename=att.original_name, content_type=att.content_type)


def render_slip(kind: str, dossier, fmt: str = "pdf") -> tuple[bytes, str, str]:
    """(bytes, content type, file name) of the latest issued slip of `kind` (the control sheet: as of now)."""
    slip = dossier.slips.filter(kind=kind).order_by("-issued_at", "-id").first()
    data = render(kind, dossier, fmt=fmt, slip=slip)
    return data, CONTENT_TYPES[fmt], filename(kind, dossier, fmt)


def slip_response(request, dossier, kind, fmt):
    """The slip: a PDF opens in the browser's viewer to be printed, a .docx downloads; a refusal goes back to the
    page the person came from, with its reason."""
    try:
        data, ctype, name = render_slip(kind, dossier, fmt=fmt)
    except DomainError as err:
        show_domain_error(request, err)
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure()):
            back = "portal:home"  # a link on another site leads here, not back out to it
        return redirect(back)
    resp = HttpResponse(data, content_type=ctype)
    resp["Content-Disposition"] = content_disposition_header(fmt != "pdf", name)
    return resp
