"""National Public Service Portal (Cổng Dịch vụ công quốc gia): dossier status sync."""

from __future__ import annotations

from .base import Adapter, PermanentError, adapters

STATUS_LABELS = {
    "draft": "Bản nháp", "submitted": "Chờ tiếp nhận", "supplement_requested": "Chờ bổ sung hồ sơ",
    "refused": "Từ chối tiếp nhận", "received": "Đã tiếp nhận", "processing": "Đang giải quyết",
    "paused": "Tạm dừng", "approved": "Đã phê duyệt kết quả", "rejected": "Không giải quyết",
    "ready_for_return": "Chờ trả kết quả", "returned": "Đã trả kết quả", "withdrawn": "Đã rút hồ sơ",
    "stopped": "Dừng giải quyết",
}


# The agency changes the portal learns (``POST /agency-changes``), by outbox topic → the change's ``kind``: a
# reorganization of administrative units under a resolution (its number), or a successor an administrator recorded
# for an agency that stopped working (a department merged into another by decision: no resolution number).
AGENCY_CHANGES = {"units.reorganized": "reorganization", "units.successor_recorded": "successor"}


@adapters.register("dvcqg")
class NationalPortalAdapter(Adapter):
    topics = ("dossier.*", *AGENCY_CHANGES)
    outcome_topic = "integration.portal_sync"  # Decision 766 1.4: dossiers the portal acknowledged (not units.*)

    def accepts(self, event) -> bool:
        if event.topic in AGENCY_CHANGES:
            return True
        # drafts never leave the province; a dossier is synced from the moment it has a code
        return super().accepts(event) and bool(event.payload.get("code")) and event.payload.get("action") != "save_draft"

    def deliver(self, event, delivery) -> dict:
        p = event.payload
        if event.topic in AGENCY_CHANGES:
            # the old agency identity codes, their successor's, and the procedures the portal now routes to it
            return self.post("/agency-changes", {
                "event_id": event.pk, "kind": AGENCY_CHANGES[event.topic],
                "resolution_number": p.get("resolution_number"),
                "effective_date": p.get("effective_date"), "agency_code": p["agency"]["code"],
                "agency_name": p["agency"]["name"], "unit_code": (p.get("unit") or {}).get("code"),
                "replaces": [code for unit in p.get("predecessors", []) for code in unit.get("agency_codes", [])],
                "procedure_codes": p.get("procedure_codes", []),
            }, delivery)
        answer = self.post("/dossier-status", {
            "event_id": event.pk,
            "dossier_code": p.get("code"),
            "procedure_code": p.get("procedure_code"),
            "agency_code": p.get("agency_code"),
            "action": p.get("action"),
            "status": p.get("to_status"),
            "status_label": STATUS_LABELS.get(p.get("to_status"), p.get("to_status")),
            "at": p.get("at"),
            "received_at": p.get("received_at"),
            "due_at": p.get("due_at"),
            "decided_at": p.get("decided_at"),
            "returned_at": p.get("returned_at"),
            "channel": p.get("channel"),
            "result_electronic": p.get("result_electronic"),
            "version": p.get("version"),
        }, delivery)
        if isinstance(answer, dict) and answer.get("accepted") is False:
            # The portal answered but refused the record (unknown procedure, bad data): retrying cannot help.
            raise PermanentError(f"Cổng DVC quốc gia từ chối: {answer.get('error') or answer}")
        return answer
