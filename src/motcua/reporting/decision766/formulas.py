"""The formula of each Decision 766 sub-indicator, from the system's own data (LEGAL.md §6).

A formula reads a ``Context`` and the indicator's ``params`` (data/decision766.json) and returns a ``Measure``
(numerator, denominator, an optional factor) or ``NoCase`` saying why the period has nothing to measure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from motcua.catalog.models import ComponentRequirement, OnlineLevel
from motcua.core.calendar import add_working_days_to_date
from motcua.integrations.config import is_configured, national_payment_platform

from ..indicators import format_percent
from .context import Context


@dataclass
class Measure:
    num: int
    den: int
    factor: float | None = None  # the rate is num ÷ den × factor (3.3: × the sync share)
    note: str = ""  # said next to the figure (how it was computed this time)
    text: str = ""  # tracking rows: what to show instead of points

    @property
    def rate(self) -> float | None:
        if not self.den:
            return None
        return self.num / self.den * (1.0 if self.factor is None else self.factor)

    @property
    def lost(self) -> int:
        return max(0, self.den - self.num)


@dataclass
class NoCase:
    """The period truly has no case to measure; ``reason`` says which."""

    reason: str


Formula = Callable[[Context, dict], "Measure | NoCase"]
FORMULAS: dict[str, Formula] = {}


def formula(key: str):
    def register(fn: Formula) -> Formula:
        FORMULAS[key] = fn
        return fn

    return register


# ---- group 1: public and transparent --------------------------------------------------------------------

def announced_in_time(proc, working_days: int) -> bool:
    # Decision 766 1.1 (LEGAL.md §6 [C1]): the announcing decision is dated at least N working days (province 5,
    # ministries 20) before the legal text takes effect.
    return bool(proc.legal_effective_on and proc.announced_on
                and add_working_days_to_date(proc.announced_on, working_days) <= proc.legal_effective_on)


def published_in_time(proc, working_days: int, as_of: dt.date) -> bool:
    # Decision 766 1.2 (LEGAL.md §6 [C1]): published on the national procedure database within N working days
    # (province 5, ministries 10) of the announcing decision; not yet published counts only once that is past.
    limit = add_working_days_to_date(proc.announced_on, working_days)
    if proc.national_published_on is None:
        return as_of <= limit
    return proc.national_published_on <= limit


NO_ANNOUNCEMENT = "Không có thủ tục nào có quyết định công bố ban hành trong kỳ."


@formula("publish_on_time")
def publish_on_time(c: Context, params: dict):
    days = int(params.get("working_days", 5))
    if not c.announced:
        return NoCase(NO_ANNOUNCEMENT)
    return Measure(sum(announced_in_time(p, days) for p in c.announced), len(c.announced))


@formula("update_on_time")
def update_on_time(c: Context, params: dict):
    days = int(params.get("working_days", 5))
    if not c.announced:
        return NoCase(NO_ANNOUNCEMENT)
    return Measure(sum(published_in_time(p, days, c.as_of) for p in c.announced), len(c.announced))


def incomplete_reasons(proc, has_components: bool) -> list[str]:
    """What a procedure's public record lacks (Decree 63/2010 art. 8(2); 1.3)."""
    missing = []
    if not proc.description:
        missing.append("trình tự thực hiện")
    if not has_components:
        missing.append("thành phần hồ sơ")
    if not proc.processing_days or proc.processing_days <= 0:
        missing.append("thời hạn giải quyết")
    if not proc.target:
        missing.append("đối tượng thực hiện")
    if not proc.competent_authority and not proc.agency_kind and not proc.agencies.exists():
        missing.append("cơ quan thực hiện")
    return missing


def with_components(qs):
    return qs.annotate(has_components=Exists(ComponentRequirement.objects.filter(procedure=OuterRef("pk"))))


@formula("catalog_complete")
def catalog_complete(c: Context, params: dict):
    procs = c.procedures
    complete = with_components(procs).filter(has_components=True, processing_days__gt=0).exclude(
        description="").exclude(target="").exclude(Q(competent_authority="") & Q(agencies__isnull=True)
                                                    & Q(agency_kind=""))
    return Measure(complete.count(), procs.count())


@formula("dossier_sync")
def dossier_sync(c: Context, params: dict):
    note = "" if is_configured("dvcqg") else "Chưa cấu hình kết nối Cổng DVC quốc gia: chưa hồ sơ nào được đồng bộ."
    return Measure(c.ind["synced"], c.ind["received"], note=note)


# ---- group 2: progress ------------------------------------------------------------------------------------

@formula("on_time")
def on_time(c: Context, params: dict):
    # Early/on-time resolved + open within deadline at the period end, over resolved + open.
    v = c.ind
    return Measure(v["resolved_early"] + v["resolved_on_time"] + v["in_progress_on_time"],
                   v["resolved"] + v["in_progress"])


# ---- group 3: online services -----------------------------------------------------------------------------

def online_procedures(c: Context):
    return c.procedures.filter(online_level__in=[OnlineLevel.FULL, OnlineLevel.PARTIAL])


@formula("procedures_online")
def procedures_online(c: Context, params: dict):
    return Measure(online_procedures(c).count(), c.procedures.count())


def procedures_with(c: Context, codes, metric: str) -> Measure:
    """Procedures (of ``codes``) with at least one dossier counted in ``metric`` in the period ÷ all of them."""
    codes = list(codes)
    return Measure(sum(1 for code in codes if c.procedure_total([code], metric) > 0), len(codes))


@formula("online_services_used")
def online_services_used(c: Context, params: dict):
    return procedures_with(c, online_procedures(c).values_list("code", flat=True), "received_online")


@formula("online_share")
def online_share(c: Context, params: dict):
    # Decision 766 3.3 (LEGAL.md §6 [C1, C3]): online ÷ total × the share synced to the national portal.
    v = c.ind
    sync = v["synced"] / v["received"] if v["received"] else None
    note = "" if sync is None else f"Tỷ lệ đồng bộ Cổng DVC quốc gia: {format_percent(sync)}."
    return Measure(v["received_online"], v["received"], factor=sync, note=note)


def fee_procedures(c: Context):
    return c.procedures.filter(fee_vnd__gt=0)


@formula("fee_payment_integrated")
def fee_payment_integrated(c: Context, params: dict):
    fee = fee_procedures(c)
    if not national_payment_platform():
        return Measure(0, fee.count(), note="Chưa cấu hình kết nối nền tảng thanh toán của Cổng DVC quốc gia.")
    return Measure(fee.filter(online_payment=True).count(), fee.count())


@formula("fee_procedures_paid_online")
def fee_procedures_paid_online(c: Context, params: dict):
    return procedures_with(c, fee_procedures(c).values_list("code", flat=True), "paid_online")


# ---- counter ratios (3.6, 4.1, 4.2, 4.3): numerator metric ÷ denominator metric of the period ---------------

RATIOS = {
    "paid_online_share": ("paid_online", "fee_dossiers"),  # 3.6 paid online ÷ dossiers with a fee
    "electronic_results": ("results_electronic", "resolved"),  # 4.1
    "fully_digitized": ("fully_digitized", "resolved"),  # 4.2 components and result digitized
    "reused": ("components_reused", "received"),  # 4.3 at least one component reused
}


def _ratio(num: str, den: str) -> Formula:
    return lambda c, params: Measure(c.ind[num], c.ind[den])


for _key, (_num, _den) in RATIOS.items():
    formula(_key)(_ratio(_num, _den))


# ---- group 4: digitization --------------------------------------------------------------------------------


def national_storage() -> bool:
    return is_configured("dvcqg_storage")


@formula("vault_linked")
def vault_linked(c: Context, params: dict):
    if national_storage():
        return Measure(c.ind["storage_synced"], c.ind["received_digitized"],
                       note="Tính theo xác nhận của kho dữ liệu cá nhân trên Cổng DVC quốc gia.")
    return Measure(c.ind["vault_linked"], c.ind["received_digitized"],
                   note="Chưa kết nối kho dữ liệu cá nhân trên Cổng DVC quốc gia: tính theo kho dữ liệu của tỉnh.")


@formula("population_procedures")
def population_procedures(c: Context, params: dict):
    return procedures_with(c, c.citizen_procedures, "population_data")


@formula("population_dossiers")
def population_dossiers(c: Context, params: dict):
    codes = c.citizen_procedures
    return Measure(c.procedure_total(codes, "population_data"), c.procedure_total(codes, "received"))


@formula("certified_copies")
def certified_copies(c: Context, params: dict):
    # Decision 766 ELECTRONIC_CERTIFIED_COPY: definition not retrieved (LEGAL.md §6 [?]); basis configurable.
    codes = c.certified_copy_procedures
    if not codes:
        return NoCase("Danh mục chưa có thủ tục chứng thực bản sao.")
    if params.get("basis") == "procedures":
        return procedures_with(c, codes, "results_electronic")
    resolved = c.procedure_total(codes, "resolved")
    if not resolved:
        return NoCase("Không có hồ sơ chứng thực bản sao được giải quyết trong kỳ.")
    return Measure(c.procedure_total(codes, "results_electronic"), resolved)


# ---- group 5: satisfaction --------------------------------------------------------------------------------

@formula("feedback_classification")
def feedback_classification(c: Context, params: dict):
    by = c.feedback["by_classification"]
    text = (f"{by.get('regulation', 0)} về quy định hành chính, {by.get('conduct', 0)} về hành vi của cán bộ "
            "(theo dõi, không tính điểm)")
    return Measure(c.feedback["total"], c.feedback["total"], text=text)


@formula("feedback_on_time")
def feedback_on_time(c: Context, params: dict):
    return Measure(c.feedback["on_time"], c.feedback["total"])


@formula("feedback_satisfaction")
def feedback_satisfaction(c: Context, params: dict):
    # Decision 766 5.3 (LEGAL.md §6 [C1, C3]): (all − disliked − overdue − re-raised) ÷ all, each item once.
    return Measure(c.feedback["total"] - c.feedback["unhappy"], c.feedback["total"])


@formula("dossier_satisfaction")
def dossier_satisfaction(c: Context, params: dict):
    v = c.ind
    bad = v["resolved_late"] + v["rated_dissatisfied"]
    return Measure(max(0, v["resolved"] - bad), v["resolved"])
