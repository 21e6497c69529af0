"""The public statistics do not tell one citizen's satisfaction (Decree 13/2023/ND-CP): a commune with one rating in
a month showed «Hài lòng 0 %» to anyone; under reporting.disclosure.MIN_PUBLIC_RATINGS ratings a visitor reads «Chưa
đủ số lượng để công bố», an officer still reads the figure."""

import html

import pytest

from motcua.engagement.ratings import submit_rating
from motcua.reporting import consumer
from motcua.reporting.disclosure import MIN_PUBLIC_RATINGS
from tests.dossiers.factories import at, make_world
from tests.factories import sign_in

from .test_consumer import _journey

pytestmark = pytest.mark.django_db
WITHHELD = "Chưa đủ số lượng để công bố"


def _rated(w, answers):
    for day, satisfied in enumerate(answers, start=2):
        submit_rating(w.citizen, _journey(w, at(2026, 3, day, 8)), satisfied=satisfied, at=at(2026, 3, day, 16))
    consumer.consume()


def _unit_page(client, w) -> str:
    return html.unescape(client.get(f"/thong-ke/don-vi/{w.agency.code}/", {"nam": "2026"}).content.decode())


def _march_row(page: str) -> str:
    return page.split("<th scope=\"row\">T3")[1].split("</tr>")[0]


def _indicators(client, w) -> dict:
    r = client.get("/api/v1/reporting/indicators", {"period": "2026-03", "scope": w.agency.code})
    assert r.status_code == 200
    [row] = r.json()["rows"]
    return row


def test_one_rating_in_a_commune_in_a_month_is_not_shown_to_visitors(client):
    w = make_world()
    _rated(w, [False])
    page = _unit_page(client, w)
    assert _march_row(page).endswith(f"{WITHHELD}</td>"), "the month's satisfaction"
    assert f"<td>Hài lòng</td><td colspan=\"2\" class=\"muted\">{WITHHELD}</td></tr>" in page, "the year, said once"
    assert "Nghị định 13/2023/NĐ-CP" in page and f"dưới {MIN_PUBLIC_RATINGS} lượt đánh giá" in page
    row = _indicators(client, w)
    assert row["values"]["rated"] == 1, "how many rated is no one's answer"
    assert row["values"]["rated_satisfied"] is None and row["values"]["rated_dissatisfied"] is None
    assert row["rates"]["satisfaction_rate"] is None
    assert row["formatted"]["rated_satisfied"] == {"label": "Hài lòng", "value": WITHHELD, "rate": WITHHELD}
    assert "rated_satisfied" in row["withheld"]["fields"] and WITHHELD in row["withheld"]["note"]
    province = client.get("/thong-ke/", {"ky": "2026-03"}).content.decode()
    assert WITHHELD in html.unescape(province), "the province's total of one rating as well"

    sign_in(client, w.leader)  # the officers' statistics are unchanged
    page = _unit_page(client, w)
    assert WITHHELD not in page and _march_row(page).endswith("0,0 %</td>")
    row = _indicators(client, w)
    assert row["values"]["rated_dissatisfied"] == 1 and row["rates"]["satisfaction_rate"] == 0
    assert "withheld" not in row


def test_enough_ratings_are_shown_to_visitors():
    from django.test import Client

    w = make_world()
    _rated(w, [True] * (MIN_PUBLIC_RATINGS - 1) + [False])
    client = Client()
    page = _unit_page(client, w)
    assert WITHHELD not in page and _march_row(page).endswith("80,0 %</td>")
    row = _indicators(client, w)
    assert row["values"]["rated_satisfied"] == MIN_PUBLIC_RATINGS - 1 and "withheld" not in row


def test_the_openapi_document_says_the_indicators_are_read_with_or_without_signing_in(client):
    """GET /reporting/indicators answers anyone (officers read more): its OpenAPI operation lists no credentials among
    its alternatives («{}»), as before it took an optional sign-in, so a client generated from the document does not
    demand a token. The operations that need one still say so."""
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    security = paths["/api/v1/reporting/indicators"]["get"]["security"]
    assert {} in security and {"TokenAuth": []} in security and {"SessionAuth": []} in security
    assert {} not in paths["/api/v1/reporting/drilldown"]["get"]["security"]
    assert client.get("/api/v1/reporting/indicators", {"period": "2026-03"}).status_code == 200


def _index(client, w) -> dict:
    r = client.get("/api/v1/reporting/index766", {"period": "2026-03", "scope": w.agency.code})
    assert r.status_code == 200
    return r.json()


def _item(index: dict, code: str) -> dict:
    return next(i for g in index["groups"] for i in g["indicators"] if i["code"] == code)


def test_the_public_766_index_does_not_tell_a_withheld_rating_by_its_satisfaction_indicator(client):
    """5.4 is (resolved − late − dissatisfied) ÷ resolved: with resolved and late published, its numerator — or its
    points, recovered from the total minus the other published points — told the one dissatisfied rating the
    statistics withhold."""
    w = make_world()
    _rated(w, [False])
    index = _index(client, w)
    item = _item(index, "5.4")
    assert item["status"] == "withheld" and item["numerator"] is None and item["score"] is None
    assert item["rate"] is None and item["lost"] is None and item["display"] == WITHHELD
    assert index["score"] is None and index["score_100"] is None  # the sums it enters
    assert next(g for g in index["groups"] if g["code"] == "5")["score"] is None
    assert index["withheld"]["indicators"] == ["5.4"] and "Nghị định 13/2023/NĐ-CP" in index["withheld"]["note"]
    assert _item(index, "5.3")["status"] != "withheld"  # feedback, not ratings: still published
    page = html.unescape(client.get("/thong-ke/chi-so-766/", {"don-vi": w.agency.code, "ky": "2026-03"})
                         .content.decode())
    row = page.split('id="chi-so-5.4"')[1].split("</tr>")[0]
    assert WITHHELD in row and "điểm (" not in row
    assert f"Điểm: <strong>{WITHHELD}</strong>" in page and "quy đổi thang 100" not in page

    sign_in(client, w.leader)  # the unit's officers read the index in full
    index = _index(client, w)
    assert _item(index, "5.4")["numerator"] == 0 and index["score"] is not None and "withheld" not in index
    page = html.unescape(client.get("/thong-ke/chi-so-766/", {"don-vi": w.agency.code, "ky": "2026-03"})
                         .content.decode())
    assert WITHHELD not in page and "quy đổi thang 100" in page


def test_the_public_766_index_is_whole_with_enough_ratings():
    from django.test import Client

    w = make_world()
    _rated(w, [True] * (MIN_PUBLIC_RATINGS - 1) + [False])
    index = _index(Client(), w)
    assert _item(index, "5.4")["numerator"] == MIN_PUBLIC_RATINGS - 1 and index["score"] is not None
    assert "withheld" not in index


def test_a_period_chosen_by_the_day_publishes_no_satisfaction_figure_to_visitors(client):
    """Two periods a day apart, each with plenty of ratings, differ by that day's ratings: 02–07/03 minus 02–06/03
    told the one rating given on 07/03. A visitor reads satisfaction of calendar months, quarters and years only."""
    w = make_world()
    _rated(w, [True] * MIN_PUBLIC_RATINGS + [False])  # ratings on 02/03 … 07/03, the last one unhappy
    api = "/api/v1/reporting/indicators"
    for start, end in (("2026-03-02", "2026-03-07"), ("2026-03-02", "2026-03-06")):
        [row] = client.get(api, {"start": start, "end": end, "scope": w.agency.code}).json()["rows"]
        assert row["values"]["rated_dissatisfied"] is None and row["rates"]["satisfaction_rate"] is None
        assert "tháng, quý hoặc năm" in row["withheld"]["note"]
    for period in ("2026-03", "2026-Q1", "2026"):  # a calendar period with enough ratings: published
        [row] = client.get(api, {"period": period, "scope": w.agency.code}).json()["rows"]
        assert row["values"]["rated_dissatisfied"] == 1 and "withheld" not in row
    page = html.unescape(client.get(f"/thong-ke/don-vi/{w.agency.code}/", {"nam": "2026"}).content.decode())
    assert WITHHELD not in page  # the unit's months and year
    page = html.unescape(client.get("/thong-ke/", {"tu": "02/03/2026", "den": "07/03/2026"}).content.decode())
    assert WITHHELD in page and "tháng, quý hoặc năm" in page
    index = client.get("/api/v1/reporting/index766", {"start": "2026-03-02", "end": "2026-03-07",
                                                       "scope": w.agency.code}).json()
    assert index["score"] is None and _item(index, "5.4")["numerator"] is None
    sign_in(client, w.leader)  # officers choose any period
    [row] = client.get(api, {"start": "2026-03-02", "end": "2026-03-07", "scope": w.agency.code}).json()["rows"]
    assert row["values"]["rated_dissatisfied"] == 1


@pytest.mark.parametrize(("start", "end", "calendar"), [
    ("2026-03-01", "2026-03-31", True), ("2026-02-01", "2026-02-28", True), ("2026-04-01", "2026-06-30", True),
    ("2026-01-01", "2026-12-31", True), ("2026-02-01", "2026-04-30", False), ("2026-03-02", "2026-03-31", False),
    ("2026-03-01", "2026-03-30", False), ("2026-01-01", "2026-02-28", False), ("2026-03-05", "2026-03-05", False),
])
def test_calendar_periods(start, end, calendar):
    import datetime as dt

    from motcua.reporting.disclosure import calendar_period

    assert calendar_period(dt.date.fromisoformat(start), dt.date.fromisoformat(end)) is calendar
