"""Glue between the web pages and the engines of other apps, with temporary fall-backs.

Each fall-back is used only while the owning app has not shipped its service yet.
"""

from __future__ import annotations

from motcua.core.errors import DomainError


def search_procedures(q="", field=None, level="", online_level="", agency=None):
    from motcua.catalog.services import search_procedures as engine

    return engine(q, field=field, level=level or None, online_level=online_level or None, agency=agency)


def visible_dossiers(user):
    from motcua.dossiers.access import visible_dossiers as engine

    return engine(user)


def officer_can_view(user, dossier) -> bool:
    from motcua.dossiers.access import can_view_dossier

    return can_view_dossier(user, dossier)


def record_read(user, dossier, purpose: str) -> None:
    """An officer's read of a person's data goes to the audit trail (the applicant's own reads do not)."""
    from motcua.audit.services import record_dossier_read

    record_dossier_read(user, dossier, purpose=purpose)


def register_citizen(*, username, password, full_name, id_number, phone, email=""):
    from motcua.accounts.services import register_citizen as engine

    return engine(username=username, password=password, full_name=full_name, id_number=id_number,
                  phone=phone, email=email)


# Attachments: validated and stored by motcua.documents (type detected from the bytes).

def check_upload(upload) -> None:
    """Raise ValidationFailed (Vietnamese message) if the documents checks would refuse this file."""
    from motcua.documents import validation

    try:
        validation.inspect(validation.read_limited(upload))
    finally:
        upload.seek(0)


def store_attachment(dossier, upload, *, by, component=None, kind="component"):
    from motcua.documents.services import store_upload

    owner = dossier.applicant if dossier.applicant_id else None
    return store_upload(upload, owner=owner, dossier=dossier, component=component, kind=kind, uploaded_by=by)


def list_attachments(dossier):
    if dossier is None:
        return []
    from motcua.documents.models import Attachment

    return list(Attachment.objects.filter(dossier=dossier).select_related("component").order_by("uploaded_at", "id"))


def attachments_by_component(dossier) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for att in list_attachments(dossier):
        if att.component_id:
            out.setdefault(f"tp_{att.component_id}", []).append(att.original_name)
    return out


def attachment_response(att):
    from django.http import FileResponse

    from motcua.documents.storage import document_storage

    return FileResponse(document_storage().open(att.storage_path, "rb"), as_attachment=True,
                        filename=att.original_name, content_type=att.content_type)


SLIP_FILE_NAMES = {"receipt": "giay-tiep-nhan", "supplement": "phieu-yeu-cau-bo-sung", "refusal": "phieu-tu-choi",
                   "apology": "phieu-xin-loi-hen-lai", "control_sheet": "phieu-kiem-soat"}


def render_slip(kind: str, dossier, fmt: str = "pdf") -> tuple[bytes, str, str]:
    """(bytes, content type, file name) of the latest issued slip of `kind` (the control sheet: as of now)."""
    from motcua.papers.slips import CONTENT_TYPES, render

    slip = dossier.slips.filter(kind=kind).order_by("-issued_at", "-id").first()
    data = render(kind, dossier, fmt=fmt, slip=slip)
    code = (dossier.code or f"nhap-{dossier.pk}").replace("/", "-")
    return data, CONTENT_TYPES[fmt], f"{SLIP_FILE_NAMES.get(kind, kind)}-{code}.{fmt}"


def audit_person_lookup(user, id_number: str) -> None:
    from motcua.audit.services import record_read as audit_read

    audit_read(user, "person", id_number, ["full_name", "phone", "email", "address"], purpose="walk_in_lookup")


def vault_suggestions(procedure, user) -> dict:
    """component pk -> the person's own valid repository items that fit it (Decree 45/2020: provide once)."""
    if not getattr(user, "id_number", ""):
        return {}
    from motcua.documents.services import reuse_suggestions

    try:
        rows = reuse_suggestions(procedure, user.id_number, requester=user)
    except DomainError:
        return {}
    return {row["component"].pk: row["items"] for row in rows if row["items"]}


def reuse_from_vault(item, dossier, *, by, component):
    from motcua.documents.services import reuse_in_dossier

    return reuse_in_dossier(item, dossier, actor=by, component=component)


def start_payment(dossier, *, by, return_url: str):
    """A payment for the dossier's fee (the payments engine reuses a pending one); raises DomainError."""
    from motcua.payments.services import create_payment

    return create_payment(dossier, by=by, return_url=return_url)


def payment_pending(dossier) -> bool:
    from motcua.payments.models import Payment

    return Payment.objects.filter(dossier=dossier, status=Payment.PENDING).exists()
