"""The citizen data repository (kho dữ liệu điện tử): documents the state already holds about a person, the
person's consent for officers to read them, and their reuse in a new dossier without a new upload.

Decree 45/2020/ND-CP art. 9, 12: reuse data the state already holds, "provide once" (LEGAL.md §5). Officers
read a person's repository only for a dossier they handle, under that person's consent (consent.py); every
read (and every refused read) goes to the audit trail with its reason.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from motcua.audit.services import record as audit_record
from motcua.core.cccd import parse_id_number
from motcua.core.errors import DomainError, PermissionDenied, ValidationFailed
from motcua.core.text import fold
from motcua.dossiers import lifecycle
from motcua.dossiers.access import handles_dossier
from motcua.outbox.services import emit

from . import consent
from .attachments import check_component
from .models import Attachment, AttachmentKind, ConsentPurpose, VaultItem, VaultItemKind

# Decree 45/2020/ND-CP art. 9, 12: reuse data the state already holds, "provide once" (LEGAL.md §5).

def add_to_vault(attachment: Attachment, *, id_number: str, kind: str, title: str, source_dossier=None,
                 actor=None, fields: dict | None = None, valid_until=None, at=None) -> VaultItem:
    """Keep a digitized component or a result for a person. With its dossier: the dossier records the link
    (Decision 766 4.4) and the event ``documents.vault_stored`` lets the national personal storage, where
    configured, receive it too (integrations)."""
    id_number = parse_id_number(id_number).value
    with transaction.atomic():
        item = VaultItem.objects.create(
            id_number=id_number, attachment=attachment, kind=kind, title=title[:500], source_dossier=source_dossier,
            component_name=(attachment.component.name if attachment.component_id else "")[:500], fields=fields or {},
            valid_until=valid_until, created_by=actor if getattr(actor, "pk", None) else None)
        audit_record(actor, "vault.add", "vault_item", item.pk, {"id_number": id_number, "kind": kind, "title": title})
        if source_dossier is not None:
            lifecycle.record_data_link(source_dossier, kind="vault", by=actor, at=at)
            emit("documents.vault_stored", "dossier", source_dossier.pk, {
                "vault_item_id": item.pk, "dossier_id": source_dossier.pk, "dossier_code": source_dossier.code,
                "id_number": id_number, "kind": kind, "title": item.title, "sha256": attachment.sha256,
                "content_type": attachment.content_type, "at": (at or timezone.now()).isoformat()})
    return item


def file_result(attachment: Attachment, *, dossier, officer, title: str | None = None, at=None) -> VaultItem | None:
    """The electronic result issued on a dossier goes into the applicant's repository, once, whichever way it was
    issued (signed here, or a validly signed PDF filed on the dossier before or after signing). Nothing when the
    applicant's ID number is not known. Decree 45/2020/ND-CP art. 9: a result the state issued is kept for reuse."""
    if not dossier.applicant_id_number:
        return None
    id_number = parse_id_number(dossier.applicant_id_number).value
    kept = VaultItem.objects.filter(attachment=attachment, id_number=id_number).first()
    if kept is not None:
        return kept
    return add_to_vault(attachment, id_number=id_number, kind=VaultItemKind.RESULT, source_dossier=dossier,
                        title=title or dossier.procedure.result_name or "Kết quả giải quyết", actor=officer, at=at)


def vault_items_for(id_number: str, *, requester, purpose: str, dossier=None, reason: str = "") -> list[VaultItem]:
    """Valid repository items of a person. The person sees their own; an officer reads for a dossier they
    handle, under the person's consent in force for that dossier and purpose (documents/consent.py).

    Every read, and every refused read, is written to the audit trail (vault.read / vault.read_denied) with
    its purpose, its reason (given, or the purpose's label) and the dossier it served.
    """
    id_number = parse_id_number(id_number).value
    consent.check_purpose(purpose)
    reason = (reason or "").strip()[:500] or ConsentPurpose(purpose).label
    own = consent.is_self(requester, id_number)
    trail = {"purpose": purpose, "reason": reason, "dossier": getattr(dossier, "pk", None),
             "dossier_code": getattr(dossier, "code", None)}
    granted = None
    if not own:
        try:
            consent.refuse_unverified_self(requester, id_number)
            granted = _officer_consent(requester, id_number, purpose, dossier)
        except DomainError as refusal:
            audit_record(requester, "vault.read_denied", "vault", id_number, {**trail, "code": refusal.code})
            raise
    today = timezone.localdate()
    items = list(VaultItem.objects.select_related("attachment", "source_dossier")
                 .filter(id_number=id_number, is_valid=True)
                 .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today)))
    audit_record(requester, "vault.read", "vault", id_number,
                 {**trail, "own": own, "consent": getattr(granted, "pk", None), "items": [i.pk for i in items]})
    return items


def _officer_consent(requester, id_number: str, purpose: str, dossier):
    """The consent an officer reads under, or the refusal: not an officer of this dossier, no consent."""
    if not handles_dossier(requester, None):
        raise PermissionDenied("vault_forbidden", "Bạn không có quyền xem kho dữ liệu điện tử của người này.")
    consent.check_dossier_of(dossier, id_number)
    if not handles_dossier(requester, dossier):
        raise PermissionDenied("vault_forbidden", "Chỉ cán bộ của cơ quan đang giải quyết hồ sơ mới được khai thác "
                                                  "kho dữ liệu của người nộp hồ sơ.")
    granted = consent.active_consent(id_number, purpose, dossier)
    if granted is None:
        raise consent.missing_consent_error(id_number, purpose, dossier)
    return granted


def _fold(text: str) -> str:
    return fold(text or "")


def match_component(procedure, item: VaultItem):
    """The procedure's component requirement whose name matches the item's component or title."""
    wanted = {_fold(item.component_name), _fold(item.title)} - {""}
    for comp in procedure.components.all():
        if _fold(comp.name) in wanted:
            return comp
    return None


def reuse_in_dossier(item: VaultItem, dossier, *, actor=None, component=None, at=None) -> Attachment:
    """Attach a repository item to a new dossier without a new upload; the dossier records the reuse through
    the lifecycle (Decision 766 metric 4.3)."""
    if not item.is_valid or (item.valid_until and item.valid_until < timezone.localdate()):
        raise ValidationFailed("vault_item_expired", "Giấy tờ trong kho dữ liệu đã hết hiệu lực.")
    if not dossier.applicant_id_number or dossier.applicant_id_number != item.id_number:
        raise ValidationFailed("vault_item_other_person",
                               "Giấy tờ trong kho dữ liệu không thuộc người nộp hồ sơ này.")
    component = component or match_component(dossier.procedure, item)
    check_component(dossier, component)
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
        lifecycle.record_data_link(dossier, kind="reused", by=actor, at=at)
    return att


def reuse_suggestions(procedure, id_number: str, *, requester, purpose: str = ConsentPurpose.PREFILL, dossier=None,
                      reason: str = "") -> list[dict]:
    """For each component of a procedure, the repository items that can fill it ("provide once")."""
    items = vault_items_for(id_number, requester=requester, purpose=purpose, dossier=dossier, reason=reason)
    out = []
    for comp in procedure.components.all():
        matches = [i for i in items if _fold(comp.name) in {_fold(i.component_name), _fold(i.title)}]
        out.append({"component": comp, "items": matches})
    return out
