"""Continuity of statistics: after a merger the new unit's pages and reports can include its predecessors'
history, the old units' pages say where they went, and the province's totals never count a dossier twice."""

import datetime as dt
import io

import pytest
from docx import Document

from motcua.papers import statistics
from motcua.reporting import continuity, decision766, indicators
from motcua.reporting.consumer import consume
from motcua.reporting.models import ReportJob
from motcua.units.reorganization import apply
from tests.factories import sign_in
from tests.units import reorganization_world as world

pytestmark = pytest.mark.django_db
YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


@pytest.fixture
def merged():
    w = world.build()
    consume()
    w.before = {a.code: indicators.totals(*YEAR, a.code) for a in (w.agency_a, w.agency_b)}
    w.province = indicators.totals(*YEAR)
    plan = world.approved(w)
    apply(plan, w.admin)
    consume()
    plan.refresh_from_db()
    w.new = plan.new_agency
    return w


def test_unit_page_toggles_predecessors_and_old_pages_point_to_the_successor(client, merged):
    w = merged
    received_before = sum(ind["received"] for ind in w.before.values())
    alone = client.get(f"/thong-ke/don-vi/{w.new.code}/?nam=2026")
    assert alone.status_code == 200
    own = alone.context["total"]
    # Its own figures: nothing it received (the old communes received what moved), the open dossiers it now holds.
    assert own["received"] == 0 and own["in_progress"] > 0
    assert "Gồm số liệu của các đơn vị tiền thân: Ủy ban nhân dân phường Cẩm Thành" in alone.content.decode()
    both = client.get(f"/thong-ke/don-vi/{w.new.code}/?nam=2026&ke-thua=1")
    assert both.context["total"]["received"] == received_before
    assert "(gồm các đơn vị tiền thân)" in both.content.decode()
    old = client.get(f"/thong-ke/don-vi/{w.agency_a.code}/?nam=2026").content.decode()
    assert "Đơn vị đã ngừng hoạt động do sắp xếp đơn vị hành chính" in old
    assert f"/thong-ke/don-vi/{w.new.code}/?nam=2026&amp;ke-thua=1" in old


def test_index_folds_merged_units_and_the_province_total_is_unchanged(client, merged):
    w = merged
    listed = client.get("/thong-ke/?ky=2026")
    names = [r["agency"].code for r in listed.context["rows"]]
    assert {w.agency_a.code, w.agency_b.code, w.new.code} <= set(names)
    assert "(đã sáp nhập vào Ủy ban nhân dân phường Hợp Nhất)" in listed.content.decode()
    folded = client.get("/thong-ke/?ky=2026&gop=1")
    codes = [r["agency"].code for r in folded.context["rows"]]
    assert w.agency_a.code not in codes and w.new.code in codes
    assert listed.context["total"].values == folded.context["total"].values == w.province.values
    per_agency = continuity.fold_into_successors(indicators.compute(*YEAR, group_by="agency"))
    assert sum(i["received"] for i in per_agency.values()) == w.province["received"]


def test_reports_include_predecessors_on_request(client, merged):
    w = merged
    sign_in(client, w.officers[("a", "leader")])  # an officer of the old commune, now of the new one
    resp = client.post("/thong-ke/bao-cao/", {"don-vi": w.new.code, "ke-thua": "1", "ky": "2026", "loai": "docx"})
    assert resp.status_code == 302
    assert ReportJob.objects.get().scope == f"lineage:{w.new.code}"
    data = statistics.build_docx(f"lineage:{w.new.code}", *YEAR)
    doc = Document(io.BytesIO(data))
    text = "\n".join([p.text for p in doc.paragraphs]
                     + [c.text for t in doc.tables for row in t.rows for c in row.cells])
    assert "ỦY BAN NHÂN DÂN PHƯỜNG HỢP NHẤT" in text.upper()
    assert "gồm cả các đơn vị tiền thân đã sắp xếp, sáp nhập: Ủy ban nhân dân phường Cẩm Thành" in text
    received = sum(ind["received"] for ind in w.before.values())
    assert f"Tiếp nhận {received} hồ sơ" in text
    resp = client.get(f"/api/v1/reporting/indicators?start=2026-01-01&end=2026-12-31&scope=lineage:{w.new.code}")
    assert resp.status_code == 200, resp.content


def test_the_766_page_keeps_the_unit_with_its_predecessors_and_offers_the_merged_ones(client, merged):
    w = merged
    with_history = decision766.evaluate(*YEAR, f"lineage:{w.new.code}")
    for query in (f"don-vi=lineage:{w.new.code}", f"don-vi={w.new.code}&ke-thua=1"):  # the unit page's link; the form
        page = client.get(f"/thong-ke/chi-so-766/?{query}&ky=2026")
        assert page.status_code == 200 and page.context["result"]["score"] == with_history["score"]
        html = page.content.decode()
        # Pressing «Xem» again (another period) keeps the unit and its predecessors, not the whole province.
        assert f'<option value="{w.new.code}" selected>' in html
        assert 'name="ke-thua" value="1" checked' in html
    # An old unit's own history (the link from its statistics page) stays selectable once it has stopped.
    html = client.get(f"/thong-ke/chi-so-766/?don-vi={w.agency_a.code}&ky=2026").content.decode()
    assert f'<option value="{w.agency_a.code}" selected>{w.agency_a.name}</option>' in html
    assert "(gồm các đơn vị tiền thân)" not in html
