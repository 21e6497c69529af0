"""The citizen data repository (kho dữ liệu điện tử): documents the state already holds about a person, the
person's consent for officers to read them, and their reuse in a new dossier without a new upload.

Decree 45/2020/ND-CP art. 9, 12: reuse data the state already holds, "provide once" (LEGAL.md §5). Every
read (and every refused read) goes to the audit trail.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from motcua.accounts.models import ACTING_ROLES, Role
from motcua.accounts.permissions import has_role
from motcua.audit.services import record as audit_record
from motcua.core.cccd import parse_id_number
from motcua.core.errors import PermissionDenied, ValidationFailed
from motcua.core.text import fold

from .attachments import check_component
from .models import Attachment, AttachmentKind, ConsentPurpose, VaultConsent, VaultItem

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
    if _is_self(user, id_number) or has_role(user, Role.COUNTER_OFFICER):
        return
    raise PermissionDenied("vault_forbidden", f"Bạn không có quyền {what} cho số định danh này.")


def has_consent(id_number: str, purpose: str) -> bool:
    return VaultConsent.objects.filter(id_number=id_number, purpose=purpose, revoked_at__isnull=True).exists()


def vault_items_for(id_number: str, *, requester, purpose: str) -> list[VaultItem]:
    """Valid repository items of a person. The person sees their own; an officer needs their consent.

    Every read (and every refused read) is written to the audit trail as vault.read.
    """
    id_number = parse_id_number(id_number).value
    if purpose not in ConsentPurpose.values:
        raise ValidationFailed("consent_purpose_invalid", "Mục đích khai thác dữ liệu không hợp lệ.")
    own = _is_self(requester, id_number)
    allowed = own or (has_role(requester, ACTING_ROLES) and has_consent(id_number, purpose))
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
    return att


def reuse_suggestions(procedure, id_number: str, *, requester, purpose: str = ConsentPurpose.PREFILL) -> list[dict]:
    """For each component of a procedure, the repository items that can fill it ("provide once")."""
    items = vault_items_for(id_number, requester=requester, purpose=purpose)
    out = []
    for comp in procedure.components.all():
        matches = [i for i in items if _fold(comp.name) in {_fold(i.component_name), _fold(i.title)}]
        out.append({"component": comp, "items": matches})
    return out
