"""Citizen data repository: consent, audited reads, reuse in a later dossier ("provide once")."""

import pytest

from motcua.audit.models import AuditEntry
from motcua.core.errors import PermissionDenied, ValidationFailed
from motcua.documents.attachments import store_upload
from motcua.documents.consent import grant_consent, revoke_consent
from motcua.documents.models import Attachment, VaultItem, VaultItemKind
from motcua.documents.results import issue_signed_result
from motcua.documents.vault import (
    add_to_vault,
    reuse_in_dossier,
    reuse_suggestions,
    vault_items_for,
)

from .conftest import make_dossier, make_pdf

ID = "051090001234"


@pytest.fixture
def item(people):
    comp = people["procedure"].components.get(name="Căn cước công dân")
    att = store_upload(make_pdf("CCCD"), owner=people["citizen"], component=comp, name="cccd.pdf")
    return add_to_vault(att, id_number=ID, kind=VaultItemKind.COMPONENT, title="Căn cước công dân",
                        actor=people["counter"])


def test_citizen_reads_own_repository_and_read_is_audited(people, item):
    items = vault_items_for(ID, requester=people["citizen"], purpose="prefill")
    assert [i.pk for i in items] == [item.pk]
    entry = AuditEntry.objects.filter(action="vault.read").latest("id")
    assert entry.object_id == ID and entry.data["items"] == [item.pk] and entry.data["own"] is True
    assert entry.actor_id == people["citizen"].pk


def test_officer_needs_consent_for_the_dossier_then_loses_it_on_revocation(people, item):
    dossier = make_dossier(people, status="received")
    with pytest.raises(PermissionDenied) as exc:
        vault_items_for(ID, requester=people["counter"], purpose="prefill", dossier=dossier)
    assert exc.value.code == "vault_consent_missing"
    assert AuditEntry.objects.filter(action="vault.read_denied", object_id=ID).exists()

    grant_consent(ID, "prefill", by=people["citizen"], dossier=dossier)
    assert len(vault_items_for(ID, requester=people["counter"], purpose="prefill", dossier=dossier)) == 1
    # Consent is per purpose…
    with pytest.raises(PermissionDenied):
        vault_items_for(ID, requester=people["counter"], purpose="processing", dossier=dossier)
    # …and per dossier: another dossier of the same person needs its own.
    with pytest.raises(PermissionDenied):
        vault_items_for(ID, requester=people["counter"], purpose="prefill", dossier=make_dossier(people))

    assert revoke_consent(ID, "prefill", by=people["citizen"]) == 1
    with pytest.raises(PermissionDenied):
        vault_items_for(ID, requester=people["counter"], purpose="prefill", dossier=dossier)
    assert AuditEntry.objects.filter(action="vault.consent_revoke").count() == 1


def test_audited_read_carries_its_reason_and_dossier(people, item):
    dossier = make_dossier(people, status="received")
    consent = grant_consent(ID, "processing", by=people["counter"], dossier=dossier)
    assert consent.by_applicant is False and consent.granted_by == people["counter"]
    vault_items_for(ID, requester=people["counter"], purpose="processing", dossier=dossier,
                    reason="Đối chiếu giấy khai sinh")
    entry = AuditEntry.objects.filter(action="vault.read").latest("id")
    assert entry.actor_id == people["counter"].pk and entry.object_id == ID
    assert entry.data["reason"] == "Đối chiếu giấy khai sinh"
    assert entry.data["dossier"] == dossier.pk and entry.data["dossier_code"] == dossier.code
    assert entry.data["consent"] == consent.pk and entry.data["purpose"] == "processing"
    assert entry.data["items"] == [item.pk] and entry.data["own"] is False
    # Without a reason given, the purpose names it.
    vault_items_for(ID, requester=people["counter"], purpose="processing", dossier=dossier)
    assert AuditEntry.objects.filter(action="vault.read").latest("id").data["reason"] == \
        "Cơ quan giải quyết hồ sơ tra cứu, đối chiếu"


def test_expired_consent_is_refused(people, item):
    import datetime as dt

    from django.utils import timezone

    dossier = make_dossier(people, status="received")
    consent = grant_consent(ID, "prefill", by=people["citizen"], dossier=dossier, days=3)
    assert consent.by_applicant is True
    assert dt.timedelta(days=2) < consent.expires_at - timezone.now() <= dt.timedelta(days=3)
    consent.expires_at = timezone.now() - dt.timedelta(minutes=1)
    consent.save()
    with pytest.raises(PermissionDenied) as exc:
        vault_items_for(ID, requester=people["counter"], purpose="prefill", dossier=dossier)
    assert exc.value.code == "vault_consent_expired" and "hết hạn" in exc.value.message
    denied = AuditEntry.objects.filter(action="vault.read_denied").latest("id")
    assert denied.data["code"] == "vault_consent_expired" and denied.data["dossier"] == dossier.pk
    # Withdrawing it now withdraws nothing: its history keeps "expired", not "withdrawn".
    assert revoke_consent(ID, "prefill", by=people["citizen"]) == 0
    consent.refresh_from_db()
    assert consent.revoked_at is None
    assert not AuditEntry.objects.filter(action="vault.consent_revoke").exists()
    # A new consent opens it again.
    grant_consent(ID, "prefill", by=people["citizen"], dossier=dossier)
    assert vault_items_for(ID, requester=people["counter"], purpose="prefill", dossier=dossier)


def test_consent_is_limited_in_time(people, settings):
    settings.MOTCUA_VAULT_CONSENT_DAYS = 10
    dossier = make_dossier(people, status="received")
    with pytest.raises(ValidationFailed) as exc:
        grant_consent(ID, "prefill", by=people["citizen"], dossier=dossier, days=11)
    assert exc.value.code == "consent_days_invalid"
    assert (grant_consent(ID, "prefill", by=people["citizen"], dossier=dossier).expires_at
            - grant_consent(ID, "prefill", by=people["citizen"], dossier=dossier).granted_at).days == 10


def test_officer_of_another_unit_is_refused(people, item):
    from tests.factories import AgencyFactory, officer

    dossier = make_dossier(people, status="received")
    grant_consent(ID, "prefill", by=people["citizen"], dossier=dossier)
    stranger = officer("counter_officer", AgencyFactory(code="H55.299"), username="quay-xa")
    with pytest.raises(PermissionDenied) as exc:
        grant_consent(ID, "prefill", by=stranger, dossier=dossier)
    assert exc.value.code == "vault_forbidden"
    with pytest.raises(ValidationFailed) as exc:
        grant_consent(ID, "prefill", by=stranger, dossier=None)
    assert exc.value.code == "vault_dossier_required"
    with pytest.raises(PermissionDenied) as exc:
        vault_items_for(ID, requester=stranger, purpose="prefill", dossier=dossier)
    assert exc.value.code == "vault_forbidden"
    assert AuditEntry.objects.filter(action="vault.read_denied", actor=stranger, data__code="vault_forbidden").exists()


def test_invalid_id_number_refused(people):
    with pytest.raises(ValidationFailed) as exc:
        vault_items_for("12345", requester=people["citizen"], purpose="prefill")
    assert exc.value.code == "id_number_invalid"


def test_expired_or_revoked_items_hidden(people, item):
    import datetime as dt

    item.valid_until = dt.date(2020, 1, 1)
    item.save()
    assert vault_items_for(ID, requester=people["citizen"], purpose="prefill") == []


def test_reuse_in_dossier_marks_component_reused(people, item):
    dossier = make_dossier(people, status="submitted")
    att = reuse_in_dossier(item, dossier, actor=people["citizen"])
    assert att.reused and att.reused_from_id == item.attachment_id
    assert att.dossier_id == dossier.pk
    assert att.component.name == "Căn cước công dân"
    assert att.sha256 == item.attachment.sha256 and att.read() == item.attachment.read()
    # Reusing twice does not duplicate the component.
    assert reuse_in_dossier(item, dossier).pk == att.pk
    assert Attachment.objects.filter(dossier=dossier, reused=True).count() == 1
    assert AuditEntry.objects.filter(action="vault.reuse", object_id=str(att.pk)).exists()


def test_reuse_for_someone_else_refused(people, item):
    dossier = make_dossier(people, status="submitted", id_number="051190000999")
    with pytest.raises(ValidationFailed) as exc:
        reuse_in_dossier(item, dossier)
    assert exc.value.code == "vault_item_other_person"
    assert not Attachment.objects.filter(dossier=dossier).exists()


def test_reuse_suggestions_per_component(people, item):
    rows = reuse_suggestions(people["procedure"], ID, requester=people["citizen"])
    by_name = {r["component"].name: [i.pk for i in r["items"]] for r in rows}
    assert by_name == {"Tờ khai đăng ký khai sinh": [], "Căn cước công dân": [item.pk]}


def test_signed_result_goes_to_the_repository(people):
    from motcua.documents.signing import verify_pdf

    dossier = make_dossier(people, status="approved")
    att = issue_signed_result(dossier, make_pdf("Trich luc khai sinh"), officer=people["leader"],
                              title="Trích lục khai sinh")
    assert att.kind == "result" and att.is_signed
    assert verify_pdf(att.read()).valid
    vi = VaultItem.objects.get(attachment=att)
    assert vi.id_number == ID and vi.kind == "result" and vi.source_dossier_id == dossier.pk
