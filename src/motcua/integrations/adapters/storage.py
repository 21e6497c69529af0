"""The personal data storage on the National Public Service Portal (kho quản lý dữ liệu điện tử của tổ chức, cá
nhân trên Cổng DVC quốc gia): a digitized component or result filed in a person's repository here is filed there
too, where configured (MOTCUA_INTEGRATIONS["dvcqg_storage"]). Decree 45/2020 art. 9, 12 (provide once); Decision
766 4.4 counts dossiers linked with it."""

from __future__ import annotations

from .base import Adapter, PermanentError, adapters


@adapters.register("dvcqg_storage")
class PersonalStorageAdapter(Adapter):
    topics = ("documents.vault_stored",)
    outcome_topic = "integration.storage_sync"

    def deliver(self, event, delivery) -> dict:
        p = event.payload
        answer = self.post("/personal-storage", {
            "event_id": event.pk, "id_number": p.get("id_number"), "dossier_code": p.get("dossier_code"),
            "kind": p.get("kind"), "title": p.get("title"), "sha256": p.get("sha256"),
            "content_type": p.get("content_type"), "at": p.get("at"),
        }, delivery)
        if isinstance(answer, dict) and answer.get("accepted") is False:
            raise PermanentError(f"Kho dữ liệu cá nhân quốc gia từ chối: {answer.get('error') or answer}")
        return answer
