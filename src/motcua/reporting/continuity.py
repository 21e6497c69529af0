"""Statistics across reorganizations of administrative units (motcua.units.reorganization).

Each figure of a dossier counts under one agency (the one that had it when it happened: a dossier moved by a plan
is the old committee's before the move and its new agency's after, metrics.py), so summing agencies never counts
a dossier twice. A successor's figures "with its predecessors" add the agencies it succeeded (scope
``lineage:<code>``, motcua.reporting.indicators.agency_codes_for); a list per agency can fold every closed
agency into the agency that finally succeeded it.
"""

from __future__ import annotations

from motcua.units.models import Agency

from .indicators import Indicators

LINEAGE = "lineage:"  # scope prefix: an agency with its predecessors (resolved by indicators.agency_codes_for)


def final_successors() -> dict[str, str]:
    """Code of every agency that has a successor → code of its last successor (chains followed)."""
    direct = dict(Agency.objects.filter(successor__isnull=False).values_list("code", "successor__code"))
    out = {}
    for code in direct:
        seen, cur = {code}, direct[code]
        while cur in direct and direct[cur] not in seen:
            seen.add(cur)
            cur = direct[cur]
        out[code] = cur
    return out


def fold_into_successors(grouped: dict[tuple, Indicators]) -> dict[tuple, Indicators]:
    """Per-agency indicators ({(code,): Indicators}) with each closed agency added to its last successor."""
    final = final_successors()
    out: dict[tuple, dict[str, int]] = {}
    for (code,), ind in grouped.items():
        bucket = out.setdefault((final.get(code, code),), {})
        for key, value in ind.values.items():
            bucket[key] = bucket.get(key, 0) + value
    return {key: Indicators(values) for key, values in out.items()}
