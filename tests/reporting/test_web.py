"""Pages, API and report files as users get them."""

import datetime as dt
import io
import re

import pytest
from django.test import override_settings
from openpyxl import load_workbook

from motcua.dossiers import lifecycle
from motcua.papers import statistics
from motcua.reporting import consumer
from motcua.reporting.models import ReportJob
from tests.dossiers.factories import at, make_world
from tests.factories import AgencyFactory, officer, sign_in
from tests.vietnamese import docx_text

from .test_seed_figures import _seed_2023

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def world():
    w = make_world()
    for day in (2, 3):
        d = w.submit(when=at(2026, 3, day, 8))
        d = lifecycle.receive(d, officer=w.counter, digitized=True, at=at(2026, 3, day, 9))
        d = lifecycle.start_processing(d, officer=w.counter, assignee=w.specialist, at=at(2026, 3, day, 10))
        d = lifecycle.complete_step(d, officer=w.specialist, at=at(2026, 3, day, 11))
        lifecycle.approve(d, officer=w.leader, at=at(2026, 3, day, 14))
    w.late = w.walk_in(when=at(2026, 3, 10, 8))
    consumer.consume()
    return w


_docx_text = docx_text


def test_public_unit_page_shows_monthly_figures_with_a_chart(client, world):
    resp = client.get(f"/thong-ke/don-vi/{world.agency.code}/?nam=2026")
    html = resp.content.decode()
    assert resp.status_code == 200
    assert world.agency.name in html and "<svg" in html and "T3: 3" in html
    # years are written as years, not as thousands ("2.026"), in titles and in the links
    assert "năm 2026" in html and "2.026" not in html and "?nam=2027" in html
    assert len(resp.content) < 50_000
    resp = client.get("/thong-ke/?ky=2026")
    assert resp.status_code == 200 and world.agency.name in resp.content.decode()
    assert 'value="2026"' in resp.content.decode()
    bad = client.get(f"/thong-ke/don-vi/{world.agency.code}/?nam=abc")
    assert bad.status_code == 422 and "Năm không hợp lệ" in bad.content.decode()
    assert client.get("/thong-ke/?ky=2026-Q9").status_code == 422
    assert client.get("/thong-ke/don-vi/KHONG-CO/").status_code == 404


def test_index766_page_marks_unmeasured_indicators(client, world):
    resp = client.get(f"/thong-ke/chi-so-766/?don-vi={world.agency.code}&ky=2026-03")
    html = resp.content.decode()
    assert resp.status_code == 200 and "không có dữ liệu" in html and "Tiến độ, kết quả giải quyết" in html


def _index766_links(client, url):
    """(the page's heading, [(link text, status of the page it opens)], the counts shown without a link)."""
    html = client.get(url).content.decode()
    links = [(text, client.get(href.replace("&amp;", "&")).status_code)
             for href, text in re.findall(r'<a href="(/thong-ke/chi-so-766/[^"]+/\?[^"]*)">([^<]*)</a>', html)]
    return re.search(r"<h1>(.*?)</h1>", html).group(1), links, re.findall(r'data-label="Bị trừ điểm do">(\d+ [^<]+)</td>',
                                                                         html), html


def test_a_commune_leader_opens_the_766_index_at_their_commune_and_no_link_is_a_dead_end(client, world):
    sign_in(client, world.leader)
    heading, links, plain, _ = _index766_links(client, "/thong-ke/chi-so-766/?ky=2026-03")  # from the menu
    assert world.agency.name in heading
    assert any(text.endswith("hồ sơ") for text, _ in links) and not plain  # the dossiers behind each figure
    assert all(status == 200 for _, status in links), links  # were «Bạn chỉ xem được hồ sơ của đơn vị mình»

    heading, links, plain, html = _index766_links(client, "/thong-ke/chi-so-766/?don-vi=&ky=2026-03")  # «Toàn tỉnh»
    assert "Toàn tỉnh" in heading
    assert all(status == 200 for _, status in links), links  # the procedures' lists, open to everyone
    assert any(count.endswith("hồ sơ") for count in plain)  # the province's dossiers: counted, not a link
    assert f'xem tại trang chỉ số của <a href="?don-vi={world.agency.code}&amp;ky=2026-03">{world.agency.name}</a>' in html


def test_the_public_766_index_opens_province_wide_with_no_dossier_list_links(client, world):
    heading, links, plain, _ = _index766_links(client, "/thong-ke/chi-so-766/?ky=2026-03")
    assert "Toàn tỉnh" in heading and plain
    assert links and all(text.endswith("thủ tục") and status == 200 for text, status in links), links


def test_drill_down_is_for_the_units_officers(client, world):
    url = f"/thong-ke/ho-so/?chi-tieu=received&tu=01/03/2026&den=31/03/2026&don-vi={world.agency.code}"
    assert client.get(url).status_code == 302  # login first
    sign_in(client, world.counter)
    resp = client.get(url)
    assert resp.status_code == 200 and world.late.code in resp.content.decode()
    outsider = officer("counter_officer", AgencyFactory())
    sign_in(client, outsider)
    assert client.get(url).status_code == 403
    sign_in(client, world.counter)
    assert client.get(url.replace("received", "khong-co")).status_code == 422


@override_settings(TASKS=IMMEDIATE)
def test_report_job_builds_a_decree30_docx_with_progress(client, world, django_capture_on_commit_callbacks):
    sign_in(client, world.leader)
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post("/thong-ke/bao-cao/", {"don-vi": world.agency.code, "ky": "2026-03", "loai": "docx"})
    job = ReportJob.objects.get()
    assert resp.status_code == 302 and resp["Location"].endswith(f"/thong-ke/bao-cao/{job.pk}/")
    progress = client.get(f"/thong-ke/bao-cao/{job.pk}/tien-do/").json()
    assert progress == {"state": "done", "progress": 100, "message": "Hoàn thành", "state_label": "Hoàn thành",
                        "download": True}
    file = client.get(f"/thong-ke/bao-cao/{job.pk}/tai-ve/")
    text = _docx_text(b"".join(file.streaming_content))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "BÁO CÁO" in text
    assert world.agency.name.upper() in text
    assert "tháng 3 năm 2026" in text and "Tiếp nhận 3 hồ sơ, đã giải quyết 2 hồ sơ (đạt 66,67 %)" in text
    # someone else's job stays private
    sign_in(client, officer("leader", AgencyFactory()))
    assert client.get(f"/thong-ke/bao-cao/{job.pk}/").status_code == 404


def test_bad_report_request_is_refused_without_a_job(client, world):
    sign_in(client, world.leader)
    resp = client.post("/thong-ke/bao-cao/", {"don-vi": world.agency.code, "ky": "2026-13", "loai": "docx"})
    assert resp.status_code == 422 and not ReportJob.objects.exists()


def test_province_report_prints_the_seed_figures():
    _seed_2023()
    text = _docx_text(statistics.build_docx(None, dt.date(2023, 1, 1), dt.date(2023, 11, 27)))
    assert "UBND TỈNH QUẢNG NGÃI" in text
    for figure in ("103.331", "99,77 %", "49,44 %", "40,66 %", "33,44 %", "75,09 %"):
        assert figure in text, figure


def test_xlsx_has_every_table(world):
    wb = load_workbook(io.BytesIO(statistics.build_xlsx(world.agency.code, dt.date(2026, 3, 1), dt.date(2026, 3, 31))))
    assert wb.sheetnames == ["Tổng hợp", "Theo đơn vị", "Theo lĩnh vực", "Theo thủ tục", "Theo kênh nộp",
                             "Theo mức độ DVC", "Theo tháng", "Chỉ số 766", "Hồ sơ bị trừ điểm"]
    summary = {row[1]: row for row in wb["Tổng hợp"].iter_rows(min_row=2, values_only=True)}
    assert summary["Tiếp nhận trong kỳ"][2] == 3 and summary["Đã giải quyết"][2] == 2
    assert abs(summary["Đã giải quyết"][3] - 2 / 3) < 1e-6
    by_channel = {row[1]: row for row in wb["Theo kênh nộp"].iter_rows(min_row=2, values_only=True)}
    assert by_channel["Trực tuyến"][2] == 2 and by_channel["Trực tiếp"][2] == 1
    assert [c.value for c in wb["Theo kênh nộp"][1]][:3] == ["STT", "Kênh nộp", "Hồ sơ tiếp nhận"]


def test_api_indicators_766_and_drilldown(client, world):
    resp = client.get("/api/v1/reporting/indicators", {"period": "2026-03", "scope": world.agency.code})
    assert resp.status_code == 200
    row = resp.json()["rows"][0]
    assert row["values"]["received"] == 3 and row["formatted"]["resolved"]["rate"] == "66,67 %"
    grouped = client.get("/api/v1/reporting/indicators", {"period": "2026-03", "group_by": "channel"}).json()
    assert {r["group"]: r["values"]["received"] for r in grouped["rows"]} == {"online": 2, "counter": 1}
    bad = client.get("/api/v1/reporting/indicators", {"period": "2026-3-x"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_period"
    idx = client.get("/api/v1/reporting/index766", {"period": "2026-03", "scope": world.agency.code}).json()
    assert [g["max"] for g in idx["groups"]] == [18, 20, 22, 22, 18]
    url = "/api/v1/reporting/drilldown"
    params = {"period": "2026-03", "scope": world.agency.code, "metric": "in_progress"}
    assert client.get(url, params).status_code == 401
    sign_in(client, world.counter)
    assert client.get(url, params).json() == {"metric": "in_progress", "count": 1, "dossier_ids": [world.late.pk]}
    xlsx = client.get("/api/v1/reporting/report.xlsx", {"period": "2026-03", "scope": world.agency.code})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_xlsx_keeps_a_procedure_or_unit_name_typed_as_a_formula_as_text(world):
    from motcua.catalog.models import Procedure
    from motcua.units.models import Agency

    evil = '=HYPERLINK("http://evil.example";"Đăng ký khai sinh")'
    Procedure.objects.filter(pk=world.procedure.pk).update(name=evil)
    Agency.objects.filter(pk=world.agency.pk).update(name="-UBND xã An Phú")
    wb = load_workbook(io.BytesIO(statistics.build_xlsx(world.agency.code, dt.date(2026, 3, 1), dt.date(2026, 3, 31))))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    for text in (evil, "-UBND xã An Phú"):
        found = [c for c in cells if c.value == text]
        assert found and all(c.data_type == "s" and c.quotePrefix for c in found), text
    assert [c.value for c in wb["Theo thủ tục"][2]][2:4] == [evil, 3]  # the count beside it is still a number
