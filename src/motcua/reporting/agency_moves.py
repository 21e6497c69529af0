"""Figures of a dossier a reorganization moved, read back under the agency that had it (metrics.py, *Agency*).

How a move is counted is written once, with every other counter, in metrics.py: ``FactData.agency_moves`` and
``agency_at`` say which agency had a dossier at a moment, and its stock leaves the old agency and joins the new one
(``moved_out`` / ``moved_in``, ``moved_…_overdue``); a rating given after the dossier's unit closed counts for its
successor (``FactData.rated_for``). This module reads that back: the stocks of a period with the
moves (``open_stock``, ``overdue_stock`` over StatCounter sums), and which moved dossiers a drill-down lists under an
agency (``held_in``, over DossierFact).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from .consumer import fact_data
from .metrics import FactData, contributions, day_bounds

MOVES = ("moved_in", "moved_out", "moved_in_overdue", "moved_out_overdue")  # stocks only, not figures of their own
STOCKS = ("carried_over", "in_progress", "in_progress_overdue", "in_progress_on_time")


# ---- stocks from counter sums (``bucket["upto__received"]`` …: cumulative flows up to a day) ----

def open_stock(bucket: dict, prefix: str) -> int:
    """Received dossiers still open: a reorganization's move takes the stock along."""
    return (bucket[f"{prefix}__received"] + bucket[f"{prefix}__moved_in"] - bucket[f"{prefix}__finished"]
            - bucket[f"{prefix}__moved_out"])


def overdue_stock(bucket: dict, prefix: str) -> int:
    """Received dossiers still open past their deadline: one moved already overdue stays overdue where it goes."""
    return (bucket[f"{prefix}__overdue_start"] + bucket[f"{prefix}__moved_in_overdue"]
            - bucket[f"{prefix}__overdue_end"] - bucket[f"{prefix}__moved_out_overdue"])


# ---- the agency a figure counts under, on DossierFact (drill-down, lists of dossiers that cost points) ----

# Facts whose every figure counts under their agency_code: never moved, no rating counted for a successor.
UNMOVED = Q(agency_moves="", rated_for="")


def agency_filter(codes: list[str]) -> Q:
    """Facts that may count under ``codes``: theirs now, theirs before a move, or whose rating counts there
    (``held_by`` decides which of the moved ones do)."""
    q = Q(agency_code__in=codes) | Q(rated_for__in=codes)
    for code in codes:
        q |= Q(agency_moves__contains=f"{code}@")
    return q


def held_by(f: FactData, codes, metric: str, start: dt.date, end: dt.date) -> bool:
    """Whether dossier ``f`` counts in ``metric`` between start and end under one of ``codes``: a stock under
    the agency that had it at the end of its day, a flow under the agency that had it when it happened."""
    if not f.agency_moves and not f.rated_for:
        return f.agency_code in codes
    if metric in STOCKS:
        day = start - dt.timedelta(days=1) if metric == "carried_over" else end
        return f.agency_at(day_bounds(day, day)[1] - dt.timedelta(microseconds=1)) in codes
    return any(key[1] in codes and start <= key[0] <= end and values.get(metric)
               for key, values in contributions(f).items())


def held_in(qs, codes: list[str], metric: str, start: dt.date, end: dt.date) -> list[int]:
    """Ids of the facts of ``qs`` that a reorganization moved (or whose rating counts for a successor) and that count
    in ``metric`` under ``codes``."""
    rows = qs.exclude(UNMOVED).filter(agency_filter(codes))
    return [row.pk for row in rows if held_by(fact_data(row), codes, metric, start, end)]
