"""Citizen data repository: consent, audited reads, reuse in a later dossier ("provide once")."""

import pytest

from motcua.audit.models import AuditEntry
from motcua.core.errors import PermissionDenied, ValidationFailed
from motcua.documents.attachments import store_upload
from motcua.documents.models import Attachment, VaultItem, VaultItemKind
from motcua.documents.results import issue_signed_result
from motcua.documents.vault import (
    add_to_vault,
    grant_consent,
    reuse_in_dossier,
    reuse_suggestions,
    revoke_consent,
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


def test_officer_needs_consent_then_loses_it_on_revocation(people, item):
    with pytest.raises(PermissionDenied) as exc:
        vault_items_for(ID, requester=people["counter"], purpose="prefill")
    assert exc.value.code == "vault_consent_missing"
    assert AuditEntry.objects.filter(action="vault.read_denied", object_id=ID).exists()

    grant_consent(ID, "prefill", by=people["citizen"])
    assert len(vault_items_for(ID, requester=people["counter"], purpose="prefill")) == 1
    # Consent is per purpose.
    with pytest.raises(PermissionDenied):
        vault_items_for(ID, requester=people["counter"], purpose="processing")

    assert revoke_consent(ID, "prefill", by=people["citizen"]) == 1
    with pytest.raises(PermissionDenied):
        vault_items_for(ID, requester=people["counter"], purpose="prefill")
    assert AuditEntry.objects.filter(action="vault.consent_revoke").count() == 1


def test_another_citizen_cannot_read_or_grant(people, item):
    with pytest.raises(PermissionDenied):
        vault_items_for(ID, requester=people["other_citizen"], purpose="prefill")
    with pytest.raises(PermissionDenied):
        grant_consent(ID, "prefill", by=people["other_citizen"])


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
