"""The run of a background paper build, shared by every job row that has ``state``, ``progress``, ``message``,
``file``, ``created_at``, ``progress_at`` and ``finished_at`` (``reporting.ReportJob``, ``transformation.PaperJob``):
the page polls that row.

A build whose task worker died mid-run (kill -9, a restart) is never run again by django_tasks_db: each step
stamps ``progress_at``, and a running build silent for ``core.stalled.STALLED_AFTER`` is failed by
``core.builds.BuildQuerySet.settled`` (the rows as every page reads them) with ``STALLED_MESSAGE``; the officer
asks for the file again.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from motcua.core.errors import DomainError
from motcua.documents import transactional

# A build that failed on something unexpected: the officer reads what to do, the exception goes to the log (raised).
FAILED_MESSAGE = "Không tạo được tệp do lỗi của hệ thống. Hãy yêu cầu tạo lại; nếu vẫn lỗi, hãy báo quản trị hệ thống."


class _Abandoned(Exception):
    """The job is no longer this run's (failed as stalled while this run was still going): it stops, writing
    nothing more."""


def run_build(model, job_id: int, build: Callable, file_name: Callable, *, queryset=None) -> None:
    """Build the file of job ``job_id``: ``build(job, progress)`` returns its bytes, ``file_name(job)`` its name.

    Progress is written as it goes; a failure is recorded on the row (and raised); a finished job is left alone,
    also when another run of it finished while this one was building (a task delivered twice), and so is one
    failed as stalled while this run was still going (``BuildQuerySet.settled``). The file is written inside the
    transaction that records it, so a failure of that transaction removes the file again
    (documents.transactional) instead of leaving it on disk with no row naming it.
    """
    job = (queryset if queryset is not None else model.objects).get(pk=job_id)
    if job.state == model.DONE:
        return
    # Claimed: running from now; a finished job stays finished. Its later writes need it still running.
    if not model.objects.filter(pk=job_id).exclude(state=model.DONE).update(
            state=model.RUNNING, progress=1, message="Bắt đầu", progress_at=timezone.now()):
        return
    mine = model.objects.filter(pk=job_id, state=model.RUNNING)

    def progress(pct: int, message: str) -> None:
        if not mine.update(progress=min(99, pct), message=message, progress_at=timezone.now()):
            raise _Abandoned

    try:
        data = build(job, progress)
    except _Abandoned:
        return
    except Exception as exc:
        # the page reads «Lỗi: …» already; a refusal in Vietnamese is shown as it is, anything else is not the officer's
        told = exc.message if isinstance(exc, DomainError) else FAILED_MESSAGE
        mine.update(state=model.FAILED, message=told[:255], finished_at=timezone.now())
        raise
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=job_id)
        if locked.state != model.RUNNING:  # finished by another delivery, or failed as stalled meanwhile
            return
        field = locked.file.field
        locked.file.name = transactional.save(field.storage, field.generate_filename(locked, file_name(job)),
                                              ContentFile(data))
        locked.state, locked.progress, locked.message, locked.finished_at = model.DONE, 100, "Hoàn thành", timezone.now()
        locked.save()

