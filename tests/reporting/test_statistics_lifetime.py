"""A provincial monitor reads the ordinary statistics (the unit's page month by month, the indicators API) of a
commune a merger closed, and of the one it created: for a period the unit did not exist in, or existed in for only
part of, the page and the API say so as the Decision 766 index does («Đã sáp nhập vào … từ ngày …», «Chưa thành
lập …»; counted_from / counted_until / absent), instead of plain zeros a reader takes for a commune that did
nothing. The figures themselves are the counters' as before."""

import datetime as dt
import re

import pytest

from motcua.reporting import indicators
from motcua.reporting.consumer import consume
from motcua.units.reorganization import apply, approve
from tests.units import reorganization_world as world

pytestmark = pytest.mark.django_db
CLOSED = "Đã sáp nhập vào Phường Hợp Nhất từ ngày 01/04/2026 (hoạt động đến hết ngày 31/03/2026)"


@pytest.fixture
def merged():
    """The two communes merged into Phường Hợp Nhất from 01/04/2026 (the old ones' last day 31/03/2026)."""
    w = world.build()
    consume()
    w.q1_before = indicators.totals(dt.date(2026, 1, 1), dt.date(2026, 3, 31), w.agency_a.code)
    plan = approve(world.draft(w, effective=dt.date(2026, 4, 1)), w.admin)
    apply(plan, w.admin)
    consume()
    plan.refresh_from_db()
    w.new = plan.new_agency
    return w


def _month_cells(html: str) -> dict[str, str]:
    """{'T1': the month's header cell text …} of the page's month table."""
    return {m.group(1): m.group(0) for m in re.finditer(r'<th scope="row">(T\d+)[^<]*(?:<span[^>]*>[^<]*</span>)?',
                                                         html)}


def _api(client, **params) -> dict:
    resp = client.get("/api/v1/reporting/indicators", params)
    assert resp.status_code == 200, resp.content
    return resp.json()


def test_the_closed_communes_page_and_api_say_it_was_merged(client, merged):
    w = merged
    old = w.agency_a.code
    page = client.get(f"/thong-ke/don-vi/{old}/?nam=2026")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<p class="nd" id="thoi-gian-hoat-dong">{CLOSED}.</p>' in html
    cells = _month_cells(html)
    assert all("(đã sáp nhập)" in cells[f"T{m}"] for m in range(4, 13))
    assert not any("(" in cells[f"T{m}"] for m in range(1, 4))  # it existed in its first quarter
    later = client.get(f"/thong-ke/don-vi/{old}/?nam=2027").content.decode()
    assert f"{CLOSED}: đơn vị không còn hoạt động trong kỳ." in later
    assert _month_cells(later)["T1"].endswith("(đã sáp nhập)</span>")

    after = _api(client, period="2026-Q2", scope=old)
    assert (after["absent"], after["counted_from"], after["counted_until"]) == (True, None, None)
    assert after["note"] == f"{CLOSED}: đơn vị không còn hoạt động trong kỳ."
    year = _api(client, period="2026", scope=old)
    assert (year["absent"], year["counted_from"], year["counted_until"]) == (False, None, "2026-03-31")
    assert year["note"] == f"{CLOSED}."
    q1 = _api(client, period="2026-Q1", scope=old)
    assert (q1["absent"], q1["counted_from"], q1["counted_until"], q1["note"]) == (False, None, None, "")
    # the figures are the counters' as before: its first quarter has not changed
    assert q1["rows"][0]["values"]["received"] == w.q1_before["received"] > 0

    rows = {r["group"]: r for r in _api(client, period="2026", group_by="agency")["rows"]}
    assert rows[old]["counted_until"] == "2026-03-31" and rows[old]["note"] == f"{CLOSED}."
    assert rows[w.new.code]["counted_from"] == "2026-04-01" and rows[w.new.code]["counted_until"] is None
    assert rows["H51.03"]["absent"] is False and rows["H51.03"]["note"] == ""  # a provincial department


def test_the_new_communes_page_and_api_say_when_it_was_created(client, merged):
    w = merged
    page = client.get(f"/thong-ke/don-vi/{w.new.code}/?nam=2026").content.decode()
    assert '<p class="nd" id="thoi-gian-hoat-dong">Đơn vị được thành lập từ ngày 01/04/2026.</p>' in page
    cells = _month_cells(page)
    assert all("(chưa thành lập)" in cells[f"T{m}"] for m in range(1, 4))
    assert not any("(" in cells[f"T{m}"] for m in range(4, 13))

    before = _api(client, period="2026-Q1", scope=w.new.code)
    assert (before["absent"], before["counted_from"], before["counted_until"]) == (True, None, None)
    assert before["note"] == "Chưa thành lập trong kỳ: đơn vị được thành lập từ ngày 01/04/2026."
    year = _api(client, period="2026", scope=w.new.code)
    assert (year["absent"], year["counted_from"], year["counted_until"]) == (False, "2026-04-01", None)
    # with its predecessors, the lineage existed the whole year: nothing to say
    lineage = _api(client, period="2026", scope=f"lineage:{w.new.code}")
    assert (lineage["absent"], lineage["counted_from"], lineage["counted_until"], lineage["note"]) == \
        (False, None, None, "")
    both = client.get(f"/thong-ke/don-vi/{w.new.code}/?nam=2026&ke-thua=1").content.decode()
    assert 'id="thoi-gian-hoat-dong"' not in both and "(chưa thành lập)" not in both
    province = _api(client, period="2026")
    assert (province["absent"], province["counted_from"], province["counted_until"]) == (False, None, None)
