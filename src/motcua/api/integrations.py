"""Integration endpoints: pre-fill from the National Population Database; the delivery queue
(dead letters and resend) for administrators."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema

from motcua.accounts import permissions
from motcua.accounts.models import Role
from motcua.audit.services import record_read
from motcua.core.errors import NotFound, PermissionDenied
from motcua.documents import consent
from motcua.integrations import dispatcher, population
from motcua.integrations.models import Delivery

from .auth import api_auth
from .schemas import ErrorOut
from .values import WholeNumber

router = Router(tags=["integrations"], auth=api_auth)


class CitizenOut(Schema):
    id_number: str
    full_name: str
    date_of_birth: str
    gender: str
    permanent_address: str
    current_address: str
    place_of_origin: str
    ethnicity: str
    nationality: str


class DeliveryOut(Schema):
    id: int
    event_id: int
    topic: str
    target: str
    aggregate_key: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str
    delivered_at: dt.datetime | None


class DeliveryFilter(Schema):
    status: str | None = None
    target: str | None = None
    limit: WholeNumber = 100  # at most 500 rows: a larger limit is read as 500


class ResendOut(Schema):
    resent: int


def _require_admin(user):
    if not permissions.has_role(user, Role.PROVINCIAL_ADMIN):
        raise PermissionDenied("forbidden", "Chỉ quản trị cấp tỉnh được xem và gửi lại hàng đợi tích hợp.")


POPULATION_ANSWERS = {200: CitizenOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut, 503: ErrorOut}
POPULATION_RULES = (
    "Dữ liệu cư trú để điền sẵn tờ khai: cán bộ tiếp nhận tại Bộ phận Một cửa, hoặc công dân tra cứu số định danh của "
    "chính mình đã xác thực bằng VNeID (403 `forbidden`, `id_number_unverified`). Mỗi tài khoản tra cứu tối đa "
    "MOTCUA_POPULATION_DAILY_LIMIT lần một ngày (429 `population_limit`); không tìm thấy: 404 `citizen_not_found`; "
    "CSDL quốc gia về dân cư không trả lời: 503. Mỗi lần tra cứu được ghi nhật ký hệ thống; hồ sơ tài khoản này nộp "
    "hoặc tiếp nhận cho người đó trong ngày làm việc được tính là có sử dụng dữ liệu dân cư (Quyết định 766, 4.5).")


class PopulationLookupIn(Schema):
    id_number: str = Field(..., min_length=1, max_length=20, examples=["051190012345"],
                           description="Số định danh cá nhân (12 chữ số) cần tra cứu.")


@router.post("/population/lookup", response=POPULATION_ANSWERS, summary="Tra cứu CSDL quốc gia về dân cư",
             description=POPULATION_RULES + " Số định danh gửi trong nội dung yêu cầu (JSON), không nằm trên đường dẫn "
                                            "nên không xuất hiện trong nhật ký truy cập của máy chủ, proxy.")
def population_lookup_post(request, payload: PopulationLookupIn):
    return _population_lookup(request.auth, payload.id_number)


@router.get("/population/{id_number}", response=POPULATION_ANSWERS, deprecated=True,
            summary="Tra cứu CSDL quốc gia về dân cư (cũ: số định danh trên đường dẫn)",
            description="Không dùng nữa: số định danh nằm trên đường dẫn, lọt vào nhật ký truy cập của máy chủ, proxy; "
                        "dùng `POST /api/v1/integrations/population/lookup`. Vẫn trả lời như trước. " + POPULATION_RULES)
def population_lookup(request, id_number: str):
    return _population_lookup(request.auth, id_number)


def _population_lookup(user, id_number: str) -> dict:
    """Residence data for pre-filling a form: officers, or a citizen for their own ID number. The read is in the
    audit trail; a dossier this account then submits or receives for that person within the working day counts as
    using population data (Decision 766 4.5), as on the portal and at the counter."""
    id_number = id_number.strip()
    if not permissions.is_officer(user):
        if (getattr(user, "id_number", "") or "") != id_number:
            raise PermissionDenied("forbidden", "Chỉ được tra cứu số định danh của chính mình.")
        consent.refuse_unverified_self(user, id_number)  # a number typed at sign-up is anyone's claim
    elif not population.may_look_up(user):
        raise PermissionDenied("forbidden", "Chỉ cán bộ tiếp nhận hồ sơ tại Bộ phận Một cửa được tra cứu CSDL quốc "
                                            "gia về dân cư.")
    person = population.lookup(id_number, by=user)
    number = person["id_number"] or id_number
    population.remember_checked(user, number)
    record_read(user, "person", number, [k for k, v in person.items() if v], purpose="api_prefill")
    return person


@router.get("/deliveries", response={200: list[DeliveryOut], 403: ErrorOut})
def deliveries(request, filters: Query[DeliveryFilter]):
    _require_admin(request.auth)
    qs = Delivery.objects.select_related("event").order_by("-id")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.target:
        qs = qs.filter(target=filters.target)
    return [{"id": d.pk, "event_id": d.event_id, "topic": d.event.topic, "target": d.target,
             "aggregate_key": d.aggregate_key, "status": d.status, "attempts": d.attempts,
             "next_attempt_at": d.next_attempt_at, "last_error": d.last_error, "delivered_at": d.delivered_at}
            for d in qs[: max(1, min(filters.limit, 500))]]


@router.post("/deliveries/{id:delivery_id}/resend", response={200: ResendOut, 403: ErrorOut, 404: ErrorOut})
def resend(request, delivery_id: int):
    _require_admin(request.auth)
    if not Delivery.objects.filter(pk=delivery_id, status=Delivery.DEAD).exists():
        raise NotFound("delivery_not_dead", "Không có lượt gửi thất bại với mã này.")
    return {"resent": dispatcher.resend([delivery_id])}
