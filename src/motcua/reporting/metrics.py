"""What each statistics counter means, in one place.

A dossier's current facts (``FactData``) contribute to a set of counters: each contribution is a
metric, the day it is attributed to (local date, Asia/Ho_Chi_Minh) and a value. The event consumer
applies ``contributions(new) - contributions(old)`` to the counter table whenever a dossier changes;
``recompute_from_dossiers`` sums ``contributions`` over raw dossiers (the naive truth). The same
definitions are written once more as database filters (``metric_filter``) for the drill-down lists,
and tests check that both agree.

Attribution (DESIGN.md §5): flows are counted on the day they happened — receipt on the receipt
day, resolution on the decision day, withdrawal / refusal on the closing day. Stocks (carried over,
in progress within / past deadline) are differences of cumulative flows:
  open at end of day E       = Σ received(≤E) − Σ finished(≤E)
  past deadline at end of E  = Σ overdue_start(≤E) − Σ overdue_end(≤E)
(plus, for a reorganization's moves, Σ moved_in − Σ moved_out and Σ moved_in_overdue − Σ moved_out_overdue),
where a received dossier "finishes" when decided (resolved or rejected) or withdrawn / stopped, ``overdue_start``
is counted on its due day if it finishes after the due moment (or not yet), and ``overdue_end`` on the day it
finishes after being overdue.

Agency (docs/operations.md, *Reorganizing administrative units*): each figure counts under the agency that had the
dossier when it happened. A dossier an old committee received and a merger moved (``dossier.transfer_agency``)
keeps its receipt (and anything else before the move) with the old committee, so a closed unit's figures for a
period before the merger never change; from the move on it is the new agency's: its stock moves (``moved_out`` at
the old agency, ``moved_in`` at the new one; ``moved_…_overdue`` for one already past its deadline), its decision
counts there. The move's moment is when the merger took effect (00:00 of the plan's effective date, the event's
``effective_at``, or its plan's for a transfer written before: move_moments.MoveMoments), not when the plan was applied,
which may be months later: a dossier the old committee still
received or decided in between counts as the new agency's receipt or decision (``agency_at``). A rating counts on
the day it was given, for the agency that had the dossier then, or, when that agency's unit had closed by then, for
its successor (``FactData.rated_for``): a dossier closed before a merger took effect stays the old committee's, but
a figure after a unit's last day is never the closed unit's. ``FactData.
agency_moves`` records the agencies a dossier had before and when it left each; agency_moves.py reads the moved
figures back (the stocks with the moves, which moved dossiers a drill-down lists under an agency).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

from django.db.models import Q

from motcua.core.calendar import TZ
from motcua.dossiers.lifecycle import timeliness

# Dimensions of a counter row (besides grain and period).
DIMENSIONS = ("agency_code", "procedure_code", "field_code", "online_level", "channel")
# procedure_code = field_code = ALL marks the per-agency roll-up rows (no procedure / field detail).
ALL = "*"

# Flow metrics kept as columns of StatCounter; label = what a report reader sees.
METRICS: dict[str, str] = {
    "received": "Hồ sơ tiếp nhận",
    "received_digitized": "Số hóa thành phần hồ sơ khi tiếp nhận",
    "resolved": "Đã giải quyết",
    "resolved_early": "Giải quyết trước hạn",
    "resolved_on_time": "Giải quyết đúng hạn",
    "resolved_late": "Giải quyết quá hạn",
    "results_digitized": "Kết quả giải quyết được số hóa",
    "results_electronic": "Kết quả điện tử",
    "fully_digitized": "Số hóa cả hồ sơ và kết quả",
    "returned": "Đã trả kết quả",
    "withdrawn": "Rút hồ sơ",
    "refused": "Từ chối tiếp nhận",
    "rejected": "Không giải quyết (từ chối giải quyết)",
    "stopped": "Dừng giải quyết",
    "finished": "Hồ sơ đã tiếp nhận kết thúc xử lý",
    "overdue_start": "Bắt đầu quá hạn",
    "overdue_end": "Kết thúc quá hạn",
    "supplement_dossiers": "Hồ sơ phải bổ sung",
    "supplement_requests": "Lượt yêu cầu bổ sung",
    "multi_supplement": "Hồ sơ bổ sung quá 1 lần",
    "apology_dossiers": "Hồ sơ có phiếu xin lỗi",
    "apology_slips": "Phiếu xin lỗi và hẹn lại",
    "fee_dossiers": "Hồ sơ có phí, lệ phí",
    "paid_online": "Thanh toán trực tuyến (hồ sơ)",
    "paid_online_vnd": "Thanh toán trực tuyến (đồng)",
    "rated": "Lượt đánh giá hài lòng",
    "rated_satisfied": "Hài lòng",
    "rated_dissatisfied": "Không hài lòng",
    # Decision 766 groups 1 and 4 (LEGAL.md §6), each counted on the receipt day of the dossier
    "synced": "Đồng bộ thành công lên Cổng DVC quốc gia",
    "components_reused": "Tái sử dụng giấy tờ từ kho dữ liệu",
    "vault_linked": "Số hóa, liên kết kho dữ liệu của người nộp",
    "storage_synced": "Số hóa, liên kết kho dữ liệu trên Cổng DVC quốc gia",
    "population_data": "Khai thác dữ liệu dân cư (VNeID, CSDL dân cư)",
    # a reorganization's move of a received, unfinished dossier (stocks only: never a receipt or a resolution)
    "moved_in": "Hồ sơ chuyển đến do sắp xếp đơn vị hành chính",
    "moved_out": "Hồ sơ chuyển đi do sắp xếp đơn vị hành chính",
    "moved_in_overdue": "Hồ sơ quá hạn chuyển đến do sắp xếp đơn vị hành chính",
    "moved_out_overdue": "Hồ sơ quá hạn chuyển đi do sắp xếp đơn vị hành chính",
}
SYNC_ACKNOWLEDGED, SYNC_REJECTED = "acknowledged", "rejected"  # what the national portal answered; "" = pending

TERMINAL_STATUSES = frozenset({"refused", "rejected", "returned", "withdrawn", "stopped"})


def local_day(moment: dt.datetime | None) -> dt.date | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(TZ).date()


@dataclass
class FactData:
    """The classification keys and timestamps of one dossier (the read model row)."""

    agency_code: str = ""
    procedure_code: str = ""
    field_code: str = ""
    online_level: str = ""
    channel: str = ""
    status: str = ""
    rule_version: str = ""
    submitted_at: dt.datetime | None = None
    received_at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    decided_at: dt.datetime | None = None
    returned_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    fee_vnd: int = 0
    fee_paid_online: bool = False
    digitized_at_receipt: bool = False
    result_digitized: bool = False
    result_electronic: bool = False
    supplement_count: int = 0
    apology_count: int = 0
    rated_at: dt.datetime | None = None
    satisfied: bool | None = None  # the applicant's answer (engagement.rating_submitted)
    rated_for: str = ""  # a rating given after its agency's unit closed: the successor's code (move_moments.rated_for)
    components_reused: bool = False
    vault_linked: bool = False
    applicant_vneid: bool = False
    applicant_population: bool = False
    sync_status: str = ""  # the national portal's last answer (integration.portal_sync); "" = pending
    storage_synced: bool = False  # the national personal storage acknowledged a document (integration.storage_sync)
    agency_moves: str = ""  # "CODE@ISO;…": the agencies it had before agency_code, each with when it left (oldest first)

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    @property
    def dims(self) -> tuple:
        return tuple(getattr(self, d) for d in DIMENSIONS)

    @property
    def moves(self) -> list[tuple[str, dt.datetime]]:
        """(agency code, the moment the dossier left it), oldest first."""
        return parse_moves(self.agency_moves)

    def agency_at(self, moment: dt.datetime | None) -> str:
        """The agency that had the dossier at ``moment`` (the current one for None or after the last move)."""
        if moment is not None:
            for code, left in self.moves:
                if moment < left:
                    return code
        return self.agency_code

    @property
    def finished_at(self) -> dt.datetime | None:
        if self.decided_at is not None:
            return self.decided_at
        if self.status in ("withdrawn", "stopped", "rejected") and self.closed_at is not None:
            return self.closed_at
        return None

    @property
    def is_received(self) -> bool:
        return self.received_at is not None

    paused_at = None  # lets lifecycle.timeliness read a fact like a dossier


def parse_moves(text: str) -> list[tuple[str, dt.datetime]]:
    out = []
    for part in filter(None, (text or "").split(";")):
        code, _, moment = part.rpartition("@")
        out.append((code, dt.datetime.fromisoformat(moment)))
    return out


def add_move(text: str, code: str, moment: dt.datetime) -> str:
    """``agency_moves`` once the dossier has left agency ``code`` at ``moment`` (never before it left the previous
    one: the moves stay in order)."""
    earlier = parse_moves(text)
    if earlier and moment < earlier[-1][1]:
        moment = earlier[-1][1]
    return ";".join(filter(None, [text, f"{code}@{moment.isoformat()}"]))


def _timeliness(f: FactData) -> str:
    """early / on_time / late of a decided dossier, by the lifecycle's own rule (one home)."""
    return timeliness(f) or "on_time"


def contributions(f: FactData | None) -> dict[tuple, dict[str, int]]:
    """{(day, *dims): {metric: value}} for one dossier."""
    out: dict[tuple, dict[str, int]] = {}
    if f is None:
        return out
    dims = f.dims[1:]

    def add(moment, metric, value=1, agency=None):
        if moment is None or not value:
            return
        key = (local_day(moment), agency or f.agency_at(moment), *dims)
        bucket = out.setdefault(key, {})
        bucket[metric] = bucket.get(metric, 0) + int(value)

    received = f.received_at
    anchor = received or f.submitted_at
    if received is not None:
        add(received, "received")
        if f.digitized_at_receipt:
            add(received, "received_digitized")
            if f.components_reused or f.vault_linked:
                add(received, "vault_linked")
            if f.storage_synced:
                add(received, "storage_synced")
        if f.fee_vnd > 0:
            add(received, "fee_dossiers")
        if f.sync_status == SYNC_ACKNOWLEDGED:
            add(received, "synced")
        if f.components_reused:
            add(received, "components_reused")
        if f.applicant_vneid or f.applicant_population:
            add(received, "population_data")
    if f.fee_paid_online and anchor is not None:
        add(anchor, "paid_online")
        add(anchor, "paid_online_vnd", f.fee_vnd)
    if f.supplement_count > 0:
        add(anchor, "supplement_dossiers")
        add(anchor, "supplement_requests", f.supplement_count)
        if f.supplement_count > 1:
            add(anchor, "multi_supplement")
    if f.apology_count > 0:
        add(anchor, "apology_dossiers")
        add(anchor, "apology_slips", f.apology_count)
    if f.decided_at is not None:
        add(f.decided_at, "resolved")
        add(f.decided_at, f"resolved_{_timeliness(f)}")
        if f.result_digitized:
            add(f.decided_at, "results_digitized")
            if f.digitized_at_receipt:
                add(f.decided_at, "fully_digitized")
        if f.result_electronic:
            add(f.decided_at, "results_electronic")
    if f.returned_at is not None:
        add(f.returned_at, "returned")
    if f.status in ("withdrawn", "refused", "stopped") and f.closed_at is not None:
        add(f.closed_at, f.status)
    if f.status == "rejected":
        add(f.decided_at or f.closed_at, "rejected")
    if received is not None:
        finished = f.finished_at
        add(finished, "finished")
        if f.due_at is not None and (finished is None or finished > f.due_at):
            add(f.due_at, "overdue_start")
            add(finished, "overdue_end")
        _moves(f, add)
    if f.rated_at is not None and f.satisfied is not None:
        add(f.rated_at, "rated", agency=f.rated_for)
        add(f.rated_at, "rated_satisfied" if f.satisfied else "rated_dissatisfied", agency=f.rated_for)
    return out


def _moves(f: FactData, add) -> None:
    """A dossier received before the move and not finished before it: its stock leaves the agency it is moved from
    and joins the one it goes to. One received from the move's moment on was received by the new agency (agency_at),
    one finished from then on is finished there."""
    finished = f.finished_at
    for code, moment in f.moves:
        if f.received_at is None or f.received_at >= moment or (finished is not None and finished < moment):
            continue
        to = f.agency_at(moment)
        add(moment, "moved_out", agency=code)
        add(moment, "moved_in", agency=to)
        if f.due_at is not None and f.due_at < moment:  # already past its deadline: so at the new agency
            add(moment, "moved_out_overdue", agency=code)
            add(moment, "moved_in_overdue", agency=to)


def diff(old: dict, new: dict) -> dict[tuple, dict[str, int]]:
    """new − old, without zero entries."""
    out: dict[tuple, dict[str, int]] = {}
    for key in set(old) | set(new):
        o, n = old.get(key, {}), new.get(key, {})
        delta = {m: n.get(m, 0) - o.get(m, 0) for m in set(o) | set(n)}
        delta = {m: v for m, v in delta.items() if v}
        if delta:
            out[key] = delta
    return out


# ---- the same definitions as database filters on DossierFact (drill-down) ----

def day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, end+1 00:00) local time."""
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=TZ)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=TZ)
    return lo, hi


def _in(field: str, lo, hi) -> Q:
    return Q(**{f"{field}__gte": lo, f"{field}__lt": hi})


def _anchor_in(lo, hi) -> Q:
    return _in("received_at", lo, hi) | (Q(received_at__isnull=True) & _in("submitted_at", lo, hi))


def _finished_in(lo, hi) -> Q:
    return Q(received_at__isnull=False) & (
        _in("decided_at", lo, hi)
        | (Q(decided_at__isnull=True, status__in=("withdrawn", "stopped", "rejected")) & _in("closed_at", lo, hi)))


def metric_filter(metric: str, start: dt.date, end: dt.date) -> Q:
    """Dossier facts that contribute to ``metric`` between start and end (inclusive local days)."""
    lo, hi = day_bounds(start, end)
    decided = _in("decided_at", lo, hi)
    table = {
        "received": _in("received_at", lo, hi),
        "received_digitized": _in("received_at", lo, hi) & Q(digitized_at_receipt=True),
        "fee_dossiers": _in("received_at", lo, hi) & Q(fee_vnd__gt=0),
        "paid_online": _anchor_in(lo, hi) & Q(fee_paid_online=True),
        "paid_online_vnd": _anchor_in(lo, hi) & Q(fee_paid_online=True),
        "supplement_dossiers": _anchor_in(lo, hi) & Q(supplement_count__gt=0),
        "supplement_requests": _anchor_in(lo, hi) & Q(supplement_count__gt=0),
        "multi_supplement": _anchor_in(lo, hi) & Q(supplement_count__gt=1),
        "apology_dossiers": _anchor_in(lo, hi) & Q(apology_count__gt=0),
        "apology_slips": _anchor_in(lo, hi) & Q(apology_count__gt=0),
        "resolved": decided,
        "results_digitized": decided & Q(result_digitized=True),
        "results_electronic": decided & Q(result_electronic=True),
        "fully_digitized": decided & Q(result_digitized=True, digitized_at_receipt=True),
        "returned": _in("returned_at", lo, hi),
        "withdrawn": Q(status="withdrawn") & _in("closed_at", lo, hi),
        "refused": Q(status="refused") & _in("closed_at", lo, hi),
        "stopped": Q(status="stopped") & _in("closed_at", lo, hi),
        "rejected": Q(status="rejected") & (decided | (Q(decided_at__isnull=True) & _in("closed_at", lo, hi))),
        "finished": _finished_in(lo, hi),
        "rated": _in("rated_at", lo, hi) & Q(satisfied__isnull=False),
        "rated_satisfied": _in("rated_at", lo, hi) & Q(satisfied=True),
        "rated_dissatisfied": _in("rated_at", lo, hi) & Q(satisfied=False),
        "synced": _in("received_at", lo, hi) & Q(sync_status=SYNC_ACKNOWLEDGED),
        "components_reused": _in("received_at", lo, hi) & Q(components_reused=True),
        "vault_linked": _in("received_at", lo, hi) & Q(digitized_at_receipt=True)
        & (Q(components_reused=True) | Q(vault_linked=True)),
        "storage_synced": _in("received_at", lo, hi) & Q(digitized_at_receipt=True, storage_synced=True),
        "population_data": _in("received_at", lo, hi) & (Q(applicant_vneid=True) | Q(applicant_population=True)),
    }
    if metric in table:
        return table[metric]
    if metric in ("resolved_early", "resolved_on_time", "resolved_late"):
        # Timeliness compares local days: a coarse database pre-filter, exact check in python_filter.
        return decided
    if metric == "overdue_start":
        return Q(received_at__isnull=False) & _in("due_at", lo, hi)
    if metric == "overdue_end":
        return _finished_in(lo, hi) & Q(due_at__isnull=False)
    raise KeyError(metric)


def python_filter(metric: str, f: FactData) -> bool:
    """Exact membership test for metrics whose database filter is only a pre-filter."""
    if metric in ("resolved_early", "resolved_on_time", "resolved_late") and f.decided_at is not None:
        return metric == f"resolved_{_timeliness(f)}"
    if metric == "overdue_start":
        fin = f.finished_at
        return f.due_at is not None and (fin is None or fin > f.due_at)
    if metric == "overdue_end":
        fin = f.finished_at
        return fin is not None and f.due_at is not None and fin > f.due_at
    return True


def open_filter(day: dt.date) -> Q:
    """Received dossiers still open at the end of ``day``."""
    _, hi = day_bounds(day, day)
    not_finished = (Q(decided_at__isnull=True) | Q(decided_at__gte=hi)) & ~(
        Q(decided_at__isnull=True, status__in=("withdrawn", "stopped", "rejected"), closed_at__lt=hi))
    return Q(received_at__lt=hi) & not_finished


def overdue_filter(day: dt.date) -> Q:
    """Received dossiers open at the end of ``day`` whose due moment has passed."""
    _, hi = day_bounds(day, day)
    return open_filter(day) & Q(due_at__lt=hi)
