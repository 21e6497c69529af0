"""A provincial monitor asks for the Decision 766 index of a commune a merger created: for a period that ended
before it existed it shows «không có dữ liệu» on every point (not the province's commune-level procedures, not
full points for feedback it could not have received), and for a period it came into being in, only the days from
its creation count. The old communes' index for those periods does not change."""

import datetime as dt

import pytest

from motcua.reporting import decision766
from motcua.reporting.consumer import consume
from motcua.units.reorganization import apply
from tests.factories import procedure_with_steps, sign_in
from tests.units import reorganization_world as world

pytestmark = pytest.mark.django_db
Q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))


def _points(result: dict) -> dict[str, dict]:
    return {i["code"]: i for g in result["groups"] for i in g["indicators"]}


def _merged(w):
    """Apply the plan merging the two communes (in force today) through the real services."""
    plan = world.approved(w)
    apply(plan, w.admin)
    consume()
    plan.refresh_from_db()
    return plan


def _commune_wide_procedure(**kwargs):
    """A commune-level procedure of the province's catalog that names no agency: every commune committee receives it."""
    return procedure_with_steps(name="Xác nhận tình trạng hôn nhân", **kwargs)


def test_a_merged_communes_index_before_it_existed_shows_no_data(client):
    w = world.build()
    _commune_wide_procedure()
    consume()
    old_before = decision766.evaluate(*Q1, w.agency_a.code)
    assert _points(old_before)["3.1"]["denominator"] == 3  # its two procedures and the commune-wide one
    plan = _merged(w)
    new = plan.new_agency.code
    assert plan.new_unit.valid_from == dt.date.today() > Q1[1]

    result = decision766.evaluate(*Q1, new)
    points = _points(result)
    assert {code: p["status"] for code, p in points.items()} == {code: "no_data" for code in points}
    assert all(p["display"] == decision766.NO_DATA and p["score"] is None for p in points.values())
    assert "Chưa thành lập" in points["1.3"]["note"] and dt.date.today().strftime("%d/%m/%Y") in points["3.1"]["note"]
    assert result["score"] == 0 and result["measured_max"] == 0 and result["score_100"] is None
    assert sorted(result["not_measured"]) == sorted(points)
    assert not any(decision766.costly_dossiers(*Q1, new).values())
    assert decision766.losses("3.1", *Q1, new).rows == []

    # what the monitor sees on the page and in the API
    sign_in(client, w.admin)
    page = client.get(f"/thong-ke/chi-so-766/?don-vi={new}&ky=2026-Q1")
    assert page.status_code == 200
    assert page.content.decode().count(decision766.NO_DATA) >= len(points)
    api = client.get("/api/v1/reporting/index766", {"period": "2026-Q1", "scope": new}).json()
    assert {i["status"] for g in api["groups"] for i in g["indicators"]} == {"no_data"}

    # the old commune's index for the quarter is what it was before the merger
    assert decision766.evaluate(*Q1, w.agency_a.code) == old_before


def test_a_period_the_merged_commune_came_into_being_in_counts_from_its_creation(client):
    w = world.build()
    # announced in February, before the new commune existed: not one of its announcements (1.1, 1.2)
    _commune_wide_procedure(announced_on=dt.date(2026, 2, 10), legal_effective_on=dt.date(2026, 3, 1))
    consume()
    today = dt.date.today()
    plan = _merged(w)
    new = plan.new_agency.code

    result = decision766.evaluate(Q1[0], today, new)
    points = _points(result)
    assert points["1.1"]["status"] == points["1.2"]["status"] == "no_data"
    assert points["3.1"]["status"] == "ok"  # it exists at the end of the period: its procedures are measured
    assert result["counted_from"] == today.isoformat()
    assert all(today.strftime("%d/%m/%Y") in p["note"] for p in points.values())
    sign_in(client, w.admin)
    page = client.get(f"/thong-ke/chi-so-766/?don-vi={new}&tu=01/01/2026&den={today:%d/%m/%Y}")
    assert page.status_code == 200
    assert f"thành lập từ ngày {today:%d/%m/%Y}: số liệu chỉ tính từ ngày này." in page.content.decode()
    # the old commune existed all along: its February announcement still counts, from the period's first day
    old = decision766.evaluate(Q1[0], today, w.agency_a.code)
    assert old["counted_from"] is None and _points(old)["1.1"]["denominator"] == 1
