"""Background builds of the transformation papers (Django tasks; worker: ``manage.py db_worker``), with progress.

The job row (``transformation.PaperJob``) belongs to transformation; the file is laid out here.
"""

from __future__ import annotations

from django.db import transaction
from django.tasks import task

from motcua.core.errors import ValidationFailed
from motcua.transformation.models import PaperJob
from motcua.transformation.services.common import stored_user

from ..jobs import run_build
from . import annual, render

FORMATS = ("docx", "xlsx")


def filename(job: PaperJob) -> str:
    if job.kind == "annual":
        return f"bao-cao-chuyen-doi-so-{job.agency.code}-{job.year}.{job.fmt}"
    return f"{job.kind.replace('_', '-')}-{job.plan.agency.code}-{job.plan.year}.{job.fmt}"


def _build(job: PaperJob, progress) -> bytes:
    if job.kind == "annual":
        build = annual.build_docx if job.fmt == "docx" else annual.build_xlsx
        return build(job.agency, job.year, progress=progress)
    progress(30, "Lập bảng")
    return render.plan_paper(job.kind, job.plan, job.fmt)


def run_job(job_id: int) -> None:
    run_build(PaperJob, job_id, _build, filename, queryset=PaperJob.objects.select_related("plan__agency", "agency"))


@task
def build_paper(job_id: int) -> None:
    run_job(job_id)


def start_job(*, kind: str, fmt: str, user, plan=None, agency=None, year: int | None = None) -> PaperJob:
    """Queue a build (once the row is committed); the caller has checked that the user may see the plan or unit."""
    if fmt not in FORMATS:
        raise ValidationFailed("paper_format", "Chỉ tạo được tệp .docx hoặc .xlsx.")
    if kind not in dict(PaperJob.KINDS):
        raise ValidationFailed("paper_kind", "Loại giấy tờ không có.")
    if (kind == "annual") != (plan is None):
        raise ValidationFailed("paper_kind", "Báo cáo năm lập theo đơn vị và năm; phụ lục lập theo kế hoạch.")
    job = PaperJob.objects.create(kind=kind, fmt=fmt, plan=plan, agency=agency, year=year,
                                  requested_by=stored_user(user))
    transaction.on_commit(lambda: build_paper.enqueue(job.pk))
    return job
