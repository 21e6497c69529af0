"""A merger's move at the moment it took effect (metrics.py, *Agency*): whenever a dossier was received or finished
around that moment — before, exactly at it, after — it counts once, and the stock it leaves is where it is."""

import datetime as dt

import pytest

from motcua.reporting.metrics import FactData, add_move, contributions, parse_moves
from tests.dossiers.factories import at

MOVE = at(2026, 4, 1, 0)  # 00:00 of the effective date
BEFORE, AFTER = at(2026, 3, 20, 8), at(2026, 5, 12, 8)


def _sums(f: FactData) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for (_day, agency, *_dims), values in contributions(f).items():
        bucket = out.setdefault(agency, {})
        for metric, value in values.items():
            bucket[metric] = bucket.get(metric, 0) + value
    return out


def _stock(sums: dict, agency: str) -> int:
    s = sums.get(agency, {})
    return s.get("received", 0) + s.get("moved_in", 0) - s.get("finished", 0) - s.get("moved_out", 0)


CASES = [(received, decided) for received in (BEFORE, MOVE, AFTER)
         for decided in (None, BEFORE + dt.timedelta(days=2), MOVE, AFTER + dt.timedelta(days=3))
         if decided is None or decided >= received]


@pytest.mark.parametrize(("received", "decided"), CASES)
def test_a_dossier_counts_once_and_its_stock_ends_where_it_is(received, decided):
    f = FactData(agency_code="NEW", procedure_code="P", status="approved" if decided else "processing",
                 received_at=received, decided_at=decided, due_at=received + dt.timedelta(days=5),
                 agency_moves=add_move("", "OLD", MOVE))
    sums = _sums(f)
    assert sum(s.get("received", 0) for s in sums.values()) == 1
    assert sum(s.get("finished", 0) for s in sums.values()) == (1 if decided else 0)
    assert {a: _stock(sums, a) for a in ("OLD", "NEW")} == {"OLD": 0, "NEW": 0 if decided else 1}
    # from the move's moment on, a receipt or a decision is the new agency's
    assert sums.get("OLD", {}).get("received", 0) == (1 if received < MOVE else 0)
    if decided is not None:
        assert sums.get("NEW", {}).get("resolved", 0) == (1 if decided >= MOVE else 0)
    # the overdue stock follows the same way
    overdue = {a: sums.get(a, {}).get("overdue_start", 0) + sums.get(a, {}).get("moved_in_overdue", 0)
               - sums.get(a, {}).get("overdue_end", 0) - sums.get(a, {}).get("moved_out_overdue", 0)
               for a in ("OLD", "NEW")}
    assert overdue == ({"OLD": 0, "NEW": 1} if decided is None else {"OLD": 0, "NEW": 0})


def test_moves_stay_in_order():
    """A later merger that took effect before an earlier move's moment does not move the dossier back in time."""
    text = add_move(add_move("", "A", MOVE), "B", MOVE - dt.timedelta(days=10))
    assert parse_moves(text) == [("A", MOVE), ("B", MOVE)]
