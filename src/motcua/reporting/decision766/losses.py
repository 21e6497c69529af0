"""Beyond the national portal: which dossiers, procedures and feedback items lowered each sub-indicator, with the
reason and the names people know them by (never raw codes of agencies, channels or statuses)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from motcua.catalog.models import OnlineLevel, Procedure
from motcua.core.money import format_vnd
from motcua.dossiers.models import Channel, Status
from motcua.engagement.feedback_reporting import feedback_on_time
from motcua.engagement.models import Feedback
from motcua.units.models import Agency

from .. import indicators
from ..agency_moves import UNMOVED, held_in
from ..metrics import SYNC_REJECTED, FactData, day_bounds, metric_filter, overdue_filter
from ..models import DossierFact
from .context import Context
from .formulas import (
    announced_in_time,
    fee_procedures,
    incomplete_reasons,
    national_storage,
    online_procedures,
    published_in_time,
    with_components,
)
from .formulas import national_payment_platform as payment_platform

LIMIT = 500


@dataclass
class Loss:
    kind: str  # "dossiers" | "procedures" | "feedback"
    rows: list[dict] = field(default_factory=list)
    total: int = 0

    @property
    def truncated(self) -> bool:
        return self.total > len(self.rows)


def _received(c: Context) -> Q:
    return metric_filter("received", c.start, c.end)


def _resolved(c: Context) -> Q:
    return metric_filter("resolved", c.start, c.end)


def _facts(c: Context, what, metric: str) -> list[int]:
    """Ids of the facts matching ``what`` (a Q, or ids already of the unit) counted in ``metric`` for the unit:
    a dossier a reorganization moved counts under the agency that had it then (agency_moves.held_by)."""
    if isinstance(what, list):
        return list(DossierFact.objects.filter(pk__in=what).order_by("received_at", "pk").values_list("pk", flat=True))
    qs = DossierFact.objects.filter(what)
    if c.codes is None:
        return list(qs.order_by("received_at", "pk").values_list("pk", flat=True))
    mine = qs.filter(Q(agency_code__in=c.codes) & UNMOVED | Q(pk__in=held_in(
        qs, c.codes, metric, c.start, c.end)))
    return list(mine.order_by("received_at", "pk").values_list("pk", flat=True))


def dossier_loss(c: Context, parts: list[tuple], limit: int = LIMIT) -> Loss:
    """parts: (reason, a Q over DossierFact, the metric it lists) or (reason, a list of dossier ids of the unit); a
    dossier is listed once, first reason."""
    reasons: dict[int, str] = {}
    for reason, what, *metric in parts:
        for pk in _facts(c, what, metric[0] if metric else "received"):
            reasons.setdefault(pk, reason)
    ids = list(reasons)[:limit]
    facts = {f.pk: f for f in DossierFact.objects.filter(pk__in=ids)}
    procs = dict(Procedure.objects.filter(code__in={f.procedure_code for f in facts.values()})
                 .values_list("code", "name"))
    # the agency that had the dossier at the end of the period (a merged commune's past list keeps its name)
    moment = min(day_bounds(c.end, c.end)[1] - dt.timedelta(microseconds=1), timezone.now())
    held = {pk: FactData(agency_code=f.agency_code, agency_moves=f.agency_moves).agency_at(moment)
            for pk, f in facts.items()}
    agencies = dict(Agency.objects.filter(code__in=set(held.values())).values_list("code", "name"))
    rows = []
    for pk in ids:
        f = facts[pk]
        rows.append({"id": pk, "code": f.code or f"#{pk}", "reason": reasons[pk],
                     "procedure": procs.get(f.procedure_code, "Thủ tục không còn trong danh mục"),
                     "agency": agencies.get(held[pk], "Cơ quan không còn hoạt động"),
                     "channel": _label(Channel, f.channel), "status": _label(Status, f.status),
                     "received_at": f.received_at, "fee": format_vnd(f.fee_vnd) if f.fee_vnd else ""})
    return Loss("dossiers", rows, len(reasons))


def _label(choices, value: str) -> str:
    try:
        return choices(value).label
    except ValueError:
        return "—"


def procedure_loss(rows: list[tuple[Procedure, str]]) -> Loss:
    return Loss("procedures", [{"code": p.code, "name": p.name, "reason": reason} for p, reason in rows], len(rows))


def feedback_loss(c: Context, judge: Callable[[Feedback], str | None]) -> Loss:
    rows = []
    qs = c.feedback_items().select_related("agency").prefetch_related("reraised_by").order_by("received_at", "pk")
    for fb in qs:
        reason = judge(fb)
        if reason:
            rows.append({"id": fb.pk, "code": fb.code, "title": fb.title, "reason": reason,
                         "agency": fb.agency.name if fb.agency_id else "Chưa xác định cơ quan"})
    return Loss("feedback", rows, len(rows))


def procedures_without(c: Context, procs, metric: str, reason: str) -> Loss:
    """Procedures with no dossier counted in ``metric`` in the period."""
    return procedure_loss([(p, reason) for p in procs.order_by("code") if c.procedure_total([p.code], metric) == 0])


LOSSES: dict[str, Callable[[Context, dict], Loss]] = {}
LOSS_KINDS: dict[str, str] = {}  # formula → what its list holds (certified copies by procedure: see losses())
KIND_WORDS = {"dossiers": "hồ sơ", "procedures": "thủ tục", "feedback": "phản ánh"}


def loss(key: str, kind: str):
    def register(fn):
        LOSSES[key], LOSS_KINDS[key] = fn, kind
        return fn

    return register


def kind_of(key: str, params: dict) -> str:
    if key == "certified_copies" and params.get("basis") == "procedures":
        return "procedures"
    return LOSS_KINDS[key]


@loss("publish_on_time", "procedures")
def _publish(c, params):
    days = int(params.get("working_days", 5))
    return procedure_loss([(p, f"Quyết định công bố ngày {p.announced_on:%d/%m/%Y}, văn bản có hiệu lực "
                               f"{'ngày ' + format(p.legal_effective_on, '%d/%m/%Y') if p.legal_effective_on else 'chưa ghi'}"
                               f" (cần trước ít nhất {days} ngày làm việc)")
                           for p in c.announced if not announced_in_time(p, days)])


@loss("update_on_time", "procedures")
def _update(c, params):
    days = int(params.get("working_days", 5))
    return procedure_loss([(p, f"Quyết định công bố ngày {p.announced_on:%d/%m/%Y}; " + (
        f"công khai trên CSDL quốc gia ngày {p.national_published_on:%d/%m/%Y}" if p.national_published_on
        else "chưa công khai trên CSDL quốc gia") + f" (hạn {days} ngày làm việc)")
        for p in c.announced if not published_in_time(p, days, c.as_of)])


@loss("catalog_complete", "procedures")
def _complete(c, params):
    rows = []
    for p in with_components(c.procedures).order_by("code"):
        missing = incomplete_reasons(p, p.has_components)
        if missing:
            rows.append((p, "Thiếu " + ", ".join(missing)))
    return procedure_loss(rows)


@loss("dossier_sync", "dossiers")
def _sync(c, params):
    pending = _received(c) & ~Q(sync_status__in=("acknowledged", SYNC_REJECTED))
    return dossier_loss(c, [("Cổng DVC quốc gia từ chối", _received(c) & Q(sync_status=SYNC_REJECTED)),
                            ("Chưa được Cổng DVC quốc gia xác nhận", pending)])


def _late(c: Context) -> list[tuple[str, object]]:
    return [("Giải quyết quá hạn (kể cả bổ sung quá 1 lần, có phiếu xin lỗi)",
             indicators.drill_down("resolved_late", c.start, c.end, c.scope)),
            ("Đang giải quyết quá hạn tại ngày cuối kỳ", overdue_filter(c.end), "in_progress_overdue")]


@loss("on_time", "dossiers")
def _on_time(c, params):
    return dossier_loss(c, _late(c))


@loss("procedures_online", "procedures")
def _procedures_online(c, params):
    return procedure_loss([(p, "Chưa cung cấp dịch vụ công trực tuyến")
                           for p in c.procedures.filter(online_level=OnlineLevel.NONE).order_by("code")])


@loss("online_services_used", "procedures")
def _services_used(c, params):
    return procedures_without(c, online_procedures(c), "received_online", "Không có hồ sơ nộp trực tuyến trong kỳ")


@loss("online_share", "dossiers")
def _online_share(c, params):
    levels = (OnlineLevel.FULL, OnlineLevel.PARTIAL)
    return dossier_loss(c, [
        ("Nộp trực tiếp, qua bưu chính dù thủ tục có dịch vụ công trực tuyến",
         _received(c) & ~Q(channel=Channel.ONLINE) & Q(online_level__in=levels)),
        ("Nộp trực tuyến nhưng chưa được Cổng DVC quốc gia xác nhận",
         _received(c) & Q(channel=Channel.ONLINE) & ~Q(sync_status="acknowledged"))])


@loss("fee_payment_integrated", "procedures")
def _fee_integrated(c, params):
    fee = fee_procedures(c).order_by("code")
    if not payment_platform():
        return procedure_loss([(p, "Chưa kết nối nền tảng thanh toán của Cổng DVC quốc gia") for p in fee])
    return procedure_loss([(p, "Chưa tích hợp thanh toán trực tuyến") for p in fee.filter(online_payment=False)])


@loss("fee_procedures_paid_online", "procedures")
def _fee_paid(c, params):
    return procedures_without(c, fee_procedures(c), "paid_online", "Không có hồ sơ thanh toán trực tuyến trong kỳ")


@loss("paid_online_share", "dossiers")
def _paid_share(c, params):
    return dossier_loss(c, [("Có phí, lệ phí nhưng không thanh toán trực tuyến",
                             metric_filter("fee_dossiers", c.start, c.end) & Q(fee_paid_online=False), "fee_dossiers")])


@loss("electronic_results", "dossiers")
def _electronic(c, params):
    return dossier_loss(c, [("Không có kết quả điện tử", _resolved(c) & Q(result_electronic=False), "resolved")])


@loss("fully_digitized", "dossiers")
def _digitized(c, params):
    return dossier_loss(c, [("Chưa số hóa thành phần hồ sơ khi tiếp nhận", _resolved(c) & Q(digitized_at_receipt=False),
                             "resolved"),
                            ("Chưa số hóa kết quả giải quyết", _resolved(c) & Q(result_digitized=False), "resolved")])


@loss("reused", "dossiers")
def _reused(c, params):
    return dossier_loss(c, [("Không có giấy tờ tái sử dụng từ kho dữ liệu", _received(c) & Q(components_reused=False))])


@loss("vault_linked", "dossiers")
def _vault(c, params):
    digitized = _received(c) & Q(digitized_at_receipt=True)
    if national_storage():
        return dossier_loss(c, [("Chưa được kho dữ liệu cá nhân trên Cổng DVC quốc gia xác nhận",
                                 digitized & Q(storage_synced=False))])
    return dossier_loss(c, [("Chưa lưu, chưa lấy giấy tờ từ kho dữ liệu của người nộp",
                             digitized & Q(components_reused=False, vault_linked=False))])


@loss("population_procedures", "procedures")
def _population_procedures(c, params):
    return procedures_without(c, Procedure.objects.filter(code__in=c.citizen_procedures), "population_data",
                              "Không có hồ sơ khai thác dữ liệu dân cư trong kỳ")


@loss("population_dossiers", "dossiers")
def _population_dossiers(c, params):
    return dossier_loss(c, [("Người nộp chưa xác thực VNeID, thông tin chưa lấy từ CSDL dân cư",
                             _received(c) & Q(procedure_code__in=c.citizen_procedures, applicant_vneid=False,
                                              applicant_population=False))])


@loss("certified_copies", "dossiers")
def _copies(c, params):
    codes = c.certified_copy_procedures
    if params.get("basis") == "procedures":
        return procedures_without(c, Procedure.objects.filter(code__in=codes), "results_electronic",
                                  "Không có kết quả chứng thực điện tử trong kỳ")
    return dossier_loss(c, [("Chứng thực bản sao không có kết quả điện tử",
                             _resolved(c) & Q(procedure_code__in=codes, result_electronic=False), "resolved")])


@loss("feedback_classification", "feedback")
def _classification(c, params):
    return Loss("feedback")


@loss("feedback_on_time", "feedback")
def _feedback_late(c, params):
    return feedback_loss(c, lambda fb: None if feedback_on_time(fb, c.feedback_as_of) else "Xử lý quá hạn")


@loss("feedback_satisfaction", "feedback")
def _feedback_unhappy(c, params):
    def judge(fb):
        if fb.submitter_satisfied is False:
            return "Người gửi không hài lòng với kết quả"
        if not feedback_on_time(fb, c.feedback_as_of):
            return "Xử lý quá hạn"
        if fb.reraised_by.all():
            return "Bị phản ánh lại"
        return None

    return feedback_loss(c, judge)


@loss("dossier_satisfaction", "dossiers")
def _dossier_unhappy(c, params):
    return dossier_loss(c, [*_late(c)[:1], ("Bị đánh giá không hài lòng",
                                            metric_filter("rated_dissatisfied", c.start, c.end), "rated_dissatisfied")])
