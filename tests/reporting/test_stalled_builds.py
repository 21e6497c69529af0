"""A report build whose task worker died mid-build (kill -9, a restart): django_tasks_db never runs it again, so
the officer is told it stopped and asks again, instead of reading «Đang tạo» for ever."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from motcua.core.stalled import STALLED_AFTER
from motcua.papers.jobs import run_build
from motcua.reporting.models import ReportJob
from tests.factories import AgencyFactory, officer, sign_in

pytestmark = pytest.mark.django_db
STOPPED = re.compile(r"^Quá trình tạo tệp đã dừng giữa chừng: không có tiến triển từ \d\d:\d\d ngày \d\d/\d\d/\d{4} "
                     r"\(máy xử lý có thể đã khởi động lại\)\. Hãy yêu cầu tạo lại\.$")


@pytest.fixture
def leader(client):
    user = officer("leader", AgencyFactory())
    sign_in(client, user)
    return user


def _job(user) -> ReportJob:
    return ReportJob.objects.create(kind="docx", scope="province", start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31),
                                    requested_by=user)


def _worker_took_it(job, *, silent_for, progress_at=True):
    """The worker claimed the build and reported its last step ``silent_for`` ago (then was killed, or not)."""
    last = timezone.now() - silent_for
    ReportJob.objects.filter(pk=job.pk).update(state=ReportJob.RUNNING, progress=30, message="Số liệu theo đơn vị",
                                               progress_at=last if progress_at else None, created_at=last)


def test_a_build_whose_worker_died_is_shown_failed_with_what_to_do_and_the_page_stops_waiting(client, leader):
    job = _job(leader)
    _worker_took_it(job, silent_for=STALLED_AFTER + dt.timedelta(minutes=1))
    progress = client.get(f"/thong-ke/bao-cao/{job.pk}/tien-do/").json()
    assert (progress["state"], progress["state_label"], progress["download"]) == ("failed", "Lỗi", False)
    assert STOPPED.match(progress["message"])
    page = client.get(f"/thong-ke/bao-cao/{job.pk}/").content.decode()
    assert "data-poll" not in page and "Lỗi: Quá trình tạo tệp đã dừng giữa chừng" in page
    assert '<span class="tag">Lỗi</span>' in client.get("/thong-ke/bao-cao/").content.decode()


def test_a_build_that_stopped_before_its_first_stamp_is_failed_too(client, leader):
    job = _job(leader)  # running from before progress was stamped (an upgrade)
    _worker_took_it(job, silent_for=STALLED_AFTER + dt.timedelta(minutes=1), progress_at=False)
    assert STOPPED.match(client.get(f"/thong-ke/bao-cao/{job.pk}/tien-do/").json()["message"])


def test_a_build_making_progress_is_still_being_built(client, leader):
    job = _job(leader)
    _worker_took_it(job, silent_for=dt.timedelta(minutes=2))
    progress = client.get(f"/thong-ke/bao-cao/{job.pk}/tien-do/").json()
    assert (progress["state"], progress["state_label"], progress["message"]) == ("running", "Đang tạo",
                                                                                 "Số liệu theo đơn vị")
    assert "data-poll" in client.get(f"/thong-ke/bao-cao/{job.pk}/").content.decode()


def test_a_run_failed_as_stalled_while_still_alive_writes_nothing_more(settings, tmp_path, leader):
    settings.MEDIA_ROOT = tmp_path / "media"
    job = _job(leader)

    def slow_build(job, progress):  # silent longer than any step takes, then goes on
        ReportJob.objects.filter(pk=job.pk).update(progress_at=timezone.now() - STALLED_AFTER * 2)
        ReportJob.objects.settled()  # the officer's page looked meanwhile
        progress(60, "Số liệu theo lĩnh vực")
        return b"late report"

    run_build(ReportJob, job.pk, slow_build, lambda job: "bao-cao.docx")
    job.refresh_from_db()
    assert job.state == ReportJob.FAILED and STOPPED.match(job.message) and not job.file
    assert not (tmp_path / "media" / "reports").exists()


def test_a_build_that_fails_tells_the_officer_what_to_do_not_the_exception(client, leader):
    job = _job(leader)

    def broken(job, progress):
        raise KeyError("column_x")

    with pytest.raises(KeyError):
        run_build(ReportJob, job.pk, broken, lambda job: "x.docx")
    job.refresh_from_db()
    page = client.get(f"/thong-ke/bao-cao/{job.pk}/").content.decode()
    assert job.state == ReportJob.FAILED and "column_x" not in page and "Lỗi: Lỗi" not in page
    assert "Không tạo được tệp do lỗi của hệ thống. Hãy yêu cầu tạo lại" in page
