"""A failed paper build is made again («Tạo lại» on the back-office page, POST …/retry over the API): queued
once as its first request was, refused while it is still being built (papers.jobs.retry)."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from motcua.api.auth import issue_token
from motcua.core.stalled import STALLED_AFTER
from motcua.papers.jobs import retry
from motcua.papers.transformation import tasks
from motcua.transformation.models import PaperJob

pytestmark = pytest.mark.django_db


class _Queue:
    """The paper builds waiting in the task worker's queue (the installation's database backend), by job id."""

    def __eq__(self, pks):
        return [r.args_kwargs["args"][0] for r in DBTaskResult.objects.filter(
            task_path=tasks.build_paper.module_path).order_by("enqueued_at")] == pks


@pytest.fixture
def queued(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    return _Queue()


def _job(dx, **state) -> PaperJob:
    return PaperJob.objects.create(kind="annual", fmt="docx", agency=dx.dp, year=2023, requested_by=dx.dp_admin,
                                   **state)


def _failed(dx) -> PaperJob:
    return _job(dx, state=PaperJob.FAILED, progress=30, message="Không tạo được tệp do lỗi của hệ thống.",
                progress_at=timezone.now(), finished_at=timezone.now())


def _api(user):
    return Client(headers={"Authorization": f"Bearer {issue_token(user, 'x')[1]}"})


def test_a_failed_build_is_queued_again_over_the_api(dx, queued, django_capture_on_commit_callbacks):
    job = _failed(dx)
    with django_capture_on_commit_callbacks(execute=True):
        answer = _api(dx.dp_admin).post(f"/api/v1/transformation/papers/{job.pk}/retry")
    assert answer.status_code == 202
    assert {k: answer.json()[k] for k in ("state", "progress", "message", "file")} == {
        "state": "queued", "progress": 0, "message": "", "file": None}
    job.refresh_from_db()
    assert (job.state, job.finished_at, job.progress_at) == (PaperJob.QUEUED, None, None)
    assert queued == [job.pk]


def test_a_second_click_is_refused_and_queues_nothing_more(dx, queued, django_capture_on_commit_callbacks):
    job = _failed(dx)
    api = _api(dx.dp_admin)
    with django_capture_on_commit_callbacks(execute=True):
        api.post(f"/api/v1/transformation/papers/{job.pk}/retry")
        again = api.post(f"/api/v1/transformation/papers/{job.pk}/retry")
    assert again.status_code == 409
    assert again.json() == {"code": "build_running", "message": "Tệp đang được tạo, chưa thể tạo lại."}
    assert queued == [job.pk]


def test_a_build_that_is_running_or_done_is_not_made_again(dx, queued):
    api = _api(dx.dp_admin)
    running = _job(dx, state=PaperJob.RUNNING, progress_at=timezone.now())
    done = _job(dx, state=PaperJob.DONE)
    assert api.post(f"/api/v1/transformation/papers/{running.pk}/retry").json()["code"] == "build_running"
    assert api.post(f"/api/v1/transformation/papers/{done.pk}/retry").status_code == 409
    assert api.post("/api/v1/transformation/papers/999999/retry").json()["code"] == "paper_not_found"
    assert queued == []


def test_a_build_whose_worker_died_may_be_made_again(dx, queued, django_capture_on_commit_callbacks):
    job = _job(dx, state=PaperJob.RUNNING, progress_at=timezone.now() - STALLED_AFTER - dt.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert _api(dx.dp_admin).post(f"/api/v1/transformation/papers/{job.pk}/retry").status_code == 202
    assert queued == [job.pk]


def test_the_back_office_page_offers_tao_lai_for_a_failed_build_only(dx, signed_in, queued,
                                                                     django_capture_on_commit_callbacks):
    job = _failed(dx)
    client = signed_in(dx.dp_admin)
    page = client.get(f"/can-bo/chuyen-doi-so/giay-to/{job.pk}/").content.decode()
    assert f'<form id="tao-lai" method="post" action="/can-bo/chuyen-doi-so/giay-to/{job.pk}/tao-lai/">' in page
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"/can-bo/chuyen-doi-so/giay-to/{job.pk}/tao-lai/")
    assert answer.status_code == 302 and queued == [job.pk]
    page = client.get(answer.url).content.decode()
    assert 'id="tao-lai" method="post"' in page and 'hidden>' in page.split('id="tao-lai"')[1].split("\n")[0]
    assert "data-poll" in page
    again = client.post(f"/can-bo/chuyen-doi-so/giay-to/{job.pk}/tao-lai/", follow=True).content.decode()
    assert "Tệp đang được tạo, chưa thể tạo lại." in again and queued == [job.pk]


def test_the_row_is_locked_while_it_is_queued_again(dx, queued):
    if not connection.features.has_select_for_update:
        pytest.skip("SQLite locks the whole database on writing; PostgreSQL locks the row")
    job = _failed(dx)
    with CaptureQueriesContext(connection) as ctx:
        retry(PaperJob, job.pk, lambda pk: None)
    assert any(q["sql"].endswith("FOR UPDATE") for q in ctx.captured_queries)


def test_a_paper_of_a_unit_no_longer_the_officers_is_not_made_again(dx, signed_in, queued):
    job = PaperJob.objects.create(kind="annual", fmt="docx", agency=dx.ct, year=2023, requested_by=dx.dp_admin,
                                  state=PaperJob.FAILED)  # asked for before the officer moved unit
    answer = _api(dx.dp_admin).post(f"/api/v1/transformation/papers/{job.pk}/retry")
    assert answer.status_code == 404 and answer.json()["code"] == "paper_not_found"
    assert signed_in(dx.dp_admin).post(f"/can-bo/chuyen-doi-so/giay-to/{job.pk}/tao-lai/").status_code == 404
    job.refresh_from_db()
    assert job.state == PaperJob.FAILED and queued == []
