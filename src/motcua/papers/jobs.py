"""The run of a background paper build, shared by every job row that has ``state``, ``progress``, ``message``,
``file`` and ``finished_at`` (``reporting.ReportJob``, ``transformation.PaperJob``): the page polls that row."""

from __future__ import annotations

from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from motcua.documents import transactional


def run_build(model, job_id: int, build: Callable, file_name: Callable, *, queryset=None) -> None:
    """Build the file of job ``job_id``: ``build(job, progress)`` returns its bytes, ``file_name(job)`` its name.

    Progress is written as it goes; a failure is recorded on the row (and raised); a finished job is left alone,
    also when another run of it finished while this one was building (a task delivered twice). The file is
    written inside the transaction that records it, so a failure of that transaction removes the file again
    (documents.transactional) instead of leaving it on disk with no row naming it.
    """
    job = (queryset if queryset is not None else model.objects).get(pk=job_id)
    if job.state == model.DONE:
        return

    unfinished = model.objects.filter(pk=job_id).exclude(state=model.DONE)  # a run that finished stays finished

    def progress(pct: int, message: str) -> None:
        unfinished.update(state=model.RUNNING, progress=min(99, pct), message=message)

    progress(1, "Bắt đầu")
    try:
        data = build(job, progress)
    except Exception as exc:
        unfinished.update(state=model.FAILED, message=f"Lỗi: {exc}"[:255], finished_at=timezone.now())
        raise
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=job_id)
        if locked.state == model.DONE:
            return
        field = locked.file.field
        locked.file.name = transactional.save(field.storage, field.generate_filename(locked, file_name(job)),
                                              ContentFile(data))
        locked.state, locked.progress, locked.message, locked.finished_at = model.DONE, 100, "Hoàn thành", timezone.now()
        locked.save()
