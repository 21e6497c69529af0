"""A provincial monitor asks for the Decision 766 index of a commune a merger closed: for a period that starts after
its closure it shows «không có dữ liệu» on every point (not the province's commune-level procedures, not full
points for feedback it could no longer receive), with nothing listed as costing points; for a period it was closed
in, only its days up to the closure count. Its index for a period before the closure does not change, and the
successor's counts from its creation (tests/reporting/test_decision766_successor.py)."""

import datetime as dt

import pytest

from motcua.reporting import decision766
from motcua.reporting.consumer import consume
from motcua.units.reorganization import apply, approve
from tests.factories import procedure_with_steps, sign_in
from tests.units import reorganization_world as world

pytestmark = pytest.mark.django_db
Q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
Q2 = (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
EFFECTIVE = dt.date(2026, 4, 1)  # the merger takes effect on the first day of Q2: the old communes end on 31/03


def _points(result: dict) -> dict[str, dict]:
    return {i["code"]: i for g in result["groups"] for i in g["indicators"]}


def _merged_from_q2(w):
    """The plan merging the two communes, in force from 01/04/2026, applied through the real services."""
    plan = approve(world.draft(w, effective=EFFECTIVE), w.admin)
    apply(plan, w.admin)
    consume()
    plan.refresh_from_db()
    return plan


def _world_with_a_may_announcement():
    """The two communes, and a commune-level procedure of the province's catalog that names no agency (every
    commune committee receives it), announced in May: after the old communes' closure."""
    w = world.build()
    procedure_with_steps(name="Xác nhận tình trạng hôn nhân", announced_on=dt.date(2026, 5, 10),
                         legal_effective_on=dt.date(2026, 6, 1))
    consume()
    return w


def test_a_closed_communes_index_after_its_closure_shows_no_data(client):
    w = _world_with_a_may_announcement()
    old = w.agency_a.code
    q1_before = decision766.evaluate(*Q1, old)
    plan = _merged_from_q2(w)
    w.a.refresh_from_db()
    assert w.a.valid_to == dt.date(2026, 3, 31) and w.a.replaced_by == plan.new_unit

    result = decision766.evaluate(*Q2, old)
    points = _points(result)
    assert {code: p["status"] for code, p in points.items()} == {code: "no_data" for code in points}
    assert all(p["display"] == decision766.NO_DATA and p["score"] is None for p in points.values())
    closed = "Đã sáp nhập vào Phường Hợp Nhất từ ngày 01/04/2026"
    assert all(closed in p["note"] for p in points.values())  # 1.1, 3.1, 4.5a, 5.1 … among them
    assert result["score"] == 0 and result["measured_max"] == 0 and result["score_100"] is None
    assert sorted(result["not_measured"]) == sorted(points)
    assert not any(decision766.costly_dossiers(*Q2, old).values())
    assert decision766.losses("1.1", *Q2, old).rows == decision766.losses("3.1", *Q2, old).rows == []

    # what the monitor sees on the page and in the API
    sign_in(client, w.admin)
    page = client.get(f"/thong-ke/chi-so-766/?don-vi={old}&ky=2026-Q2")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count(decision766.NO_DATA) >= len(points) and closed in html
    api = client.get("/api/v1/reporting/index766", {"period": "2026-Q2", "scope": old}).json()
    assert {i["status"] for g in api["groups"] for i in g["indicators"]} == {"no_data"}
    assert api["score"] == 0 and api["measured_max"] == 0
    loss_page = client.get(f"/thong-ke/chi-so-766/1.1/?don-vi={old}&ky=2026-Q2")
    assert loss_page.status_code == 200 and "Xác nhận tình trạng hôn nhân" not in loss_page.content.decode()

    # its first quarter is what it was before the merger; the new commune is measured in the second
    assert decision766.evaluate(*Q1, old) == q1_before
    assert _points(decision766.evaluate(*Q2, plan.new_agency.code))["1.1"]["denominator"] == 1


def test_a_period_the_commune_was_closed_in_counts_only_up_to_its_closure(client):
    w = _world_with_a_may_announcement()
    old = w.agency_a.code
    plan = _merged_from_q2(w)

    year = decision766.evaluate(*YEAR, old)
    q1 = decision766.evaluate(*Q1, old)
    assert year["counted_until"] == "2026-03-31" and year["counted_from"] is None and q1["counted_until"] is None
    figures = ("status", "numerator", "denominator", "score")
    # the year of a commune closed on 31/03 is its first quarter: not the May announcement (1.1)
    assert {c: [p[f] for f in figures] for c, p in _points(year).items()} == \
        {c: [p[f] for f in figures] for c, p in _points(q1).items()}
    assert _points(year)["1.1"]["status"] == "no_data"
    assert year["score"] == q1["score"] > 0
    assert all("chỉ tính đến hết ngày 31/03/2026" in p["note"] for p in _points(year).values())

    sign_in(client, w.admin)
    page = client.get(f"/thong-ke/chi-so-766/?don-vi={old}&ky=2026")
    assert page.status_code == 200
    assert "Đơn vị hoạt động đến hết ngày 31/03/2026: số liệu chỉ tính đến ngày này." in page.content.decode()
    api = client.get("/api/v1/reporting/index766", {"period": "2026", "scope": old}).json()
    assert api["counted_until"] == "2026-03-31" and api["score"] == q1["score"]

    # the new commune's year counts from its creation; with its predecessors, the whole year
    new = decision766.evaluate(*YEAR, plan.new_agency.code)
    assert new["counted_from"] == "2026-04-01" and new["counted_until"] is None
    lineage = decision766.evaluate(*YEAR, f"lineage:{plan.new_agency.code}")
    assert lineage["counted_from"] is None and lineage["counted_until"] is None
