"""A background report build leaves exactly the file its row names: none when recording it fails, one when the
task is delivered twice."""

import datetime as dt

import pytest
from django.db import DatabaseError

from motcua.papers.jobs import run_build
from motcua.reporting.models import ReportJob

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _files(media) -> list[str]:
    return sorted(p.name for p in (media / "reports").glob("*")) if (media / "reports").exists() else []


def _job() -> ReportJob:
    return ReportJob.objects.create(kind="docx", scope="province", start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))


def test_a_build_whose_row_cannot_be_recorded_leaves_no_file(media, monkeypatch):
    job = _job()
    saved = ReportJob.save

    def failing_save(self, *args, **kwargs):
        if self.state == ReportJob.DONE:
            raise DatabaseError("the database refused the row")
        return saved(self, *args, **kwargs)

    monkeypatch.setattr(ReportJob, "save", failing_save)
    with pytest.raises(DatabaseError):
        run_build(ReportJob, job.pk, lambda job, progress: b"report", lambda job: "bao-cao.docx")
    job.refresh_from_db()
    assert job.state != ReportJob.DONE and not job.file
    assert _files(media) == []  # the written file went with the transaction


def test_a_task_delivered_twice_keeps_the_first_file_only(media):
    job = _job()
    stale = ReportJob.objects.get(pk=job.pk)  # the second delivery read the job while it was still queued …
    run_build(ReportJob, job.pk, lambda job, progress: b"first", lambda job: "bao-cao.docx")
    job.refresh_from_db()
    first = job.file.name
    # … and finishes building after the first delivery recorded its file.
    run_build(ReportJob, job.pk, lambda job, progress: b"second", lambda job: "bao-cao.docx",
              queryset=_AsFirstRead(stale))
    job.refresh_from_db()
    assert (job.state, job.progress, job.message) == (ReportJob.DONE, 100, "Hoàn thành")  # never back to "running"
    assert job.file.name == first and job.file.read() == b"first"
    assert _files(media) == [first.rsplit("/", 1)[-1]]


class _AsFirstRead:
    """The job as a delivery first read it, before another delivery finished it."""

    def __init__(self, job):
        self.job = job

    def get(self, **kwargs):
        return self.job
