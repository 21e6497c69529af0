"""A build's run over time: a long step beats so it is not taken for dead, and a worker stopped cleanly
(SIGTERM) fails its build at once, saying it may be made again (papers.jobs.run_build)."""

import datetime as dt
import os
import signal

import pytest
from django.db.models import F
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from motcua.core.stalled import STALLED_AFTER
from motcua.papers import jobs, statistics, tasks
from motcua.papers.jobs import INTERRUPTED_MESSAGE, run_build
from motcua.reporting.models import ReportJob

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _job() -> ReportJob:
    return ReportJob.objects.create(kind="xlsx", scope="province", start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))


def test_a_long_step_beats_so_its_build_is_not_failed_as_stalled(monkeypatch):
    monkeypatch.setattr(jobs, "BEAT_EVERY", 0)
    job = _job()

    def long_step(job, progress):
        progress(30, "Số liệu theo đơn vị")
        for _agency in range(3):  # each agency slow: the step as a whole lasts longer than STALLED_AFTER
            ReportJob.objects.filter(pk=job.pk).update(progress_at=F("progress_at") - STALLED_AFTER * 2 / 3)
            progress()
        ReportJob.objects.settled()  # the officer's page looks meanwhile
        return b"report"

    run_build(ReportJob, job.pk, long_step, lambda job: "bao-cao.xlsx")
    job.refresh_from_db()
    assert job.state == ReportJob.DONE and job.file


def test_a_beat_writes_at_most_every_few_seconds(django_assert_num_queries):
    job = _job()

    def many_beats(job, progress):
        with django_assert_num_queries(0):
            for _ in range(100):
                progress()
        return b"report"

    run_build(ReportJob, job.pk, many_beats, lambda job: "bao-cao.xlsx")


def test_the_spreadsheet_beats_once_per_month_of_its_period():
    calls = []
    statistics.build_xlsx(None, dt.date(2024, 1, 1), dt.date(2025, 12, 31), progress=lambda *a: calls.append(a))
    assert calls.count(()) == 24


@pytest.fixture
def worker_handler():
    """The task worker's SIGTERM handler (django_tasks_db: finish the task, take no other, exit)."""
    told = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: told.append(signum))
    yield told
    signal.signal(signal.SIGTERM, previous)


def test_a_worker_stopped_cleanly_fails_its_build_at_once_and_still_stops(worker_handler):
    job = _job()
    steps = []

    def build(job, progress):
        progress(30, "Số liệu theo đơn vị")
        os.kill(os.getpid(), signal.SIGTERM)  # systemctl stop, a deploy
        steps.append("went on")
        return b"report"

    with pytest.raises(BaseException) as raised:
        run_build(ReportJob, job.pk, build, lambda job: "bao-cao.xlsx")
    assert raised.type.__name__ == "_Interrupted"
    job.refresh_from_db()
    assert (job.state, job.message, steps) == (ReportJob.FAILED, INTERRUPTED_MESSAGE, [])
    assert job.finished_at and not job.file
    assert worker_handler == [signal.SIGTERM]  # the worker was told too: it takes no further task


def test_a_signal_after_the_build_is_the_workers_alone(worker_handler):
    job = _job()
    run_build(ReportJob, job.pk, lambda job, progress: b"report", lambda job: "bao-cao.xlsx")
    os.kill(os.getpid(), signal.SIGTERM)
    job.refresh_from_db()
    assert job.state == ReportJob.DONE and worker_handler == [signal.SIGTERM]


def test_the_task_worker_stopped_during_a_build_fails_it_and_exits(settings, monkeypatch,
                                                                   django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def build(job, progress):
        progress(30, "Số liệu theo đơn vị")
        os.kill(os.getpid(), signal.SIGTERM)
        return b"report"

    monkeypatch.setattr(tasks, "_build", build)
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)  # the test's connection, in its transaction
    with django_capture_on_commit_callbacks(execute=True):
        job = tasks.start_job(kind="docx", scope="province", start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=None, worker_id="w1", excluded_queue_names=[])  # manage.py db_worker's
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    worker.configure_signals()
    try:
        worker.run()
    finally:
        signal.signal(signal.SIGTERM, before[0])
        signal.signal(signal.SIGINT, before[1])
    job.refresh_from_db()
    assert (job.state, job.message, worker.running) == (ReportJob.FAILED, INTERRUPTED_MESSAGE, False)
    assert DBTaskResult.objects.get().status == "FAILED"
