"""Decision 766/QĐ-TTg (2022) service index per unit and for the province, from our own data.

The sub-indicators, their points, thresholds and formula keys live in data/decision766.json (a
configurable table; LEGAL.md §6). Score = max × min(1, rate ÷ full_at). What we cannot measure
(formula "no_data") is shown as "không có dữ liệu" and left out of the measured maximum; the index
is reported both as points over the measured maximum and scaled to 100.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.db.models import Exists, OuterRef, Q

from motcua.catalog.models import ComponentRequirement, OnlineLevel, Procedure
from motcua.core.money import format_number
from motcua.engagement.feedback import feedback_summary
from motcua.engagement.models import Feedback
from motcua.units.models import Agency

from . import indicators
from .indicators import Indicators, agency_codes_for
from .metrics import day_bounds, metric_filter, overdue_filter
from .models import DossierFact

DATA_FILE = Path(__file__).resolve().parent / "data" / "decision766.json"
NO_DATA = "không có dữ liệu"


@cache
def load_table(path: str | None = None) -> dict:
    data = json.loads(Path(path or DATA_FILE).read_text(encoding="utf-8"))
    groups = {g["code"]: g for g in data["groups"]}
    # Decision 766/QĐ-TTg: five groups, 100 points (18/20/22/22/18).
    if sum(g["max"] for g in groups.values()) != 100:
        raise ValueError("766 groups must total 100 points")
    for g in groups.values():
        total = sum(i["max"] for i in data["indicators"] if i["group"] == g["code"])
        if total != g["max"]:
            raise ValueError(f"766 group {g['code']} sub-indicators total {total}, expected {g['max']}")
    return data


@dataclass
class Score:
    code: str
    group: str
    name: str
    max: float
    full_at: float
    rate: float | None  # 0..1, None = no data / not applicable
    numerator: int | None
    denominator: int | None
    score: float | None
    note: str = ""

    @property
    def measured(self) -> bool:
        return self.score is not None

    def as_dict(self) -> dict:
        return {"code": self.code, "group": self.group, "name": self.name, "max": self.max, "full_at": self.full_at,
                "rate": self.rate, "numerator": self.numerator, "denominator": self.denominator,
                "score": self.score, "status": "ok" if self.measured else "no_data", "note": self.note,
                "display": self.display}

    @property
    def display(self) -> str:
        if self.score is None:
            return NO_DATA
        rate = indicators.format_percent(self.rate) if self.rate is not None else "—"
        return f"{format_number(self.score, 2)}/{format_number(self.max, 0)} điểm ({rate})"


def _procedures(codes: list[str] | None):
    qs = Procedure.objects.filter(is_active=True)
    if codes is None:
        return qs
    kinds = set(Agency.objects.filter(code__in=codes).values_list("kind", flat=True))
    return qs.filter(Q(agencies__code__in=codes) | Q(agencies__isnull=True, agency_kind__in=kinds)).distinct()


class _Context:
    def __init__(self, start: dt.date, end: dt.date, scope: str | None):
        self.start, self.end, self.scope = start, end, scope
        self.codes = agency_codes_for(scope)
        self.ind: Indicators = indicators.totals(start, end, scope)
        self._per_procedure = None

    @property
    def per_procedure(self) -> dict[str, Indicators]:
        if self._per_procedure is None:
            grouped = indicators.compute(self.start, self.end, self.scope, group_by="procedure")
            self._per_procedure = {k[0]: v for k, v in grouped.items()}
        return self._per_procedure

    def feedback(self) -> dict | None:
        lo, hi = day_bounds(self.start, self.end)
        qs = Feedback.objects.filter(received_at__gte=lo, received_at__lt=hi)
        if self.codes is not None:
            qs = qs.filter(agency__code__in=self.codes)
        return feedback_summary(qs, as_of=min(hi, dt.datetime.now(tz=dt.UTC)))


def _ratio(num, den):
    return (int(num), int(den)) if den else (int(num), 0)


def _formula(key: str, c: _Context) -> tuple[int, int] | None:
    """(numerator, denominator) for a formula key; None = no data."""
    v = c.ind
    if key == "on_time":
        # Early/on-time resolved + open within deadline at the period end, over resolved + open.
        return _ratio(v["resolved_early"] + v["resolved_on_time"] + v["in_progress_on_time"],
                      v["resolved"] + v["in_progress"])
    if key == "online_share":
        return _ratio(v["received_online"], v["received"])
    if key == "paid_online_share":
        return _ratio(v["paid_online"], v["fee_dossiers"])
    if key == "electronic_results":
        return _ratio(v["results_electronic"], v["resolved"])
    if key == "fully_digitized":
        return _ratio(v["fully_digitized"], v["resolved"])
    if key == "dossier_satisfaction":
        if not v["resolved"]:
            return (0, 0)
        bad = v["resolved_late"] + v["rated_dissatisfied"]
        return (max(0, v["resolved"] - bad), v["resolved"])
    procs = _procedures(c.codes)
    if key == "catalog_complete":
        complete = procs.annotate(has_components=Exists(ComponentRequirement.objects.filter(
            procedure=OuterRef("pk")))).filter(has_components=True, processing_days__gt=0).exclude(
            description="").exclude(target="").exclude(Q(competent_authority="") & Q(agencies__isnull=True)
                                                         & Q(agency_kind=""))
        return _ratio(complete.count(), procs.count())
    online = procs.filter(online_level__in=[OnlineLevel.FULL, OnlineLevel.PARTIAL])
    if key == "procedures_online":
        return _ratio(online.count(), procs.count())
    if key == "online_services_used":
        codes = list(online.values_list("code", flat=True))
        used = sum(1 for code in codes if c.per_procedure.get(code, Indicators())["received_online"] > 0)
        return _ratio(used, len(codes))
    if key == "fee_procedures_paid_online":
        codes = list(procs.filter(fee_vnd__gt=0).values_list("code", flat=True))
        paid = sum(1 for code in codes if c.per_procedure.get(code, Indicators())["paid_online"] > 0)
        return _ratio(paid, len(codes))
    if key in ("feedback_on_time", "feedback_satisfaction"):
        fb = c.feedback()
        total = fb["total"]
        if key == "feedback_on_time":
            return (fb["on_time"], total)
        return (max(0, total - fb["dissatisfied"] - fb["late"]), total)
    if key == "no_data":
        return None
    raise KeyError(f"unknown 766 formula {key!r}")


FULL_WHEN_EMPTY = {"feedback_on_time", "feedback_satisfaction"}  # LEGAL.md §6: full points if no feedback
ZERO_WHEN_EMPTY = {"dossier_satisfaction"}  # LEGAL.md §6: 0 if the denominator is 0


def evaluate(start: dt.date, end: dt.date, scope: str | None = None) -> dict:
    table = load_table()
    ctx = _Context(start, end, scope)
    scores: list[Score] = []
    for item in table["indicators"]:
        frac = _formula(item["formula"], ctx)
        full_at = float(item.get("full_at", 100))
        note = item.get("note", "")
        if frac is None:
            rate = score = None
            num = den = None
        else:
            num, den = frac
            if den:
                rate = num / den
                score = round(item["max"] * min(1.0, rate * 100 / full_at), 2)
            elif item["formula"] in FULL_WHEN_EMPTY:
                rate, score = None, float(item["max"])
            elif item["formula"] in ZERO_WHEN_EMPTY:
                rate, score = None, 0.0
            else:
                rate = score = None
                note = (note + " " if note else "") + "Không phát sinh trong kỳ."
        scores.append(Score(item["code"], item["group"], item["name"], float(item["max"]), full_at, rate, num, den,
                            score, note))
    groups = []
    for g in table["groups"]:
        mine = [s for s in scores if s.group == g["code"]]
        measured = [s for s in mine if s.measured]
        groups.append({"code": g["code"], "name": g["name"], "max": g["max"],
                       "score": round(sum(s.score for s in measured), 2),
                       "measured_max": sum(s.max for s in measured),
                       "indicators": [s.as_dict() for s in mine]})
    total = round(sum(g["score"] for g in groups), 2)
    measured_max = sum(g["measured_max"] for g in groups)
    return {
        "scope": scope or "province", "start": start.isoformat(), "end": end.isoformat(),
        "groups": groups, "score": total, "measured_max": measured_max,
        "score_100": round(total * 100 / measured_max, 2) if measured_max else None,
        "not_measured": [s.code for s in scores if not s.measured],
    }


# ---- beyond the national portal: which dossiers cost points ----

LOSS_REASONS = {
    "late": "Giải quyết quá hạn (kể cả bổ sung quá 1 lần, có phiếu xin lỗi)",
    "overdue_open": "Đang giải quyết quá hạn tại ngày cuối kỳ",
    "multi_supplement": "Yêu cầu bổ sung quá 1 lần",
    "not_digitized": "Chưa số hóa đầy đủ thành phần hồ sơ và kết quả",
    "no_electronic_result": "Không có kết quả điện tử",
    "dissatisfied": "Bị đánh giá không hài lòng",
}


def costly_dossiers(start: dt.date, end: dt.date, scope: str | None = None, limit: int = 500) -> dict[str, list]:
    """{reason: [{"id", "code", "agency_code", "procedure_code"}]} of the dossiers that lowered the index."""
    codes = agency_codes_for(scope)
    base = DossierFact.objects.all()
    if codes is not None:
        base = base.filter(agency_code__in=codes)
    resolved = metric_filter("resolved", start, end)
    ids = {
        "late": indicators.drill_down("resolved_late", start, end, scope),
        "overdue_open": list(base.filter(overdue_filter(end)).values_list("pk", flat=True)[:limit]),
        "multi_supplement": list(base.filter(metric_filter("multi_supplement", start, end))
                                 .values_list("pk", flat=True)[:limit]),
        "not_digitized": list(base.filter(resolved).filter(Q(digitized_at_receipt=False) | Q(result_digitized=False))
                              .values_list("pk", flat=True)[:limit]),
        "no_electronic_result": list(base.filter(resolved, result_electronic=False)
                                     .values_list("pk", flat=True)[:limit]),
        "dissatisfied": list(base.filter(metric_filter("rated_dissatisfied", start, end))
                             .values_list("pk", flat=True)[:limit]),
    }
    out = {}
    for reason, pks in ids.items():
        rows = DossierFact.objects.filter(pk__in=pks[:limit]).order_by("pk").values(
            "pk", "code", "agency_code", "procedure_code")
        out[reason] = [{"id": r["pk"], "code": r["code"], "agency_code": r["agency_code"],
                        "procedure_code": r["procedure_code"]} for r in rows]
    return out
