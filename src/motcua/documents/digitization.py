"""Digitization (số hóa) jobs: OCR of scans into a searchable PDF as a background task, its retry, and a stalled
run's hand-over (Circular 03/2025 art. 5: digitization is the rule).

``start_digitization`` queues the task ``digitize`` (run by ``manage.py db_worker``; queued tasks are stored by this
module path), which runs ``run_digitization`` and saves progress after every page; ``retry_digitization`` queues a
failed or stalled job again. A finished job digitizes nothing yet: the officer's confirmation and the dossier's flags
are ``digitization_flags``; who may digitize what is ``digitization_rules``.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import time

from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from motcua.audit.services import record as audit_record
from motcua.core.errors import ValidationFailed
from motcua.core.stalled import silent

from . import validation
from .attachments import check_component, save_bytes
from .digitization_rules import receipt_digitization_applies
from .models import Attachment, AttachmentKind, DigitizationJob, DigitizationKind, JobStatus

log = logging.getLogger(__name__)


def _count_pages(att: Attachment, data: bytes) -> int:
    if att.content_type == validation.PDF:
        return len(PdfReader(io.BytesIO(data), strict=False).pages)
    if att.content_type in validation.IMAGE_TYPES:
        with Image.open(io.BytesIO(data)) as im:
            return getattr(im, "n_frames", 1)
    raise ValidationFailed("digitization_type_not_supported",
                           "Chỉ số hóa được bản quét dạng ảnh (JPEG, PNG, TIFF) hoặc PDF.")


def start_digitization(*, sources: list[Attachment], actor, dossier=None, kind: str = DigitizationKind.RECEIPT,
                       component=None, at=None, run_now: bool = False) -> DigitizationJob:
    """Queue OCR of scans into a searchable PDF; the worker (manage.py db_worker) runs it. ``at``: when the job was
    started, for data recorded after the fact (the demo's history); default now. ``run_now``: run the OCR here
    (``run_digitization``, the task's body) instead of queuing it, and return the finished job: for data recorded
    in one process, where no worker runs (the demo's history), so that no task is left queued behind it."""
    if not sources:
        raise ValidationFailed("digitization_no_source", "Chưa có bản quét nào để số hóa.")
    if kind not in DigitizationKind.values:
        raise ValidationFailed("digitization_kind_invalid", "Loại số hóa không hợp lệ.")
    if kind == DigitizationKind.RECEIPT and not receipt_digitization_applies(dossier):
        raise ValidationFailed("digitization_online_dossier", "Hồ sơ nộp trực tuyến: thành phần hồ sơ đã ở dạng "
                                                              "điện tử, không số hóa khi tiếp nhận.")
    check_component(dossier, component)
    total = 0
    for att in sources:
        if dossier is not None and att.dossier_id not in (None, dossier.pk):
            raise ValidationFailed("attachment_other_dossier", "Bản quét thuộc hồ sơ khác.")
        total += _count_pages(att, att.read())
    with transaction.atomic():
        job = DigitizationJob.objects.create(dossier=dossier, kind=kind, component=component, pages_total=total,
                                             created_by=actor if getattr(actor, "pk", None) else None,
                                             created_at=at or timezone.now())
        job.sources.set(sources)
        audit_record(actor, "document.digitize_start", "digitization_job", job.pk,
                     {"dossier": getattr(dossier, "pk", None), "kind": kind, "pages": total}, at=at)
        if not run_now:
            _enqueue_after_commit(job.pk)
    return run_digitization(job.pk, at=at) if run_now else job


def retry_digitization(job: DigitizationJob, *, actor) -> DigitizationJob:
    """Run a failed job's OCR again, once what stopped it has passed (the worker was stopped, the storage did not
    answer), or a stalled one (running, silent for ``core.stalled.STALLED_AFTER``: its worker was killed): queued
    again for the worker through the same task as the start, and audited like it. Only such a job (``digitization_not_failed``,
    409, otherwise: a second click finds it queued). Who may ask is the caller's check (the back office:
    ``may_digitize``)."""
    stalled = Q(status=JobStatus.RUNNING) & silent("progress_at", "started_at")
    with transaction.atomic():
        queued = DigitizationJob.objects.filter(Q(status=JobStatus.FAILED) | stalled, pk=job.pk).update(
            status=JobStatus.QUEUED, pages_done=0, task_id="", started_at=None, progress_at=None, finished_at=None)
        if not queued:
            raise ValidationFailed("digitization_not_failed",
                                   "Lượt số hóa này không bị lỗi (đang nhận dạng hoặc đã xong), không cần nhận dạng lại.",
                                   status=409)
        audit_record(actor, "document.digitize_retry", "digitization_job", job.pk,
                     {"dossier": job.dossier_id, "kind": job.kind, "pages": job.pages_total, "error": job.officer_error})
        _enqueue_after_commit(job.pk)
    job.refresh_from_db()
    return job


def _enqueue_after_commit(job_id: int) -> None:
    """Queue the task ``digitize`` for the job once the caller's transaction commits (the worker must see the job),
    and keep the task's id on the job."""
    def _enqueue():
        result = digitize.enqueue(job_id)
        DigitizationJob.objects.filter(pk=job_id, task_id="").update(task_id=str(result.id)[:64])

    transaction.on_commit(_enqueue)


SCAN_UNREADABLE = ("Không đọc được tệp bản quét “{name}”: tệp bị hỏng hoặc quét chưa trọn. Quét lại giấy tờ và tải "
                   "lên từ trang hồ sơ.")
RUN_INTERRUPTED = ("Lượt nhận dạng bị gián đoạn do sự cố của hệ thống. Bấm “Thử nhận dạng lại”; nếu vẫn không được, "
                   "quét lại giấy tờ và tải lên từ trang hồ sơ.")


class _Unreadable(Exception):
    """A scan whose bytes cannot be turned into page images: only a new scan helps."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


def _pages(att: Attachment, ocr) -> list:
    """The page images of one scan. Reading the stored bytes may fail for a while (the storage): that propagates as
    it is; bytes that do not decode into pages are ``_Unreadable``."""
    data = att.read()
    try:
        pages = ocr.pages_from_file(data, att.content_type)
    except Exception as exc:  # poppler and Pillow's decoders fail in many shapes on a damaged file
        raise _Unreadable(att.original_name) from exc
    if not pages:
        raise _Unreadable(att.original_name)
    return pages


def run_digitization(job_id: int, *, at=None) -> DigitizationJob:
    """Body of the background task: OCR every page, saving progress after each one.

    A page whose text cannot be recognised (Tesseract fails, handwriting, …) goes into the digitized PDF as its
    image alone and is listed in ``pages_unrecognized``: the scan is a valid electronic copy all the same, and the
    officer types the fields from it before confirming. Only a scan that cannot be read as pages (``SCAN_UNREADABLE``)
    or a fault of the system (``RUN_INTERRUPTED``; the worker being stopped too) leaves the job failed, with what to
    do in Vietnamese in ``error`` and the technical detail in the log and ``error_detail``. A job that is not queued
    or failed is left as it is (a second task for the same job does nothing). ``at``: when it ran, for data recorded
    after the fact (the demo's history): it started then and finished as long after as it took; default now."""
    from . import ocr  # OpenCV and Tesseract load in the task worker only, not in every web process

    started, clock = at or timezone.now(), time.monotonic()

    def now():
        return started + dt.timedelta(seconds=time.monotonic() - clock) if at else timezone.now()

    claimed = DigitizationJob.objects.filter(pk=job_id, status__in=(JobStatus.QUEUED, JobStatus.FAILED)).update(
        status=JobStatus.RUNNING, started_at=started, progress_at=started, finished_at=None, pages_done=0, error="",
        error_detail="", pages_unrecognized=[])
    job = DigitizationJob.objects.get(pk=job_id)
    if not claimed:
        return job
    # This run's own row: once the job was given to another run (retried as stalled), this one writes nothing more.
    mine = DigitizationJob.objects.filter(pk=job_id, status=JobStatus.RUNNING, started_at=started)
    try:
        texts, pdfs, unrecognized, details = [], [], [], []
        for att in job.sources.order_by("id"):
            for page in _pages(att, ocr):
                number = len(pdfs) + 1
                try:
                    result = ocr.ocr_image(page, want_pdf=True)
                except Exception as exc:  # the text is lost, not the page: it is kept as an image
                    log.warning("digitization job %s: text of page %s not recognised", job.pk, number, exc_info=True)
                    unrecognized.append(number)
                    details.append(f"trang {number}: {exc.__class__.__name__}: {exc}")
                    texts.append("")
                    pdfs.append(ocr.image_pdf(page))
                else:
                    texts.append(result.text)
                    pdfs.append(result.pdf)
                if not mine.update(pages_done=len(pdfs), progress_at=now()):
                    raise _Abandoned
        merged = ocr.merge_pdfs(pdfs)
        text = "\n\f\n".join(texts)
        fields = ocr.extract_fields(text)
        first = job.sources.order_by("id").first()
        stem = os.path.splitext(first.original_name)[0] if first else "ban-so-hoa"
        finished = now()
        with transaction.atomic():  # the copy and the job's result together, or neither when no longer this run's
            output = save_bytes(merged, inspection=validation.Inspection(validation.PDF, ".pdf", len(pdfs)),
                                original_name=f"{stem}-so-hoa.pdf"[:255], owner=first.owner if first else None,
                                dossier=job.dossier, component=job.component, kind=AttachmentKind.DIGITIZED,
                                uploaded_by=job.created_by, at=finished)
            # Done, not digitized: the dossier's flag waits for the officer's confirmation (confirm_digitization).
            if not mine.update(status=JobStatus.DONE, pages_done=len(pdfs),
                               pages_total=max(len(pdfs), job.pages_total), text=text, fields=fields, output=output,
                               finished_at=finished, progress_at=finished, pages_unrecognized=unrecognized,
                               error_detail="\n".join(details)[:2000]):
                raise _Abandoned
    except _Abandoned:
        log.warning("digitization job %s: run of %s abandoned, the job was given to another run", job.pk, started)
    except _Unreadable as exc:
        log.warning("digitization job %s: scan %r cannot be read as pages", job.pk, exc.name, exc_info=True)
        _failed(mine, SCAN_UNREADABLE.format(name=exc.name), exc.__cause__ or exc, now())
    except Exception as exc:  # the worker must record the failure for the officer, not crash silently
        log.exception("digitization job %s failed", job.pk)
        _failed(mine, RUN_INTERRUPTED, exc, now())
    except BaseException as exc:  # the worker is being stopped (SystemExit, KeyboardInterrupt): retry possible
        log.warning("digitization job %s interrupted by %s", job.pk, exc.__class__.__name__)
        _failed(mine, RUN_INTERRUPTED, exc, now())
        raise
    return DigitizationJob.objects.get(pk=job.pk)


class _Abandoned(Exception):
    """The job was given to another run (retried as stalled) while this one was still going: it stops, writing
    nothing (the file it may have stored is an orphan, removed by documents.orphans)."""


def _failed(run, message: str, exc: BaseException, at) -> None:
    """The job failed: the officer reads ``message`` (what to do); the exception is for administrators. ``run``:
    the job's row while it is still this run's."""
    run.update(status=JobStatus.FAILED, finished_at=at, error=message[:2000],
               error_detail=f"{exc.__class__.__name__}: {exc}"[:2000])


@task(queue_name="default")
def digitize(job_id: int) -> dict:
    """OCR a digitization job's scans; progress is saved on the job after every page."""
    job = run_digitization(job_id)
    return {"job": job.pk, "status": job.status, "pages_done": job.pages_done}
