"""What the national portal and the national personal storage answered about each dossier becomes an outbox
event that statistics read (Decision 766 1.4 and 4.4): acknowledged, or rejected with the portal's reason."""

import pytest

from motcua.demo.simulators import PersonalStorageSimulator, PortalSimulator
from motcua.documents.models import VaultItemKind
from motcua.documents.vault import add_to_vault
from motcua.integrations.models import Delivery
from motcua.outbox.models import OutboxEvent

from .conftest import SECRET, emit_journey
from .test_dispatcher import drain

pytestmark = pytest.mark.django_db


def _outcomes(topic):
    return [(e.payload["dossier_id"], e.payload["outcome"]) for e in OutboxEvent.objects.filter(topic=topic)]


def test_portal_acknowledges_or_refuses_and_each_answer_is_recorded(settings, make_dossier):
    portal = PortalSimulator(secret=SECRET, unknown_procedures={"9.999999"}).start()
    try:
        settings.MOTCUA_INTEGRATIONS = {"dvcqg": {"url": portal.url, "secret": SECRET}}
        settings.MOTCUA_DISPATCH = {"base_delay_s": 0.0, "max_delay_s": 0.0}
        known, unknown = make_dossier(), make_dossier()
        emit_journey(known, [("receive_at_counter", "received")])
        event = emit_journey(unknown, [("receive_at_counter", "received")])[0]
        event.payload["procedure_code"] = "9.999999"
        event.save()
        drain()
    finally:
        portal.stop()
    assert sorted(_outcomes("integration.portal_sync")) == [(known.pk, "acknowledged"), (unknown.pk, "rejected")]
    refused = OutboxEvent.objects.get(topic="integration.portal_sync", payload__outcome="rejected")
    assert "chưa có trên CSDL quốc gia" in refused.payload["reason"]
    assert Delivery.objects.get(event=event).status == Delivery.DEAD
    assert not Delivery.objects.filter(event__topic__startswith="integration.").exists()  # nobody re-sends them


def test_a_document_filed_for_a_person_reaches_the_national_storage(settings, make_dossier):
    from motcua.documents.attachments import store_upload
    from tests.web.conftest import pdf_bytes

    storage = PersonalStorageSimulator(secret=SECRET).start()
    try:
        settings.MOTCUA_INTEGRATIONS = {"dvcqg_storage": {"url": storage.url, "secret": SECRET}}
        settings.MOTCUA_DISPATCH = {"base_delay_s": 0.0, "max_delay_s": 0.0}
        d = make_dossier(applicant_id_number="051190012345")
        att = store_upload(pdf_bytes(), owner=None, dossier=d, name="ket-qua.pdf")
        add_to_vault(att, id_number="051190012345", kind=VaultItemKind.RESULT, title="Giấy khai sinh",
                     source_dossier=d)
        d.refresh_from_db()
        assert d.vault_linked  # the dossier itself records the link, through the lifecycle
        drain()
    finally:
        storage.stop()
    assert storage.items["051190012345"][0]["title"] == "Giấy khai sinh"
    assert _outcomes("integration.storage_sync") == [(d.pk, "acknowledged")]
