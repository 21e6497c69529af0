"""Public postal service (bưu chính công ích): pickup of results to be delivered home, tracking.

A result the post office has taken (picked up, on its way, delivered) goes on by post: a return recorded another way
(at the counter, online) is refused, 409 ``result_with_post`` (``ResultWithPostOffice``, a hold the return asks:
dossiers.lifecycle.returns), and the return form offers only the post. While the pickup is only asked, the post office
is asked first, briefly, before the return's transaction (the dossier is not locked while it answers, and what it says
stays stored when the return is then refused); when it cannot be reached the return goes on and the outbox calls the
pickup off. A parcel that came back undelivered is collected at
the counter (``record_collected``)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from motcua.audit.services import record
from motcua.core.errors import InvalidTransition, ValidationFailed
from motcua.dossiers.lifecycle import ReturnHold, return_holds
from motcua.dossiers.models import Dossier, ReturnMethod, Status

from ..models import PostalShipment
from .base import Adapter, PermanentError, TransientError, adapters, build

POSTAL_STATUS_LABELS = {
    "pickup_requested": "Đã yêu cầu bưu điện đến nhận",
    "picked_up": "Bưu điện đã nhận kết quả",
    "in_transit": "Đang vận chuyển",
    "delivered": "Đã phát thành công",
    "failed": "Phát không thành công",
    "collected": "Người nộp đã nhận lại tại Bộ phận Một cửa",
    "cancelled": "Đã hủy yêu cầu bưu điện đến nhận (kết quả trả theo cách khác)",
}
# The post office has nothing more to say of a parcel in these (refresh stops asking); "collected" is the counter's
# word after a parcel came back undelivered.
FINAL = ("delivered", "failed", "collected", "cancelled")
# The post office has the paper result: it is delivered by post, or comes back to the counter undelivered ("failed").
WITH_POST_OFFICE = ("picked_up", "in_transit", "delivered")
ASK_TIMEOUT_S = 3.0  # an officer at the counter waits this long at most for the post office's word on a pickup


def _parcels(dossier_id):
    """The parcels of a dossier's result (a pk, or an OuterRef to one), the latest first."""
    return PostalShipment.objects.filter(dossier_id=dossier_id).order_by("-id")


def shipment_of(dossier) -> PostalShipment | None:
    """The latest parcel the post office took this dossier's result in (None if it was not sent by post)."""
    if dossier.return_method != ReturnMethod.POST:
        return None
    return _parcels(dossier.pk).first()


def undelivered(dossiers):
    """The dossiers among `dossiers` whose result went by post and came back undelivered, not collected since: the
    counter calls the applicant to collect it (the queue's list)."""
    latest = _parcels(OuterRef("pk")).values("status")[:1]
    return (dossiers.filter(return_method=ReturnMethod.POST, status=Status.RETURNED)
            .annotate(parcel=Subquery(latest)).filter(parcel="failed"))


def record_collected(dossier, *, officer, at=None) -> PostalShipment:
    """The applicant collected at the counter the result whose parcel came back undelivered: the parcel says so, the
    audit trail says who recorded it. Refused (422 ``parcel_not_undelivered``) unless the latest parcel failed."""
    at = at or timezone.now()
    with transaction.atomic():
        shipment = _parcels(dossier.pk).select_for_update().first()
        if shipment is None or shipment.status != "failed":
            raise ValidationFailed("parcel_not_undelivered",
                                   "Chỉ ghi nhận được khi bưu gửi kết quả của hồ sơ đã báo phát không thành công.")
        shipment.status = "collected"
        shipment.status_label = f"{POSTAL_STATUS_LABELS['collected']} ngày {timezone.localtime(at):%d/%m/%Y}"
        shipment.save(update_fields=["status", "status_label", "updated_at"])
        record(officer, "integration.parcel_collected", "dossier", dossier.pk,
               {"code": dossier.code, "tracking_number": shipment.tracking_number}, at=at)
    return shipment


@return_holds.register("integrations.postal")
class ResultWithPostOffice(ReturnHold):
    def asks(self, method):
        """Not for a return by post, nor with no post office configured."""
        return method != ReturnMethod.POST and build("postal") is not None

    def ask(self, dossier, method):
        """A return other than by post of a result whose pickup is only asked: ask the post office whether it has taken
        it (``refusal`` reads its answer). Not reached, or no answer to take: nothing learnt, the return goes on."""
        if (method or dossier.return_method) == ReturnMethod.POST or dossier.return_method != ReturnMethod.POST:
            return  # returned by post, or asked another way (no parcel)
        if (adapter := build("postal")) is None:
            return
        shipment = _parcels(dossier.pk).first()
        if shipment is None or shipment.status != "pickup_requested":
            return
        try:
            adapter.refresh(shipment, timeout_s=ASK_TIMEOUT_S)
        except (TransientError, PermanentError):
            pass

    def refusal(self, dossier, method):
        """A return other than by post while the post office has the result (as last stored: ``ask`` asked first)."""
        # LEGAL §1.6 [A: S57, S59]: one result, returned one way: the paper result the post office took goes on by post
        if method == ReturnMethod.POST:
            return None
        shipment = shipment_of(dossier)  # the way asked for until the return records another
        if shipment is None or shipment.status not in WITH_POST_OFFICE:
            return None
        return InvalidTransition(
            "result_with_post",
            f"Bản kết quả giấy của hồ sơ đã giao cho bưu điện (bưu gửi số {shipment.tracking_number}: "
            f"{shipment.status_label}), nên không trả theo cách khác được. Ghi nhận trả kết quả qua bưu chính công "
            "ích. Nếu bưu điện báo phát không thành công, bưu gửi được chuyển về Bộ phận Một cửa: khi người nộp đến "
            "nhận, dùng «Ghi nhận người nộp đã nhận lại tại Bộ phận Một cửa» trên trang hồ sơ.",
            details={"tracking_number": shipment.tracking_number, "parcel_status": shipment.status})


@adapters.register("postal")
class PostalAdapter(Adapter):
    # The signed result is ready: ask the post office to pick it up (Decree 118/2025, results by post). The return
    # recorded: by post when the applicant asked otherwise at submission, the pickup is asked now; another way when a
    # pickup was asked, it is called off while the post office has not taken the result yet.
    topics = ("dossier.sign_result", "dossier.return_result")

    def accepts(self, event) -> bool:
        if not super().accepts(event):
            return False
        dossier_id = event.payload.get("dossier_id")
        if event.topic == "dossier.return_result":
            method = Dossier.objects.filter(pk=dossier_id).values_list("return_method", flat=True).first()
            parcels = PostalShipment.objects.filter(dossier_id=dossier_id)
            if method == "post":
                return not parcels.exists()
            return parcels.filter(status="pickup_requested").exists()
        return Dossier.objects.filter(pk=dossier_id, return_method="post").exists()

    def deliver(self, event, delivery) -> dict:
        d = Dossier.objects.select_related("agency").filter(pk=event.payload.get("dossier_id")).first()
        if d is None:
            raise PermanentError("Không tìm thấy hồ sơ.")
        shipments = PostalShipment.objects.filter(dossier_id=d.pk)
        if d.return_method != "post":  # returned another way since (a signing's pickup not asked yet: never asked)
            return {"cancelled": [t for t in map(self.cancel, shipments.filter(status="pickup_requested")) if t]}
        if event.topic == "dossier.return_result" and shipments.exists():
            return {"already": "pickup"}
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

    def cancel(self, shipment) -> str:
        """Call off a pickup the post office has not made yet; returns the parcel's tracking number, or "" when the
        post office had taken the result already (the parcel goes on; its status says where): a return recorded while
        the post office could not be asked (``ResultWithPostOffice``)."""
        try:
            self.delete(f"/pickups/{shipment.tracking_number}")
        except PermanentError:
            return ""
        shipment.status, shipment.status_label = "cancelled", POSTAL_STATUS_LABELS["cancelled"]
        shipment.save(update_fields=["status", "status_label", "updated_at"])
        return shipment.tracking_number

    def refresh(self, shipment, *, timeout_s: float | None = None) -> str:
        """Ask the post office where a shipment is; returns the new status."""
        answer = self.get(f"/pickups/{shipment.tracking_number}", timeout_s=timeout_s)
        status = answer.get("status", shipment.status)
        shipment.status = status
        shipment.status_label = POSTAL_STATUS_LABELS.get(status, status)
        shipment.save(update_fields=["status", "status_label", "updated_at"])
        return status
