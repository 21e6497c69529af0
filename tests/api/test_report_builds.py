"""Report files built in the background over the API (api/report_builds.py): asked for with POST /reporting/builds,
built by the task worker as the back office's page builds them, polled, downloaded; refused for a unit not the
caller's, hidden from anyone but the officer who asked (and province-wide roles), read as failed when the worker
died, made again with …/retry."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from docx import Document
from openpyxl import load_workbook

from motcua.api.auth import issue_token
from motcua.core.stalled import STALLED_AFTER
from motcua.papers import tasks
from motcua.reporting.models import ReportJob
from tests.factories import AgencyFactory, officer

pytestmark = pytest.mark.django_db

BUILDS = "/api/v1/reporting/builds"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def installation(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # queued until a worker runs it
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)  # the worker on the test's connection


@pytest.fixture
def admin(world):
    """A provincial administrator's token."""
    world.tokens["admin"] = issue_token(officer("provincial_admin", None, username="quantri"), "test admin")[1]
    return world


def _ask(world, who, django_capture_on_commit_callbacks, key=None, **body):
    headers = {"Idempotency-Key": key} if key else {}
    with django_capture_on_commit_callbacks(execute=True):  # the build is queued once the row is committed
        return world.client(who).post(BUILDS, body, content_type="application/json", headers=headers)


def _queued() -> list[int]:
    return [r.args_kwargs["args"][0] for r in DBTaskResult.objects.filter(task_path=tasks.build_report.module_path)]


def _run_worker() -> None:
    """What ``manage.py db_worker`` does with the queue, once through (--batch)."""
    Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
           max_tasks=None, worker_id="w1", excluded_queue_names=[]).run()


def test_an_officer_builds_the_report_of_their_agency_polls_it_and_downloads_it(world,
                                                                                django_capture_on_commit_callbacks):
    r = _ask(world, "leader", django_capture_on_commit_callbacks, kind="docx", period="2026-03",
             scope=world.agency.code)
    assert r.status_code == 202, r.content
    build = r.json()
    url = f"{BUILDS}/{build['id']}"
    assert r["Location"] == build["status_url"] == url
    assert (build["state"], build["state_label"], build["progress"], build["file_url"]) == ("queued", "Đang chờ", 0, None)
    assert (build["start"], build["end"], build["period_label"]) == ("2026-03-01", "2026-03-31", "tháng 3 năm 2026")
    assert _queued() == [build["id"]]

    waiting = world.client("leader").get(url + "/file")
    assert (waiting.status_code, waiting.json()["code"]) == (409, "report_not_ready")
    assert waiting.json()["message"] == "Báo cáo chưa tạo xong (đang chờ, 0 %). Hãy hỏi lại tiến độ sau ít giây."

    _run_worker()
    done = world.client("leader").get(url).json()
    assert (done["state"], done["state_label"], done["progress"], done["message"]) == ("done", "Hoàn thành", 100,
                                                                                         "Hoàn thành")
    assert done["file_url"] == url + "/file" and done["finished_at"] >= done["created_at"]
    f = world.client("leader").get(done["file_url"])
    assert f.status_code == 200 and f["Content-Type"] == DOCX
    assert f["Content-Disposition"] == 'attachment; filename="bao-cao-H55.101-20260301-20260331.docx"'
    doc = Document(io.BytesIO(b"".join(f.streaming_content)))
    text = "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for row in t.rows for c in row.cells])
    assert "UBND XÃ TỊNH SƠN" in text.upper() and "tháng 3 năm 2026" in text  # the agency asked for, the period


def test_a_province_wide_xlsx_for_the_administrator(admin, django_capture_on_commit_callbacks):
    r = _ask(admin, "admin", django_capture_on_commit_callbacks, kind="xlsx", start="01/01/2026", end="31/03/2026")
    assert r.status_code == 202, r.content
    assert r.json()["scope"] == "province" and r.json()["period_label"] == "từ ngày 01/01/2026 đến ngày 31/03/2026"
    _run_worker()
    f = admin.client("admin").get(r.json()["status_url"] + "/file")
    assert f.status_code == 200 and f["Content-Type"] == XLSX
    assert f["Content-Disposition"] == 'attachment; filename="bao-cao-tinh-20260101-20260331.xlsx"'
    book = load_workbook(io.BytesIO(b"".join(f.streaming_content)))
    assert book.worksheets and book.worksheets[0].max_row > 1


def test_the_lineage_of_an_agency_with_the_longest_code_is_built(admin, django_capture_on_commit_callbacks):
    """An agency's code may have 32 characters; its lineage, ``lineage:`` and the code, is longer: it is kept whole
    (PostgreSQL refused it as too long for the build's row, 422, when the row held 32)."""
    code = "H55." + "9" * 28
    AgencyFactory(code=code)
    r = _ask(admin, "admin", django_capture_on_commit_callbacks, kind="xlsx", period="2026-03", scope=f"lineage:{code}")
    assert r.status_code == 202, r.content
    assert r.json()["scope"] == f"lineage:{code}"
    _run_worker()
    f = admin.client("admin").get(r.json()["status_url"] + "/file")
    assert f.status_code == 200, f.content
    assert f["Content-Disposition"] == f'attachment; filename="bao-cao-lineage-{code}-20260301-20260331.xlsx"'


def test_a_request_sent_again_with_its_key_gets_the_same_build_and_queues_nothing(admin,
                                                                                 django_capture_on_commit_callbacks):
    """A client that lost the answer on a slow line sends the request again with the same Idempotency-Key: the build
    it already asked for (200), not a second build of the same file. Another key, or another account with the same
    key, is another build."""
    ask = dict(kind="docx", period="2026-03", scope=admin.agency.code)
    first = _ask(admin, "leader", django_capture_on_commit_callbacks, key="bao-cao-thang-3", **ask)
    again = _ask(admin, "leader", django_capture_on_commit_callbacks, key="bao-cao-thang-3", **ask)
    assert (first.status_code, again.status_code) == (202, 200), again.content
    assert again.json()["id"] == first.json()["id"] and again["Location"] == first.json()["status_url"]
    assert _queued() == [first.json()["id"]]

    other_key = _ask(admin, "leader", django_capture_on_commit_callbacks, key="bao-cao-thang-3-lan-2", **ask)
    other_account = _ask(admin, "admin", django_capture_on_commit_callbacks, key="bao-cao-thang-3", **ask)
    assert (other_key.status_code, other_account.status_code) == (202, 202)
    assert len({first.json()["id"], other_key.json()["id"], other_account.json()["id"]}) == 3
    assert len(_queued()) == 3


def test_twin_requests_with_one_key_that_both_miss_the_first_look_make_one_build(admin, monkeypatch,
                                                                                django_capture_on_commit_callbacks):
    """The twin committed between this request's look for its key and its insert: the row's unique key refuses the
    second build, whose queueing is undone, and the answer is the twin's build."""
    ask = dict(kind="xlsx", period="2026-03", scope=admin.agency.code)
    twin = _ask(admin, "leader", django_capture_on_commit_callbacks, key="k-1", **ask).json()
    looked = ReportJob.objects.settled
    misses = iter([True])
    monkeypatch.setattr(ReportJob.objects, "settled", lambda **f: ReportJob.objects.none()
                        if f.get("idempotency_key") and next(misses, False) else looked(**f))
    r = _ask(admin, "leader", django_capture_on_commit_callbacks, key="k-1", **ask)
    assert (r.status_code, r.json()["id"]) == (200, twin["id"]), r.content
    assert _queued() == [twin["id"]] and ReportJob.objects.count() == 1


@pytest.mark.parametrize("who, scope, message", [
    ("leader", "H55.102", "Bạn chỉ xem được hồ sơ và báo cáo của đơn vị mình."),  # the neighbouring commune's
    ("leader", None, "Bạn chỉ xem được hồ sơ và báo cáo của đơn vị mình."),  # the whole province
    ("leader", "province", "Bạn chỉ xem được hồ sơ và báo cáo của đơn vị mình."),
    ("citizen", "H55.101", "Chỉ cán bộ mới tạo được báo cáo."),
])
def test_a_unit_not_the_callers_is_refused_and_nothing_is_queued(world, django_capture_on_commit_callbacks, who,
                                                                  scope, message):
    body = {"kind": "xlsx", "period": "2026", **({"scope": scope} if scope else {})}
    r = _ask(world, who, django_capture_on_commit_callbacks, **body)
    assert (r.status_code, r.json()["code"], r.json()["message"]) == (403, "forbidden", message)
    assert not ReportJob.objects.exists() and _queued() == []


@pytest.mark.parametrize("body, status, code, field", [
    ({"kind": "pdf", "period": "2026"}, 422, "report_kind", None),
    ({"kind": "DOCX", "period": "2026"}, 422, "report_kind", None),
    ({"period": "2026"}, 422, "invalid_input", "kind"),
    ({"kind": "docx"}, 422, "invalid_period", None),
    ({"kind": "docx", "period": "2026-13"}, 422, "invalid_period", None),
    ({"kind": "docx", "start": "31/03/2026", "end": "2026-02-30"}, 422, "invalid_date", None),
    ({"kind": "docx", "period": 2026}, 422, "invalid_input", "period"),
    ({"kind": "docx", "period": "2026", "scope": "H99.99"}, 404, "unit_not_found", None),
    ({"kind": "docx", "period": "2026", "scope": "foo:bar"}, 422, "invalid_scope", None),
])
def test_a_bad_request_is_refused_with_its_code_in_vietnamese(admin, django_capture_on_commit_callbacks, body, status,
                                                              code, field):
    r = _ask(admin, "admin", django_capture_on_commit_callbacks, **body)
    answer = r.json()
    assert (r.status_code, answer["code"]) == (status, code), answer
    assert not answer["message"].isascii()
    if field:
        assert field in answer["details"]["fields"]
    assert not ReportJob.objects.exists() and _queued() == []


def test_another_users_build_is_not_found_as_one_that_does_not_exist(admin, django_capture_on_commit_callbacks):
    r = _ask(admin, "leader", django_capture_on_commit_callbacks, kind="docx", period="2026-03",
             scope=admin.agency.code)
    url = r.json()["status_url"]
    ReportJob.objects.filter(pk=r.json()["id"]).update(state=ReportJob.FAILED, message="Không tạo được tệp")
    missing = f"{BUILDS}/{r.json()['id'] + 1000}"
    for who in ("counter", "other_counter", "citizen"):  # the same agency's counter officer too: not theirs
        client = admin.client(who)
        for answer in (client.get(url), client.get(url + "/file"), client.post(url + "/retry"), client.get(missing)):
            assert (answer.status_code, answer.json()["code"]) == (404, "report_build_not_found"), (who, answer.json())
            assert answer.json()["message"] == "Không tìm thấy yêu cầu tạo báo cáo."
    assert ReportJob.objects.get().state == ReportJob.FAILED and _queued() == [r.json()["id"]]  # no retry went through
    assert admin.client("admin").get(url).json()["state"] == "failed"  # a province-wide role reads every build


def test_a_build_whose_worker_died_reads_failed_and_is_made_again(world, django_capture_on_commit_callbacks):
    r = _ask(world, "leader", django_capture_on_commit_callbacks, kind="xlsx", period="2026-03",
             scope=world.agency.code)
    url = r.json()["status_url"]
    silent = timezone.now() - STALLED_AFTER - dt.timedelta(minutes=1)  # killed mid-run: running, then no news
    ReportJob.objects.filter(pk=r.json()["id"]).update(state=ReportJob.RUNNING, progress=40, progress_at=silent)
    build = world.client("leader").get(url).json()
    assert build["state"] == "failed" and build["message"].startswith("Quá trình tạo tệp đã dừng giữa chừng")
    assert build["finished_at"] is not None and build["file_url"] is None
    f = world.client("leader").get(url + "/file")
    assert (f.status_code, f.json()["code"]) == (409, "report_failed")
    assert f.json()["message"].startswith("Không tạo được báo cáo: Quá trình tạo tệp đã dừng giữa chừng")

    DBTaskResult.objects.all().delete()  # the dead worker's task
    with django_capture_on_commit_callbacks(execute=True):
        again = world.client("leader").post(url + "/retry")
        twice = world.client("leader").post(url + "/retry")  # a second click
    assert again.status_code == 202 and (again.json()["state"], again.json()["progress"]) == ("queued", 0)
    assert (twice.status_code, twice.json()["code"]) == (409, "build_running")
    assert _queued() == [r.json()["id"]]
    _run_worker()
    assert world.client("leader").get(url).json()["state"] == "done"
    done = world.client("leader").post(url + "/retry")
    assert (done.status_code, done.json()["code"]) == (409, "build_done")


def test_a_build_of_a_unit_no_longer_the_officers_is_not_made_again(world):
    job = ReportJob.objects.create(kind="docx", scope=world.other_agency.code, start=dt.date(2026, 3, 1),
                                   end=dt.date(2026, 3, 31), requested_by=world.users["leader"],
                                   state=ReportJob.FAILED)  # asked for before the officer moved unit
    r = world.client("leader").post(f"{BUILDS}/{job.pk}/retry")
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")
    job.refresh_from_db()
    assert job.state == ReportJob.FAILED and _queued() == []


def test_a_built_file_gone_from_the_server_is_said_so(world, django_capture_on_commit_callbacks):
    r = _ask(world, "leader", django_capture_on_commit_callbacks, kind="xlsx", period="2026-03",
             scope=world.agency.code)
    _run_worker()
    job = ReportJob.objects.get(pk=r.json()["id"])
    job.file.storage.delete(job.file.name)
    f = world.client("leader").get(r.json()["status_url"] + "/file")
    assert (f.status_code, f.json()["code"]) == (404, "report_file_not_found")


def test_the_api_document_tells_each_refusal_and_the_files_types(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    asked = paths[BUILDS]["post"]["responses"]
    assert "202" in asked and "report_kind" in asked["422"]["description"]
    assert "unit_not_found" in asked["404"]["description"] and "forbidden" in asked["403"]["description"]
    assert "report_build_not_found" in paths[BUILDS + "/{build_id}"]["get"]["responses"]["404"]["description"]
    file = paths[BUILDS + "/{build_id}/file"]["get"]["responses"]
    assert {"report_not_ready", "report_failed"} <= set(file["409"]["description"].replace("`", " ").split())
    assert set(file["200"]["content"]) == {DOCX, XLSX}
    assert "build_running" in paths[BUILDS + "/{build_id}/retry"]["post"]["responses"]["409"]["description"]
