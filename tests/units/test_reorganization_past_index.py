"""A merged commune's own Decision 766 index and statistics for a period before the merger stay what they were:
a provincial monitor who reported the closed commune's first quarter reproduces the same figures afterwards
(page, API, drill-down), and the successor's own figures for that quarter do not take in its predecessors'
dossiers unless asked «gồm đơn vị tiền thân»."""

import datetime as dt

import pytest

from motcua.reporting import decision766, indicators
from motcua.reporting.consumer import consume, recompute_from_dossiers, stored_counters
from motcua.units.reorganization import apply
from tests.factories import sign_in
from tests.units import reorganization_world as world

pytestmark = pytest.mark.django_db
Q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
LIST_METRICS = ("received", "resolved", "received_online", "in_progress", "in_progress_overdue", "carried_over")


def _snapshot(client, code: str) -> dict:
    """Everything the statistics page, the 766 page and the API show for one unit and the first quarter."""
    page = client.get(f"/thong-ke/chi-so-766/?don-vi={code}&ky=2026-Q1")
    assert page.status_code == 200
    api = client.get("/api/v1/reporting/index766", {"period": "2026-Q1", "scope": code}).json()
    figures = client.get("/api/v1/reporting/indicators", {"period": "2026-Q1", "scope": code}).json()["rows"]
    today = dt.date.today()
    months = client.get(f"/thong-ke/don-vi/{code}/?nam=2026").context["rows"]  # the months before the merger's
    return {"index": decision766.evaluate(*Q1, code), "page": page.context["result"], "api": api,
            "unit_page": months[:today.month - 1] if today.year == 2026 else months,
            "indicators": figures, "totals": indicators.totals(*Q1, code).as_dict(),
            "lists": {m: indicators.drill_down(m, *Q1, code) for m in LIST_METRICS},
            "costly": decision766.costly_dossiers(*Q1, code)}


def test_a_closed_communes_past_index_is_the_same_after_the_merger(client):
    w = world.build()
    consume()
    sign_in(client, w.admin)
    before = _snapshot(client, w.agency_a.code)
    assert before["totals"]["values"]["received"] > 0 and before["index"]["score"] > 0
    assert before["lists"]["in_progress"]  # dossiers open at the end of the quarter, moved by the plan
    assert _row(before["index"], "3.1")["denominator"] == 2  # its two procedures
    plan = world.approved(w)
    apply(plan, w.admin)
    consume()
    plan.refresh_from_db()
    after = _snapshot(client, w.agency_a.code)
    for what in before:
        if what == "index":
            for g_before, g_after in zip(before[what]["groups"], after[what]["groups"], strict=True):
                for i_before, i_after in zip(g_before["indicators"], g_after["indicators"], strict=True):
                    assert i_after == i_before
        assert after[what] == before[what], what
    assert after["page"]["score"] == after["api"]["score"] == before["index"]["score"]

    # The successor did not exist in the quarter: its own figures are empty, with its predecessors they are theirs.
    new = plan.new_agency.code
    assert indicators.totals(*Q1, new)["received"] == 0
    assert indicators.drill_down("received", *Q1, new) == []
    lineage = indicators.totals(*Q1, f"lineage:{new}")
    assert lineage["received"] == sum(indicators.totals(*Q1, a.code)["received"] for a in (w.agency_a, w.agency_b))
    assert stored_counters() == recompute_from_dossiers()


def test_moved_dossiers_are_the_successors_from_the_move_on(client):
    w = world.build()
    consume()
    today = dt.date.today()
    open_a = indicators.totals(dt.date(2026, 4, 1), today, w.agency_a.code)["in_progress"]
    assert open_a > 0
    plan = world.approved(w)
    apply(plan, w.admin)
    consume()
    plan.refresh_from_db()
    new = plan.new_agency.code
    since = (today, today)
    # the old commune holds nothing any more; the new one holds what moved, without having received it today
    assert indicators.totals(*since, w.agency_a.code)["in_progress"] == 0
    moved = indicators.totals(*since, new)
    assert moved["received"] == 0 and moved["in_progress"] >= open_a
    assert indicators.totals(*Q1, new)["in_progress"] == 0  # it held none of them before the merger
    assert sorted(indicators.drill_down("in_progress", *since, new)) == sorted(
        indicators.drill_down("in_progress", *since, f"lineage:{new}"))
    assert indicators.totals(*since)["in_progress"] == indicators.totals(*since, f"lineage:{new}")["in_progress"] + \
        indicators.totals(*since, w.province_agency.code)["in_progress"]


def _row(result: dict, code: str) -> dict:
    return next(i for g in result["groups"] for i in g["indicators"] if i["code"] == code)
