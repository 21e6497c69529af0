"""Consent to read a person's data repository: for one dossier, one purpose, until a set time.

- A consent names a dossier whose applicant is that person. Only officers handling that dossier (acting for
  its receiving or current agency: ``dossiers.access.handles_dossier``) may read under it; an officer of
  another unit finds nothing to rely on.
- It is given by the person themself (the dossier's applicant: ``by_applicant``) or recorded by an officer
  handling the dossier, who heard it at the counter.
- It lasts at most ``MOTCUA_VAULT_CONSENT_DAYS`` days (the grantor may choose fewer) and can be revoked by
  the person, or by an officer of the dossier, at any time.

Decree 13/2023/ND-CP art. 11: consent names its purpose, and the person may withdraw it; the period is
this installation's choice [?].
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from motcua.audit.services import record as audit_record
from motcua.core.cccd import parse_id_number
from motcua.core.errors import PermissionDenied, ValidationFailed
from motcua.dossiers.access import handles_dossier

from .models import ConsentPurpose, VaultConsent


def max_days() -> int:
    return max(1, int(settings.MOTCUA_VAULT_CONSENT_DAYS))


def check_purpose(purpose: str) -> str:
    if purpose not in ConsentPurpose.values:
        message = "Mục đích khai thác dữ liệu không hợp lệ."
        raise ValidationFailed("consent_purpose_invalid", message, details={"purpose": message})
    return purpose


def is_self(user, id_number: str) -> bool:
    """The person themself: an account whose ID number the national e-ID proved (a number typed at sign-up is
    anyone's claim, accounts.User.id_number_verified)."""
    return bool(user is not None and getattr(user, "is_authenticated", False)
                and getattr(user, "id_number", "") == id_number and getattr(user, "id_number_verified", bool)())


UNVERIFIED_MESSAGE = ("Số định danh cá nhân của tài khoản chưa được xác thực bằng định danh điện tử (VNeID); vui lòng "
                      "đăng nhập bằng VNeID để dùng dữ liệu của chính mình.")


def refuse_unverified_self(user, id_number: str) -> None:
    """The account claims `id_number` (typed at sign-up) without the e-ID having proved it: say so."""
    if getattr(user, "id_number", "") == id_number and not is_self(user, id_number):
        raise PermissionDenied("id_number_unverified", UNVERIFIED_MESSAGE)


def check_dossier_of(dossier, id_number: str) -> None:
    if dossier is None:
        raise ValidationFailed("vault_dossier_required",
                               "Cần nêu hồ sơ của công dân mà việc khai thác kho dữ liệu phục vụ.")
    if dossier.applicant_id_number != id_number:
        raise ValidationFailed("vault_dossier_other_person",
                               "Hồ sơ này không phải của người có số định danh đã nêu.")


def _grantor(user, id_number: str, dossier, what: str) -> bool:
    """True when the person themself acts, False for an officer handling the dossier; else refused."""
    if is_self(user, id_number):
        check_dossier_of(dossier, id_number)
        return True
    refuse_unverified_self(user, id_number)
    if dossier is None and handles_dossier(user, None):
        check_dossier_of(None, id_number)  # an officer acts only for a dossier they handle
    if dossier is not None:
        check_dossier_of(dossier, id_number)
        if handles_dossier(user, dossier):
            return False
    raise PermissionDenied("vault_forbidden", f"Chỉ công dân hoặc cán bộ của cơ quan đang giải quyết hồ sơ mới được "
                                              f"{what} cho hồ sơ này.")


def grant_consent(id_number: str, purpose: str, *, by, dossier, days: int | None = None,
                  note: str = "") -> VaultConsent:
    """Record consent for the officers of `dossier` to read the person's repository for `purpose`.

    An active consent for the same dossier and purpose is returned as it is (not extended)."""
    id_number = parse_id_number(id_number).value
    check_purpose(purpose)
    by_applicant = _grantor(by, id_number, dossier, "ghi nhận sự đồng ý")
    days = max_days() if days is None else days
    if not 1 <= days <= max_days():
        message = f"Thời hạn đồng ý phải từ 1 đến {max_days()} ngày."
        raise ValidationFailed("consent_days_invalid", message, details={"days": message})
    now = timezone.now()
    with transaction.atomic():
        existing = active_consent(id_number, purpose, dossier, at=now)
        if existing is not None:
            return existing
        consent = VaultConsent.objects.create(
            id_number=id_number, purpose=purpose, dossier=dossier, granted_at=now,
            expires_at=now + dt.timedelta(days=days), by_applicant=by_applicant,
            granted_by=by if getattr(by, "pk", None) else None, note=note[:255])
        audit_record(by, "vault.consent_grant", "vault_consent", consent.pk,
                     {"id_number": id_number, "purpose": purpose, "dossier": dossier.pk, "dossier_code": dossier.code,
                      "by_applicant": by_applicant, "expires_at": consent.expires_at.isoformat()})
    return consent


def revoke_consent(id_number: str, purpose: str, *, by, dossier=None) -> int:
    """Withdraw consent for one purpose (for one dossier, or all of the person's when they act themself).

    Later officer reads for it are refused. Returns the number of consents revoked."""
    id_number = parse_id_number(id_number).value
    check_purpose(purpose)
    if dossier is not None or not is_self(by, id_number):
        _grantor(by, id_number, dossier, "rút lại sự đồng ý")
    with transaction.atomic():
        now = timezone.now()
        rows = VaultConsent.objects.select_for_update().filter(id_number=id_number, purpose=purpose)
        if dossier is not None:
            rows = rows.filter(dossier=dossier)
        revoked = 0
        for consent in rows:
            if not consent.is_active_at(now):  # one that ended keeps "expired" (or its first withdrawal) in its history
                continue
            consent.revoked_at = now
            consent.save(update_fields=["revoked_at"])
            audit_record(by, "vault.consent_revoke", "vault_consent", consent.pk,
                         {"id_number": id_number, "purpose": purpose, "dossier": consent.dossier_id})
            revoked += 1
    return revoked


def in_force(consents, at) -> VaultConsent | None:
    """Of `consents` (one person's, for one purpose and one dossier), the one in force at `at`: neither withdrawn nor
    expired (VaultConsent.is_active_at); of several, the one lasting longest. The only place this is decided."""
    return max((c for c in consents if c.is_active_at(at)), key=lambda c: c.expires_at, default=None)


def active_consent(id_number: str, purpose: str, dossier, *, at=None) -> VaultConsent | None:
    """The consent in force now for this person, purpose and dossier, if any."""
    if dossier is None:
        return None
    return in_force(VaultConsent.objects.filter(id_number=id_number, purpose=purpose, dossier=dossier),
                    at or timezone.now())


def missing_consent_error(id_number: str, purpose: str, dossier) -> PermissionDenied:
    """Why an officer of `dossier` may not read: no consent, or one that ended (expired or revoked)."""
    last = (VaultConsent.objects.filter(id_number=id_number, purpose=purpose, dossier=dossier)
            .order_by("-granted_at").first())
    if last is not None and last.revoked_at is None:
        return PermissionDenied("vault_consent_expired",
                                f"Sự đồng ý của công dân cho hồ sơ này đã hết hạn lúc "
                                f"{timezone.localtime(last.expires_at):%H:%M %d/%m/%Y}; cần công dân đồng ý lại.")
    return PermissionDenied("vault_consent_missing",
                            "Công dân chưa đồng ý (hoặc đã rút lại sự đồng ý) cho cơ quan giải quyết hồ sơ này "
                            "khai thác kho dữ liệu điện tử của mình cho mục đích này.")


@dataclass(frozen=True)
class PurposeState:
    """Where one purpose stands for a dossier: the consent in force, else the latest one that ended."""

    purpose: str
    label: str
    active: VaultConsent | None
    last: VaultConsent | None


def consent_state(dossier) -> list[PurposeState]:
    """Per purpose (in the order of ConsentPurpose), what the dossier's pages show about the applicant's consent."""
    now = timezone.now()
    history = consents_for(dossier)  # one statement for every purpose; the one in force is picked by in_force
    states = []
    for purpose, label in ConsentPurpose.choices:
        rows = [c for c in history if c.purpose == purpose]
        mine = [c for c in rows if c.id_number == dossier.applicant_id_number]
        states.append(PurposeState(purpose, label, in_force(mine, now), next(iter(rows), None)))
    return states


def consents_for(dossier) -> list[VaultConsent]:
    return list(VaultConsent.objects.filter(dossier=dossier).select_related("granted_by").order_by("-granted_at"))
