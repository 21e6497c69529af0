"""SMS and e-mail to the applicant at each lifecycle step (texts in motcua.integrations.messages)."""

from __future__ import annotations

from motcua.dossiers.models import Dossier

from .. import messages
from .base import Adapter, adapters


def _dossier(event):
    return Dossier.objects.select_related("procedure").filter(pk=event.payload.get("dossier_id")).first()


class _Notify(Adapter):
    topics = ("dossier.*",)

    def accepts(self, event) -> bool:
        return super().accepts(event) and messages.has_message(event.payload.get("action", ""))


@adapters.register("sms")
class SmsAdapter(_Notify):
    def deliver(self, event, delivery) -> dict:
        dossier = _dossier(event)
        if dossier is None or not dossier.applicant_phone:
            return {"skipped": "Hồ sơ không có số điện thoại."}
        text = messages.sms_text(event.payload, ascii_only=bool(self.config.get("ascii")))
        return self.post("/sms", {"to": dossier.applicant_phone, "text": text, "ref": delivery.idempotency_key},
                         delivery)


@adapters.register("email")
class EmailAdapter(_Notify):
    def deliver(self, event, delivery) -> dict:
        dossier = _dossier(event)
        if dossier is None or not dossier.applicant_email:
            return {"skipped": "Hồ sơ không có thư điện tử."}
        subject, body = messages.email_message(event.payload, dossier.procedure.name)
        return self.post("/email", {"to": dossier.applicant_email, "subject": subject, "body": body}, delivery)
