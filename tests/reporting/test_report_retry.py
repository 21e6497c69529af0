"""A failed report build is made again with «Tạo lại» on its page: queued once as its first request was, refused
(409, in Vietnamese) while it is still being built (papers.jobs.retry)."""

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from motcua.papers import tasks
from motcua.reporting.models import ReportJob
from tests.factories import AgencyFactory, officer, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # the installation's: kept queued
    user = officer("leader", AgencyFactory(code="SO-TU-PHAP"))
    sign_in(client, user)
    return user


def _queued() -> list[int]:
    return [r.args_kwargs["args"][0] for r in DBTaskResult.objects.filter(task_path=tasks.build_report.module_path)]


def test_a_failed_report_is_made_again_once(client, leader, django_capture_on_commit_callbacks):
    job = ReportJob.objects.create(kind="docx", scope="SO-TU-PHAP", start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31),
                                   requested_by=leader, state=ReportJob.FAILED, message="Không tạo được tệp",
                                   finished_at=timezone.now())
    page = client.get(f"/thong-ke/bao-cao/{job.pk}/").content.decode()
    assert f'<form id="tao-lai" method="post" action="/thong-ke/bao-cao/{job.pk}/tao-lai/">' in page
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"/thong-ke/bao-cao/{job.pk}/tao-lai/")
        again = client.post(f"/thong-ke/bao-cao/{job.pk}/tao-lai/")  # a double click
    assert answer.status_code == 302 and answer.url == f"/thong-ke/bao-cao/{job.pk}/"
    assert again.status_code == 409 and "Tệp đang được tạo, chưa thể tạo lại." in again.content.decode()
    job.refresh_from_db()
    assert (job.state, job.progress, job.message, job.finished_at) == (ReportJob.QUEUED, 0, "", None)
    assert _queued() == [job.pk]
    page = client.get(f"/thong-ke/bao-cao/{job.pk}/").content.decode()
    assert "data-poll" in page and f'action="/thong-ke/bao-cao/{job.pk}/tao-lai/" hidden>' in page


def test_only_its_officer_makes_it_again(client, leader):
    other = officer("other", AgencyFactory())
    job = ReportJob.objects.create(kind="docx", scope="province", start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31),
                                   requested_by=other, state=ReportJob.FAILED)
    assert client.post(f"/thong-ke/bao-cao/{job.pk}/tao-lai/").status_code == 404
    assert client.get(f"/thong-ke/bao-cao/{job.pk}/tao-lai/").status_code == 405
    assert _queued() == []


def test_a_report_of_a_unit_no_longer_the_officers_is_not_made_again(client, leader):
    job = ReportJob.objects.create(kind="docx", scope="province", start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31),
                                   requested_by=leader, state=ReportJob.FAILED)  # before the officer moved unit
    answer = client.post(f"/thong-ke/bao-cao/{job.pk}/tao-lai/")
    assert answer.status_code == 403 and "Bạn chỉ xem được hồ sơ và báo cáo của đơn vị mình." in answer.content.decode()
    job.refresh_from_db()
    assert job.state == ReportJob.FAILED and _queued() == []
