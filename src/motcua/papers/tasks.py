"""Background builds of statistics report files (Django tasks; worker: ``manage.py db_worker``).

The job row (``reporting.ReportJob``) belongs to reporting; the file is laid out by ``papers.statistics``.
"""

from __future__ import annotations

from django.db import transaction
from django.tasks import task

from motcua.db.router import replica_reads
from motcua.reporting.models import ReportJob

from . import statistics
from .jobs import run_build


def _build(job: ReportJob, progress) -> bytes:
    build = statistics.build_xlsx if job.kind == "xlsx" else statistics.build_docx
    with replica_reads():  # the figures tolerate the replica's few seconds of lag
        return build(statistics.scope_arg(job.scope), job.start, job.end, progress=progress)


def _file_name(job: ReportJob) -> str:
    return statistics.file_name(job.scope, job.start, job.end, job.kind)


def run_job(job_id: int) -> None:
    """Build the file of a ReportJob, writing its progress as it goes."""
    run_build(ReportJob, job_id, _build, _file_name)


@task
def build_report(job_id: int) -> None:
    run_job(job_id)


def start_job(*, kind: str, scope: str, start, end, user=None, idempotency_key: str | None = None) -> ReportJob:
    """Create the job and queue its build once the row is committed."""
    job = ReportJob.objects.create(kind=kind, scope=scope or "province", start=start, end=end,
                                   requested_by=user if getattr(user, "pk", None) else None,
                                   idempotency_key=idempotency_key or None)
    transaction.on_commit(lambda: build_report.enqueue(job.pk))
    return job
