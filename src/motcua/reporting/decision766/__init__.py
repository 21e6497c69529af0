"""Decision 766/QĐ-TTg (2022) service index per unit and for the province, from our own data.

The sub-indicators, their points, thresholds, formula keys and parameters live in data/decision766.json (a
configurable table; LEGAL.md §6). Score = max × min(1, rate ÷ full_at). Every sub-indicator is measured from the
system's own data (formulas.py, each citing its source); a period with no case for one says so and leaves it out of
the measured maximum; the index is reported both as points over the measured maximum and scaled to 100.
``losses`` lists the dossiers, procedures or feedback items that lowered one sub-indicator (losses.py).

A unit a reorganization created (a merged commune) did not exist before its first day, nor one a merger closed (a
merged-away commune) after its last: a period wholly outside its lifetime shows no data on every point, and one it
came into being or was closed in counts only its own days (motcua.units.lifetime, context.Context).

Layout: table.py (the table, one Score), context.py (what the formulas read), formulas.py, losses.py.
"""

from __future__ import annotations

import datetime as dt

from .. import texts
from .context import Context
from .formulas import FORMULAS, Measure, NoCase
from .losses import KIND_WORDS, LIMIT, LOSS_KINDS, LOSSES, Loss, kind_of
from .table import DATA_FILE, NO_DATA, Score, load_table

__all__ = ["DATA_FILE", "LOSS_REASONS", "NO_DATA", "Loss", "Score", "costly_dossiers", "evaluate", "indicator",
           "load_table", "losses", "score_and_losses"]

FULL_WHEN_EMPTY = {"feedback_on_time", "feedback_satisfaction"}  # LEGAL.md §6: full points if no feedback
ZERO_WHEN_EMPTY = {"dossier_satisfaction"}  # LEGAL.md §6: 0 if the denominator is 0
NOTHING_RECEIVED = "Không phát sinh trong kỳ."


def _existence(ctx: Context) -> NoCase | str:
    """A unit that did not exist in the period: no case at all; one created or closed during it: what its figures
    cover (the unit's lifetime: motcua.units.lifetime)."""
    life, cover = ctx.lifetime, ctx.coverage
    if cover.not_yet:
        return NoCase(texts.not_yet(life))
    if cover.absent:
        return NoCase(f"{texts.ended(life)}: không còn số liệu của đơn vị trong kỳ.")
    return _join(f"Đơn vị được thành lập từ ngày {cover.counted_from:%d/%m/%Y}: chỉ tính từ ngày này."
                 if cover.counted_from else "",
                 f"{life.closure}: chỉ tính đến hết ngày {cover.counted_until:%d/%m/%Y}." if cover.counted_until else "")


def _score(item: dict, ctx: Context) -> Score:
    key = item["formula"]
    if key not in FORMULAS:
        raise KeyError(f"unknown 766 formula {key!r}")
    existence = _existence(ctx)
    result = existence if isinstance(existence, NoCase) else FORMULAS[key](ctx, item.get("params") or {})
    since = existence if isinstance(existence, str) else ""
    full_at = float(item.get("full_at", 100))
    kind = kind_of(key, item.get("params") or {})
    base = {"code": item["code"], "group": item["group"], "name": item["name"], "max": float(item["max"]),
            "full_at": full_at, "source": item.get("source", ""), "formula": key,
            "lost_word": KIND_WORDS[kind], "lost_kind": kind}
    if isinstance(result, NoCase):
        return Score(**base, rate=None, numerator=None, denominator=None, score=None,
                     note=_join(item.get("note", ""), since, result.reason))
    assert isinstance(result, Measure)
    note = _join(item.get("note", ""), since, result.note)
    if result.text:  # tracking only, no points
        return Score(**base, rate=None, numerator=result.num, denominator=result.den, score=0.0, note=note,
                     text=result.text, lost=0)
    if result.den:
        rate = result.rate
        score = round(item["max"] * min(1.0, rate * 100 / full_at), 2)
        return Score(**base, rate=rate, numerator=result.num, denominator=result.den, score=score, note=note,
                     lost=result.lost)
    if key in FULL_WHEN_EMPTY:
        return Score(**base, rate=None, numerator=0, denominator=0, score=float(item["max"]), note=note, lost=0)
    if key in ZERO_WHEN_EMPTY:
        return Score(**base, rate=None, numerator=0, denominator=0, score=0.0, note=note, lost=0)
    return Score(**base, rate=None, numerator=0, denominator=0, score=None, note=_join(note, NOTHING_RECEIVED))


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def evaluate(start: dt.date, end: dt.date, scope: str | None = None) -> dict:
    table = load_table()
    ctx = Context(start, end, scope)
    scores = [_score(item, ctx) for item in table["indicators"]]
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
        **ctx.coverage.as_dict(),  # counted_from, counted_until, absent
        "groups": groups, "score": total, "measured_max": measured_max,
        "score_100": round(total * 100 / measured_max, 2) if measured_max else None,
        "not_measured": [s.code for s in scores if not s.measured],
        "ratings": ctx.ind["rated"],  # how many ratings 5.4 counts (what the public view asks: reporting.disclosure)
    }


def indicator(code: str) -> dict | None:
    """The table's row of one sub-indicator, or None."""
    return next((i for i in load_table()["indicators"] if i["code"] == code), None)


def losses(code: str, start: dt.date, end: dt.date, scope: str | None = None) -> Loss:
    """The dossiers, procedures or feedback items that lowered sub-indicator ``code`` in the period."""
    return score_and_losses(code, start, end, scope, scored=False)[1]


def score_and_losses(code: str, start: dt.date, end: dt.date, scope: str | None = None, *,
                     scored: bool = True) -> tuple[dict | None, Loss]:
    """One sub-indicator's score (as in ``evaluate``) and what lowered it."""
    item = indicator(code)
    if item is None:
        raise KeyError(code)
    ctx = Context(start, end, scope)
    score = _score(item, ctx).as_dict() if scored else None
    return score, _losses(item, ctx)


def _losses(item: dict, ctx: Context) -> Loss:
    if ctx.absent:  # nothing of a unit that did not exist then cost it points
        return Loss(LOSS_KINDS[item["formula"]])
    return LOSSES[item["formula"]](ctx, item.get("params") or {})


# ---- the API's and the workbook's list of dossiers that cost points (all dossier-kind sub-indicators) ----

LOSS_REASONS = {i["code"]: i["name"] for i in load_table()["indicators"]}


def costly_dossiers(start: dt.date, end: dt.date, scope: str | None = None, limit: int = LIMIT) -> dict[str, list]:
    """{sub-indicator code: [{"id", "code", "agency", "procedure", "reason", ...}]} of the dossiers that lowered
    each dossier-kind sub-indicator."""
    ctx = Context(start, end, scope)
    out = {}
    for item in load_table()["indicators"]:
        found = _losses(item, ctx)
        if found.kind == "dossiers":
            out[item["code"]] = found.rows[:limit]
    return out
