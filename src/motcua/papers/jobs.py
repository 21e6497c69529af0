"""The run of a background paper build, shared by every job row that has ``state``, ``progress``, ``message``,
``file``, ``created_at``, ``progress_at`` and ``finished_at`` (``reporting.ReportJob``, ``transformation.PaperJob``):
the page polls that row.

A build whose task worker died mid-run (kill -9, a restart) is never run again by django_tasks_db: each step
stamps ``progress_at``, and a running build silent for ``core.stalled.STALLED_AFTER`` is failed by
``core.builds.BuildQuerySet.settled`` (the rows as every page reads them) with ``STALLED_MESSAGE``; the officer
asks for the file again. A long step beats (``progress()`` without arguments, at most every ``BEAT_EVERY``), so
only a dead worker falls silent; a worker stopped cleanly (SIGTERM, Ctrl+C) fails its build at once with
``INTERRUPTED_MESSAGE``. A failed build is queued again by ``retry``.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from motcua.core.errors import DomainError, InvalidTransition
from motcua.documents import transactional

# A build that failed on something unexpected: the officer reads what to do, the exception goes to the log (raised).
FAILED_MESSAGE = "Không tạo được tệp do lỗi của hệ thống. Hãy yêu cầu tạo lại; nếu vẫn lỗi, hãy báo quản trị hệ thống."

INTERRUPTED_MESSAGE = ("Quá trình tạo tệp bị dừng vì máy xử lý được tắt hoặc khởi động lại. Bấm «Tạo lại» để tạo "
                       "lại tệp.")
# A long step writes it is alive this often (a beat is one UPDATE); far below core.stalled.STALLED_AFTER.
BEAT_EVERY = 5.0  # seconds
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class _Abandoned(Exception):
    """The job is no longer this run's (failed as stalled while this run was still going): it stops, writing
    nothing more."""


class _Interrupted(BaseException):
    """The worker was told to stop (SIGTERM, Ctrl+C) during the build: not an ``Exception``, so that no
    ``except Exception`` in a build swallows it."""


@contextmanager
def _failing_on_stop():
    """While the build runs, a stop signal interrupts it (``_Interrupted``) instead of letting it run on until the
    worker's grace period ends in a kill -9; the worker's own handler (django_tasks_db: take no further task, then
    exit) still runs first. Only where a Python handler already handles the signal (the task worker), in the main
    thread (the only one signals reach)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}

    def stop(signum, frame):
        for sig, handler in previous.items():  # a second signal is the worker's again (it exits at once)
            signal.signal(sig, handler)
        previous[signum](signum, frame)
        raise _Interrupted

    for sig, handler in previous.items():
        if callable(handler):
            signal.signal(sig, stop)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


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

    last = time.monotonic()

    def progress(pct: int | None = None, message: str = "") -> None:
        """A step (``pct``, ``message``), or without them a beat of a long step: progress_at only, at most every
        ``BEAT_EVERY``."""
        nonlocal last
        if pct is None and time.monotonic() - last < BEAT_EVERY:
            return
        step = {} if pct is None else {"progress": min(99, pct), "message": message}
        if not mine.update(progress_at=timezone.now(), **step):
            raise _Abandoned
        last = time.monotonic()

    try:
        with _failing_on_stop():
            data = build(job, progress)
    except _Abandoned:
        return
    except (_Interrupted, KeyboardInterrupt, SystemExit):  # SystemExit: the worker's exit on a second signal
        mine.update(state=model.FAILED, message=INTERRUPTED_MESSAGE, finished_at=timezone.now())
        raise
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



def retry(model, job_id: int, enqueue: Callable[[int], object]):
    """Queue failed build ``job_id`` again, as its first request did (``enqueue(pk)`` once committed), and return
    it; the row is locked, so a second click waits and is then refused as running (409 ``build_running``)."""
    with transaction.atomic():
        job = model.objects.select_for_update().get(pk=job_id)
        if job.state in (model.QUEUED, model.RUNNING):
            raise InvalidTransition("build_running", "Tệp đang được tạo, chưa thể tạo lại.")
        if job.state == model.DONE:
            raise InvalidTransition("build_done", "Tệp đã tạo xong, không cần tạo lại.")
        job.state, job.progress, job.message = model.QUEUED, 0, ""
        job.progress_at = job.finished_at = None
        job.save(update_fields=["state", "progress", "message", "progress_at", "finished_at"])
        transaction.on_commit(lambda: enqueue(job.pk))
    return job
