"""No English word or raw code in the statistics pages, the reports and the workbook headers, for every role
(the checker is tests/vietnamese.py, shared with the crawl of the other pages)."""

import pytest
from django.test import Client, override_settings

from motcua.accounts.models import Role
from motcua.papers import statistics
from motcua.reporting import decision766
from motcua.reporting.models import ReportJob
from tests.factories import citizen, officer, sign_in
from tests.vietnamese import assert_vietnamese, docx_text, page_problems, problems, xlsx_headers

from .world766 import MARCH, build

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def test_the_checker_catches_codes_and_english():
    assert [t for t, _ in problems("Trạng thái: received; kênh online")] == ["received", "online"]
    assert [t for t, _ in problems("resolved_early 12")] == ["resolved_early"]
    assert [t for t, _ in problems("Cơ quan H51.01 tiếp nhận")] == ["H51.01"]
    assert problems("Hồ sơ H51.01-260302-0001 của UBND phường Cẩm Thành, tải tệp PDF, đăng nhập VNeID") == []
    assert [t for t, _ in problems("Phạm vi level:commune, giá trị None")] == ["level:commune", "None"]
    html = '<p title="status">Đã tiếp nhận</p><a href="/x?chi-tieu=received">12</a><script>var received=1</script>'
    assert [t for t, _ in page_problems(html)] == ["status"]


@pytest.fixture
def world(settings):
    return build(settings)


def _pages(world, client, kinds) -> list[str]:
    w = world.w
    q = "ky=2026-03"
    urls = ["/thong-ke/?ky=2026-03", f"/thong-ke/don-vi/{w.agency.code}/?nam=2026", f"/thong-ke/chi-so-766/?{q}",
            f"/thong-ke/chi-so-766/?{q}&don-vi={w.agency.code}", "/thong-ke/?ky=2026-13"]
    for item in decision766.load_table()["indicators"]:
        if decision766.losses(item["code"], *MARCH, w.agency.code).kind in kinds:
            urls.append(f"/thong-ke/chi-so-766/{item['code']}/?{q}&don-vi={w.agency.code}")
    return urls


@override_settings(TASKS=IMMEDIATE)
def test_statistics_pages_reports_and_workbooks_of_every_role(world,
                                                               django_capture_on_commit_callbacks):
    w = world.w
    public = Client()
    for url in _pages(world, public, {"procedures"}):
        resp = public.get(url)
        assert resp.status_code in (200, 422), url
        assert_vietnamese(resp, where=f"khách: {url}")
    people = {"công dân": citizen(), "công chức một cửa": w.counter,
              "quản trị tỉnh": officer(Role.PROVINCIAL_ADMIN, None)}
    for who, user in people.items():
        client = Client()
        sign_in(client, user)
        staff = who != "công dân"
        urls = _pages(world, client, {"procedures", "dossiers", "feedback"} if staff else {"procedures"})
        if staff:
            urls += [f"/thong-ke/ho-so/?chi-tieu={m}&tu=01/03/2026&den=31/03/2026&don-vi={w.agency.code}"
                     for m in ("received", "resolved_late", "in_progress_overdue", "received_online")]
            urls.append("/thong-ke/bao-cao/")
        for url in urls:
            resp = client.get(url)
            assert resp.status_code in (200, 422), (who, url, resp.status_code)
            assert_vietnamese(resp, where=f"{who}: {url}")
    client = Client()
    sign_in(client, w.leader)
    for kind in ("docx", "xlsx"):
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/thong-ke/bao-cao/", {"don-vi": w.agency.code, "ky": "2026-03", "loai": kind})
        job = ReportJob.objects.filter(kind=kind).latest("pk")
        assert_vietnamese(client.get(f"/thong-ke/bao-cao/{job.pk}/"), where=f"báo cáo {kind}")
        assert_vietnamese(client.get(f"/thong-ke/bao-cao/{job.pk}/tien-do/").json()["state_label"], where="tiến độ")
    assert_vietnamese(client.get("/thong-ke/bao-cao/"), where="danh sách báo cáo")
    assert_vietnamese(docx_text(statistics.build_docx(w.agency.code, *MARCH)), where="báo cáo .docx")
    assert_vietnamese(docx_text(statistics.build_docx(None, *MARCH)), where="báo cáo .docx toàn tỉnh")
    assert_vietnamese(xlsx_headers(statistics.build_xlsx(w.agency.code, *MARCH)), where="tiêu đề .xlsx")
