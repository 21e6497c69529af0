"""SMS and e-mail: to the applicant at each lifecycle step (texts in motcua.integrations.messages), and
notices to a person of the system (``notice.*`` events: the payload names the user and carries the
subject and text, e.g. a reporting-round reminder to a unit's officers)."""

from __future__ import annotations

from motcua.accounts.models import User
from motcua.dossiers.lifecycle import TERMINAL
from motcua.dossiers.models import Dossier

from .. import messages
from .base import Adapter, adapters

NOTICE_PREFIX = "notice."


def _dossier(event):
    return Dossier.objects.select_related("procedure").filter(pk=event.payload.get("dossier_id")).first()


def _person(event):
    return User.objects.filter(pk=event.payload.get("user_id"), is_active=True).first()


class _Notify(Adapter):
    topics = ("dossier.*", f"{NOTICE_PREFIX}*")

    def accepts(self, event) -> bool:
        if not super().accepts(event):
            return False
        if event.topic.startswith(NOTICE_PREFIX):
            return bool(event.payload.get("text"))
        # a draft (no code yet) moved by a reorganization is not worth a message, nor a dossier it moved already
        # closed (one closed after the merger took effect: its figures change unit, nothing the applicant waits for)
        payload = event.payload
        if payload.get("action") == "transfer_agency" and payload.get("to_status") in TERMINAL:
            return False
        return messages.has_message(payload.get("action", "")) and bool(payload.get("code"))


@adapters.register("sms")
class SmsAdapter(_Notify):
    def deliver(self, event, delivery) -> dict:
        ascii_only = bool(self.config.get("ascii"))
        if event.topic.startswith(NOTICE_PREFIX):
            person = _person(event)
            if person is None or not person.phone:
                return {"skipped": "Người nhận không có số điện thoại."}
            text = event.payload["text"]
            to = person.phone
        else:
            dossier = _dossier(event)
            if dossier is None or not dossier.applicant_phone:
                return {"skipped": "Hồ sơ không có số điện thoại."}
            text = messages.sms_text(event.payload, ascii_only=ascii_only)
            to = dossier.applicant_phone
        if ascii_only:
            text = messages.strip_diacritics(text)
        return self.post("/sms", {"to": to, "text": text, "ref": delivery.idempotency_key}, delivery)


@adapters.register("email")
class EmailAdapter(_Notify):
    def deliver(self, event, delivery) -> dict:
        if event.topic.startswith(NOTICE_PREFIX):
            person = _person(event)
            if person is None or not person.email:
                return {"skipped": "Người nhận không có thư điện tử."}
            subject = event.payload.get("subject") or "Thông báo"
            body = event.payload["text"] + messages.EMAIL_FOOTER
            to = person.email
        else:
            dossier = _dossier(event)
            if dossier is None or not dossier.applicant_email:
                return {"skipped": "Hồ sơ không có thư điện tử."}
            subject, body = messages.email_message(event.payload, dossier.procedure.name)
            to = dossier.applicant_email
        return self.post("/email", {"to": to, "subject": subject, "body": body}, delivery)
