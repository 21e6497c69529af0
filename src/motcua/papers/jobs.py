"""The run of a background paper build, shared by every job row that has ``state``, ``progress``, ``message``,
``file`` and ``finished_at`` (``reporting.ReportJob``, ``transformation.PaperJob``): the page polls that row."""

from __future__ import annotations

from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone


def run_build(model, job_id: int, build: Callable, file_name: Callable, *, queryset=None) -> None:
    """Build the file of job ``job_id``: ``build(job, progress)`` returns its bytes, ``file_name(job)`` its name.

    Progress is written as it goes; a failure is recorded on the row (and raised); a finished job is left alone.
    """
    job = (queryset if queryset is not None else model.objects).get(pk=job_id)
    if job.state == model.DONE:
        return

    def progress(pct: int, message: str) -> None:
        model.objects.filter(pk=job_id).update(state=model.RUNNING, progress=min(99, pct), message=message)

    progress(1, "Bắt đầu")
    try:
        data = build(job, progress)
    except Exception as exc:
        model.objects.filter(pk=job_id).update(state=model.FAILED, message=f"Lỗi: {exc}"[:255],
                                               finished_at=timezone.now())
        raise
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=job_id)
        locked.file.save(file_name(job), ContentFile(data), save=False)
        locked.state, locked.progress, locked.message, locked.finished_at = model.DONE, 100, "Hoàn thành", timezone.now()
        locked.save()
