"""Public postal service (bưu chính công ích): pickup of results to be delivered home, tracking."""

from __future__ import annotations

from motcua.dossiers.models import Dossier

from ..models import PostalShipment
from .base import Adapter, PermanentError, adapters

POSTAL_STATUS_LABELS = {
    "pickup_requested": "Đã yêu cầu bưu điện đến nhận",
    "picked_up": "Bưu điện đã nhận kết quả",
    "in_transit": "Đang vận chuyển",
    "delivered": "Đã phát thành công",
    "failed": "Phát không thành công",
}


def shipment_of(dossier) -> PostalShipment | None:
    """The latest parcel the post office took this dossier's result in (None if it was not sent by post)."""
    if dossier.return_method != "post":
        return None
    return PostalShipment.objects.filter(dossier_id=dossier.pk).order_by("-id").first()


@adapters.register("postal")
class PostalAdapter(Adapter):
    # the signed result is ready: ask the post office to pick it up (Decree 118/2025, results by post)
    topics = ("dossier.sign_result",)

    def accepts(self, event) -> bool:
        if not super().accepts(event):
            return False

        return Dossier.objects.filter(pk=event.payload.get("dossier_id"), return_method="post").exists()

    def deliver(self, event, delivery) -> dict:
        d = Dossier.objects.select_related("agency").filter(pk=event.payload.get("dossier_id")).first()
        if d is None:
            raise PermanentError("Không tìm thấy hồ sơ.")
        answer = self.post("/pickups", {
            "reference": d.code, "sender": {"name": d.agency.name, "address": d.agency.address,
                                            "phone": d.agency.phone},
            "recipient": {"name": d.applicant_name, "address": d.applicant_address, "phone": d.applicant_phone},
        }, delivery)
        tracking = answer.get("tracking_number")
        if not tracking:
            raise PermanentError(f"Bưu điện không trả số hiệu bưu gửi: {answer}")
        PostalShipment.objects.update_or_create(
            tracking_number=tracking,
            defaults={"dossier_id": d.pk, "dossier_code": d.code or "", "status": "pickup_requested",
                      "status_label": POSTAL_STATUS_LABELS["pickup_requested"]})
        return answer

    def refresh(self, shipment) -> str:
        """Ask the post office where a shipment is; returns the new status."""
        answer = self.get(f"/pickups/{shipment.tracking_number}")
        status = answer.get("status", shipment.status)
        shipment.status = status
        shipment.status_label = POSTAL_STATUS_LABELS.get(status, status)
        shipment.save(update_fields=["status", "status_label", "updated_at"])
        return status
