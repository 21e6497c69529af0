"""Indicators for any unit, period and breakdown, read from StatCounter (never from raw dossiers).

A period [start, end] (inclusive local days) is split into whole years, whole months and the
remaining days (periods.py), so a province-year costs one small aggregate over year rows. Stocks (carried over,
in progress) are cumulative flows up to a day (see metrics.py).

Rates follow DESIGN.md §5 (denominators fixed by seed 000's own figures).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connections, router
from django.db.models import Q

from motcua.catalog.models import Field, Procedure
from motcua.core.errors import ValidationFailed
from motcua.units import lifetime
from motcua.units.lifetime import Coverage
from motcua.units.models import Agency
from motcua.units.reorganization import lineage_codes
from motcua.units.services import COMMUNE_LEVELS

from .agency_moves import MOVES, STOCKS, UNMOVED, held_in, open_stock, overdue_stock
from .consumer import fact_data
from .metrics import ALL, METRICS, metric_filter, open_filter, overdue_filter, python_filter
from .models import DossierFact, StatCounter
from .periods import _period_sql, month_bounds, parse_period, period_filter, period_label
from .texts import LABELS, SUMMARY_ROWS, format_count, format_percent, seed_sentence, summary_table

# The formatting lives in texts.py and the periods in periods.py; these names stay importable from here (callers read figures and print them).
__all__ = ["LABELS", "SUMMARY_ROWS", "Indicators", "agency_codes_for", "compute", "coverage", "drill_down", "format_count",
           "format_percent", "month_bounds", "monthly", "parse_period", "period_filter", "period_label", "seed_sentence",
           "summary_table", "totals"]

GROUPS = {
    "agency": "agency_code",
    "procedure": "procedure_code",
    "field": "field_code",
    "channel": "channel",
    "online_level": "online_level",
}
# the administrative levels of a ``level:`` scope: the province, or every commune-level unit (xã, phường, đặc khu)
SCOPE_LEVELS = {"province": ("province",), "commune": COMMUNE_LEVELS}


def agency_codes_for(scope: str | None) -> list[str] | None:
    """None = province; an agency code; 'level:province' / 'level:commune'; 'unit:<admin code>'; 'lineage:<code>'."""
    if not scope or scope == "province":
        return None
    if scope.startswith("level:"):
        levels = SCOPE_LEVELS.get(scope.split(":", 1)[1], ())  # one not named here is no unit (scopes.parse_scope)
        return list(Agency.objects.filter(admin_unit__level__in=levels).values_list("code", flat=True))
    if scope.startswith("unit:"):
        return list(Agency.objects.filter(admin_unit__code=scope.split(":", 1)[1]).values_list("code", flat=True))
    return lineage_codes(scope.removeprefix("lineage:")) if scope.startswith("lineage:") else [scope]  # lineage: merged units


def coverage(start: dt.date, end: dt.date, scope: str | None = None) -> Coverage:
    """What of [start, end] the unit of ``scope`` existed in (a reorganization created or closed it): the counting
    is not narrowed here (its flows stop with its dossiers); pages and the API say it (texts.existence_note)."""
    return lifetime.of_codes(agency_codes_for(scope)).cover(start, end)


@dataclass
class Indicators:
    """Totals of one cell (a unit / period / group) and the rates derived from them."""

    values: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, key):
        return self.values.get(key, 0)

    @staticmethod
    def ratio(num, den) -> float | None:
        return None if not den else num / den

    @property
    def rates(self) -> dict[str, float | None]:
        v = self
        return {
            # DESIGN.md §5: resolved ÷ received (seed 000: 103,095 ÷ 103,331 = 99,77 %)
            "resolved_rate": self.ratio(v["resolved"], v["received"]),
            "digitized_at_receipt_rate": self.ratio(v["received_digitized"], v["received"]),
            # results digitized ÷ resolved (41,920 ÷ 103,095 = 40,66 %)
            "results_digitized_rate": self.ratio(v["results_digitized"], v["resolved"]),
            "results_electronic_rate": self.ratio(v["results_electronic"], v["resolved"]),
            "on_time_rate": self.ratio(v["resolved_early"] + v["resolved_on_time"], v["resolved"]),
            "online_rate": self.ratio(v["received_online"], v["received"]),
            # online dossiers of partial-online procedures ÷ all their dossiers (28,037 ÷ 83,843 = 33,44 %)
            "online_rate_partial": self.ratio(v["received_online_partial"], v["received_partial"]),
            "online_rate_full": self.ratio(v["received_online_full"], v["received_full"]),
            "paid_online_rate": self.ratio(v["paid_online"], v["fee_dossiers"]),
            "satisfaction_rate": self.ratio(v["rated_satisfied"], v["rated"]),
        }

    def as_dict(self) -> dict:
        return {"values": dict(self.values), "rates": self.rates}


STOCK_METRICS = ("received", "finished", "overdue_start", "overdue_end", *MOVES)


def _aggregate(start: dt.date, end: dt.date, codes: list[str] | None, group: list[str],
               filters: dict[str, str] | None = None) -> tuple[list[dict], list[tuple]]:
    """Flows of [start, end] plus cumulative stock metrics before start and up to end, summed in the database.

    Returns one row per group (all metrics), and (group…, channel, online_level, received) rows for the
    channel × online-level splits of the rates. The statements are written here rather than by the ORM:
    building ~120 filtered aggregates with the ORM cost more than running them, and summing the
    channel × level rows in Python cost more again. Each counter row is classified once (flow / before /
    up to) in the inner query; the sums come back as integers.
    """
    if codes is not None and not codes:
        return [], []  # a scope without agencies
    periods = {"flow": _period_sql(start, end), "before": _period_sql(None, start - dt.timedelta(days=1)),
               "upto": _period_sql(None, end)}
    # The database the ORM would read StatCounter from: the replica router applies (motcua.db.router).
    db = connections[router.db_for_read(StatCounter)]
    qn = db.ops.quote_name
    filters = filters or {}
    fine = any(g in ("procedure_code", "field_code") for g in group) or any(
        k in ("procedure_code", "field_code") for k in filters)
    where = ["(" + " OR ".join(cond for cond, _ in periods.values()) + ")",
             "procedure_code <> %s" if fine else "procedure_code = %s"]
    where_p = [p for _, cond_p in periods.values() for p in cond_p] + [ALL]
    if codes is not None:
        where.append(f"agency_code IN ({', '.join(['%s'] * len(codes))})")
        where_p += codes
    for column, value in filters.items():
        where.append(f"{qn(column)} = %s")
        where_p.append(value)
    columns = sorted({*group, "channel", "online_level", *METRICS, *STOCK_METRICS})
    flags = [f"CASE WHEN {cond} THEN 1 ELSE 0 END AS in_{name}" for name, (cond, _) in periods.items()]
    inner = (f"SELECT {', '.join(qn(c) for c in columns)}, {', '.join(flags)} "
             f"FROM {qn(StatCounter._meta.db_table)} WHERE {' AND '.join(where)}")
    inner_p = [p for _, cond_p in periods.values() for p in cond_p] + where_p
    keys = [qn(g) for g in group]
    sums = [f"CAST(SUM(CASE WHEN in_{prefix} = 1 THEN {qn(m)} END) AS BIGINT) AS {qn(f'{prefix}__{m}')}"
            for prefix, names in (("flow", METRICS), ("before", STOCK_METRICS), ("upto", STOCK_METRICS))
            for m in names]
    by_group = f" GROUP BY {', '.join(keys)}" if keys else ""
    split_keys = [*keys, *(qn(c) for c in ("channel", "online_level") if c not in group)]
    with db.cursor() as cur:
        cur.execute(f"SELECT {', '.join([*keys, *sums])} FROM ({inner}) counters{by_group}", inner_p)
        names = [c[0] for c in cur.description]
        rows = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        cur.execute(f"SELECT {', '.join(keys + [k for k in split_keys if k not in keys])}, "
                    f"CAST(SUM(CASE WHEN in_flow = 1 THEN {qn('received')} END) AS BIGINT) "
                    f"FROM ({inner}) counters GROUP BY {', '.join(split_keys)}", inner_p)
        names = [c[0] for c in cur.description][:-1]
        splits = [(dict(zip(names, row[:-1], strict=True)), row[-1] or 0) for row in cur.fetchall()]
    return rows, splits


def _fold(rows: list[dict], splits: list[tuple], group_keys: list[str]) -> dict[tuple, dict[str, int]]:
    """Per group: the sums, and the received counts split by channel, by online level and by both."""
    out: dict[tuple, dict[str, int]] = {}
    for row in rows:
        key = tuple(row[g] for g in group_keys)
        out[key] = defaultdict(int, {k: v or 0 for k, v in row.items() if "__" in k})
        out[key].update({m: out[key].pop(f"flow__{m}") for m in METRICS})
    for row, received in splits:
        bucket = out[tuple(row[g] for g in group_keys)]
        channel, level = row["channel"], row["online_level"]
        bucket[f"received_{channel}"] += received
        bucket[f"received_{level}"] += received
        bucket[f"received_{channel}_{level}"] += received
    return out


ADMIN_GROUPS = ("admin_level", "admin_unit")


def _by_admin(start, end, scope, group_by, filters) -> dict[tuple, Indicators]:
    """Fold per-agency indicators into administrative levels (province / commune) or units."""
    level_of = {"province": "province", "commune": "commune", "ward": "commune", "special_zone": "commune"}
    attr = "admin_unit__level" if group_by == "admin_level" else "admin_unit__code"
    mapping = dict(Agency.objects.values_list("code", attr))
    out: dict[tuple, dict[str, int]] = {}
    for (code,), ind in compute(start, end, scope, "agency", filters).items():
        key = mapping.get(code, "")
        key = (level_of.get(key, key) if group_by == "admin_level" else key,)
        bucket = out.setdefault(key, {})
        for k, v in ind.values.items():
            bucket[k] = bucket.get(k, 0) + v
    return {k: Indicators(v) for k, v in out.items()}


def compute(start: dt.date, end: dt.date, scope: str | None = None, group_by: str | None = None,
            filters: dict | None = None) -> dict[tuple, Indicators]:
    """Indicators for [start, end] keyed by the group value (a 1-tuple, or () when not grouped).

    group_by: agency, procedure, field, channel, online_level, or admin_level (province / commune) and
    admin_unit (administrative unit code), folded from agencies."""
    if group_by in ADMIN_GROUPS:
        return _by_admin(start, end, scope, group_by, filters)
    if group_by is not None and group_by not in GROUPS:
        raise ValidationFailed("invalid_group", f"Không thể nhóm theo «{str(group_by)[:40]}».")
    codes = agency_codes_for(scope)
    extra = {GROUPS[k]: v for k, v in (filters or {}).items() if k in GROUPS and v}
    group_keys = [GROUPS[group_by]] if group_by else []
    folded = _fold(*_aggregate(start, end, codes, group_keys, extra), group_keys)
    result: dict[tuple, Indicators] = {}
    for key, bucket in folded.items():
        vals = {k: v for k, v in bucket.items() if "__" not in k and k not in MOVES}
        vals["carried_over"] = open_stock(bucket, "before")
        open_end = open_stock(bucket, "upto")
        overdue_end = overdue_stock(bucket, "upto")
        vals["in_progress"] = open_end
        vals["in_progress_overdue"] = overdue_end
        vals["in_progress_on_time"] = open_end - overdue_end
        vals["to_handle"] = vals["carried_over"] + vals.get("received", 0)
        if any(vals.values()):
            result[key] = Indicators(vals)
    if not group_by and () not in result:
        result[()] = Indicators({})
    return result


def totals(start: dt.date, end: dt.date, scope: str | None = None, filters: dict | None = None) -> Indicators:
    return compute(start, end, scope, None, filters)[()]


def monthly(year: int, scope: str | None = None) -> list[tuple[int, Indicators]]:
    """Twelve months of a year (the transparency page)."""
    return [(month, totals(*month_bounds(year, month), scope)) for month in range(1, 13)]


# ---- drill-down: the dossiers behind a number ----

CHANNELS = {"online", "counter", "post"}
LEVELS = {"full", "partial", "none"}
# A code filter names an agency, procedure or field of the registers — withdrawn or dissolved ones included (kept,
# inactive) — or of the figures' history (a code that was changed or left the register: its dossiers' facts keep it).
# Each is looked up through an index: the register's unique code, DossierFact's (agency_code, received_at),
# procedure_code and field_code.
KNOWN_CODES = {"agency": (Agency, "agency_code", "cơ quan"), "procedure": (Procedure, "procedure_code", "thủ tục"),
               "field": (Field, "field_code", "lĩnh vực")}


def _check_filters(filters: dict) -> None:
    """A mistyped filter is refused (422 invalid_filter), not read as an empty list."""
    for key, allowed in (("channel", CHANNELS), ("online_level", LEVELS)):
        if filters.get(key) and filters[key] not in allowed:
            raise ValidationFailed("invalid_filter", f"Giá trị lọc không hợp lệ: «{str(filters[key])[:40]}».")
    for key, (model, column, noun) in KNOWN_CODES.items():
        code = filters.get(key)
        if code and not (model.objects.filter(code=code).exists()
                         or DossierFact.objects.filter(**{column: code}).exists()):
            raise ValidationFailed("invalid_filter", f"Không có {noun} nào mang mã «{str(code)[:40]}» trong danh mục "
                                                     "hay trong số liệu đã ghi nhận.")


def drill_down(metric: str, start: dt.date, end: dt.date, scope: str | None = None,
               filters: dict | None = None) -> list[int]:
    """Ids of the dossiers counted in one cell; len() equals the cell's value for count metrics."""
    _check_filters(filters or {})
    if metric in STOCKS:
        if metric == "carried_over":
            q = open_filter(start - dt.timedelta(days=1))
        elif metric == "in_progress":
            q = open_filter(end)
        elif metric == "in_progress_overdue":
            q = overdue_filter(end)
        else:
            q = open_filter(end) & ~overdue_filter(end)
        exact, counted = None, metric
    elif metric.startswith("received_") and set(metric.split("_")[1:]) <= {*CHANNELS, *LEVELS}:
        q = metric_filter("received", start, end)
        for part in metric.split("_")[1:]:
            q &= Q(channel=part) if part in CHANNELS else Q(online_level=part)
        exact, counted = None, "received"
    elif metric in MOVES:  # parts of the stocks (agency_moves): the dossiers are in in_progress's lists
        raise ValidationFailed("invalid_metric", "Số hồ sơ chuyển đi, chuyển đến do sắp xếp đơn vị hành chính là một "
                                                 "phần của số hồ sơ tồn, không có danh sách riêng; xem danh sách hồ sơ "
                                                 "đang giải quyết.")
    elif metric in METRICS:
        q = metric_filter(metric, start, end)
        exact = counted = metric
    else:
        raise ValidationFailed("invalid_metric", f"Chỉ tiêu không tồn tại: «{str(metric)[:40]}».")
    qs = DossierFact.objects.filter(q)
    codes = agency_codes_for(scope)
    for k, v in (filters or {}).items():
        if k in GROUPS and v:
            qs = qs.filter(**{GROUPS[k]: v})
    if codes is not None:
        # a dossier a reorganization moved counts under the agency that had it then (agency_moves.held_by)
        moved = held_in(qs, codes, counted, start, end)
        qs = qs.filter(UNMOVED, agency_code__in=codes)
        if exact is None:
            return sorted([*qs.values_list("pk", flat=True), *moved])
        qs = qs | DossierFact.objects.filter(pk__in=moved)
    elif exact is None:
        return list(qs.order_by("pk").values_list("pk", flat=True))
    ids = []
    for row in qs.order_by("pk"):
        if python_filter(exact, fact_data(row)):
            ids.append(row.pk)
    return ids

