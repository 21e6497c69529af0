"""Background builds of statistics report files (Django tasks; worker: ``manage.py db_worker``).

The job row (``reporting.ReportJob``) belongs to reporting; the file is laid out by ``papers.statistics``.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from motcua.reporting.models import ReportJob

from . import statistics


def _scope_arg(scope: str) -> str | None:
    return None if scope in ("", "province") else scope


def run_job(job_id: int) -> None:
    """Build the file of a ReportJob, writing its progress as it goes."""
    job = ReportJob.objects.get(pk=job_id)
    if job.state == ReportJob.DONE:
        return

    def progress(pct: int, message: str) -> None:
        ReportJob.objects.filter(pk=job_id).update(state=ReportJob.RUNNING, progress=min(99, pct), message=message)

    progress(1, "Bắt đầu")
    try:
        if job.kind == "xlsx":
            data = statistics.build_xlsx(_scope_arg(job.scope), job.start, job.end, progress=progress)
        else:
            data = statistics.build_docx(_scope_arg(job.scope), job.start, job.end, progress=progress)
    except Exception as exc:
        ReportJob.objects.filter(pk=job_id).update(state=ReportJob.FAILED, message=f"Lỗi: {exc}"[:255],
                                                   finished_at=timezone.now())
        raise
    name = f"bao-cao-{job.scope}-{job.start:%Y%m%d}-{job.end:%Y%m%d}.{job.kind}"
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().get(pk=job_id)
        job.file.save(name, ContentFile(data), save=False)
        job.state, job.progress, job.message, job.finished_at = ReportJob.DONE, 100, "Hoàn thành", timezone.now()
        job.save()


@task
def build_report(job_id: int) -> None:
    run_job(job_id)


def start_job(*, kind: str, scope: str, start, end, user=None) -> ReportJob:
    """Create the job and queue its build once the row is committed."""
    job = ReportJob.objects.create(kind=kind, scope=scope or "province", start=start, end=end,
                                   requested_by=user if getattr(user, "pk", None) else None)
    transaction.on_commit(lambda: build_report.enqueue(job.pk))
    return job
