"""Digitization (số hóa): OCR of scans into a searchable PDF as a background task, the officer's check of
the extracted fields, and the dossier's digitization flags (Circular 03/2025 art. 5: digitization is the
rule; Decision 766 indicators 4.1, 4.2).

``start_digitization`` queues the task ``digitize`` (run by ``manage.py db_worker``), which runs
``run_digitization`` and saves progress after every page; ``retry_digitization`` queues a failed job again.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import logging
import os
import time

from django.db import connections, router, transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from motcua.accounts.models import Role
from motcua.accounts.permissions import has_role
from motcua.audit.services import record as audit_record
from motcua.catalog.models import ComponentRequirement, ResultType
from motcua.core.cccd import parse_id_number
from motcua.core.errors import ValidationFailed
from motcua.dossiers import lifecycle
from motcua.dossiers.models import Channel, Status

from . import validation
from .attachments import check_component, save_bytes
from .models import (
    STALLED_AFTER,
    Attachment,
    AttachmentKind,
    DigitizationJob,
    DigitizationKind,
    JobStatus,
    VaultItem,
    VaultItemKind,
)
from .vault import add_to_vault, file_result

log = logging.getLogger(__name__)


def is_digitized(dossier, kind: str = DigitizationKind.RECEIPT) -> bool:
    """True when the officer confirmed the digitization: for the result, one confirmed job; at receipt, a
    confirmed job for every required component of the procedure (for a procedure without required
    components, one confirmed job). OCR that finished but was not checked counts for nothing.
    One statement either way (receiving a dossier asks it on every call: receipt_digitized).
    # Decision 766 metric 4.2: a dossier counts as digitized when its components carry files (LEGAL.md §5)
    """
    if dossier is None or dossier.pk is None:
        return False
    receipt = kind == DigitizationKind.RECEIPT
    return _ask(_digitized_sql(_connection().vendor, receipt), [dossier.pk, kind, JobStatus.CONFIRMED]
                + ([dossier.procedure_id, True, dossier.pk, kind, JobStatus.CONFIRMED] if receipt else []))


def _connection():
    """The connection a transition writes on: the flags are asked inside it, under the dossier's lock."""
    return connections[router.db_for_write(DigitizationJob)]


def _ask(sql: str, params: list) -> bool:
    """One statement whose single value is a boolean."""
    with _connection().cursor() as cur:
        cur.execute(sql, params)
        return bool(cur.fetchone()[0])


@functools.cache
def _digitized_sql(vendor: str, receipt: bool) -> str:
    """``is_digitized`` as one statement, built once: a reception asks it on every call, and the ORM took about
    3 ms of CPU to compile the nested EXISTS each time (``bench/lifecycle_cost.py``). A confirmed job, and at
    receipt no required component of the procedure without one."""
    q = connections[router.db_for_write(DigitizationJob)].ops.quote_name
    job = DigitizationJob._meta
    confirmed = (f"SELECT 1 FROM {q(job.db_table)} j WHERE j.{_column(job, 'dossier')} = %s "
                 f"AND j.{_column(job, 'kind')} = %s AND j.{_column(job, 'status')} = %s")
    if not receipt:
        return f"SELECT EXISTS ({confirmed})"
    return _every_required_component(confirmed, f"j.{_column(job, 'component')}")


@functools.cache
def _attached_sql(vendor: str) -> str:
    """``components_attached`` as one statement, built once (a reception asks it): a component file on the
    dossier, and no required component of the procedure without one."""
    q = connections[router.db_for_write(Attachment)].ops.quote_name
    att = Attachment._meta
    attached = f"SELECT 1 FROM {q(att.db_table)} a WHERE a.{_column(att, 'dossier')} = %s AND a.{_column(att, 'kind')} = %s"
    return _every_required_component(attached, f"a.{_column(att, 'component')}")


def _column(meta, name: str) -> str:
    return connections[router.db_for_write(meta.model)].ops.quote_name(meta.get_field(name).column)


def _every_required_component(present: str, component_column: str) -> str:
    """``present`` (a SELECT of the dossier's rows, parameters dossier and kind) holds for the dossier, and for
    each required component of the procedure (parameters procedure, True, then dossier and kind again)."""
    q = connections[router.db_for_write(ComponentRequirement)].ops.quote_name
    comp = ComponentRequirement._meta
    return (f"SELECT EXISTS ({present}) AND NOT EXISTS (SELECT 1 FROM {q(comp.db_table)} c "
            f"WHERE c.{_column(comp, 'procedure')} = %s AND c.{_column(comp, 'is_required')} = %s "
            f"AND NOT EXISTS ({present} AND {component_column} = c.{q(comp.pk.column)}))")


def components_attached(dossier) -> bool:
    """True when the dossier carries a component file (uploaded, or taken from the citizen data repository) for
    every required component of its procedure; for a procedure without required components, one component file.
    One statement. This is how a dossier submitted online is digitized: its components are electronic files
    (``receipt_digitized``)."""
    if dossier is None or dossier.pk is None:
        return False
    kind = AttachmentKind.COMPONENT
    return _ask(_attached_sql(_connection().vendor), [dossier.pk, kind, dossier.procedure_id, True, dossier.pk, kind])


def components_with_files(dossier) -> set[int]:
    """The components of the dossier that carry a file (what ``components_attached`` asks of the required ones),
    for the pages that list them."""
    return set(dossier.attachments.filter(kind=AttachmentKind.COMPONENT).values_list("component_id", flat=True))


def receipt_digitized(dossier) -> bool:
    """The ``digitized_at_receipt`` flag a reception records (Decision 766 indicator 4.2): what the documents
    show, never what the caller says.
    # Decision 766 metric 4.2: a dossier counts as digitized when its components carry files (LEGAL.md §5)
    A dossier submitted online is not scanned (Circular 03/2025 art. 5 exempts
    it: ``receipt_digitization_applies``); it is digitized when its components carry files
    (``components_attached``), as the seeds count it. Any other dossier: every required component's scan
    confirmed by an officer (``is_digitized``). The back office and the API pass this function to
    ``lifecycle.receive``, which asks it on the locked dossier once the reception is allowed (a walk-in reception
    creates its dossier: no scan of it can be confirmed yet, so it records False). A scan confirmed later is
    recorded by ``mark_digitized``."""
    if not receipt_digitization_applies(dossier):
        return components_attached(dossier)
    return is_digitized(dossier, DigitizationKind.RECEIPT)


def result_digitized(dossier, *, born_electronic: bool = False) -> bool:
    """The ``result_digitized`` flag signing records (Decision 766 indicator 4.2): the result is electronic — a PDF
    signed by the platform in this very signing (the back office signs the uploaded file or the reviewed draft:
    documents.results), or a validly signed result PDF already on the dossier (``result_electronic``) — or it is
    on paper and an officer confirmed its scan. One statement, none when ``born_electronic``. A scan confirmed after
    signing is recorded by ``mark_digitized``."""
    return born_electronic or _signed_result(dossier, or_scan_confirmed=True)


def result_electronic(dossier, *, born_electronic: bool = False) -> bool:
    """The ``result_electronic`` flag signing records (Decision 766 indicator 4.1): the result is an electronic
    document — signed by the platform in this very signing (``born_electronic``), or a result PDF bearing a valid
    digital signature already on the dossier (a sector system's result, uploaded as kind ``result``) — never the
    signer's or the caller's word. A scan of a paper result is not one: it makes the result digitized.
    # Decision 766 metric 4.1: a dossier with an electronic result links its result file (LEGAL.md §6)"""
    return born_electronic or _signed_result(dossier)


RESULT_FILE_REQUIRED = "Thủ tục có kết quả là bản điện tử: cần tải lên tệp kết quả (PDF) để ký số."


def result_electronic_only(procedure) -> bool:
    """The procedure's result is an electronic document only (its catalog entry: ``result_type``)."""
    return procedure.result_type == ResultType.ELECTRONIC


def result_electronic_as_required(dossier, *, born_electronic: bool = False, how: str = "") -> bool:
    """``result_electronic`` as every signing asks it, the back office's and the API's (under the lock, like the flag):
    the result of an electronic-only procedure is signed only when it will be electronic — a file given in this
    signing or the template's draft (``born_electronic``: the platform signs it now) or a validly signed result PDF
    already on the dossier. Else ValidationFailed ``result_file_required`` (``how``: how the channel gives the file),
    nothing written. No statement when ``born_electronic``, one otherwise.
    # The catalog's result type: an electronic-only result is issued as a signed electronic document"""
    if result_electronic(dossier, born_electronic=born_electronic):
        return True
    if result_electronic_only(dossier.procedure):
        raise ValidationFailed("result_file_required", f"{RESULT_FILE_REQUIRED} {how}".strip())
    return False


_ANY_DOSSIER = object()


def _validly_signed_results(dossier_id: int):
    """Result PDFs on the dossier bearing a valid digital signature (documents.pki checked it when filed)."""
    return Attachment.objects.filter(dossier_id=dossier_id, kind=AttachmentKind.RESULT, is_signed=True,
                                     signature__valid=True)


def filed_signed_result(dossier) -> Attachment | None:
    """The latest validly signed result PDF filed on the dossier, if any."""
    return _validly_signed_results(dossier.pk).order_by("-id").first()


@functools.cache
def _signed_result_sql(alias: str) -> tuple[str, list]:
    """``EXISTS (a validly signed result PDF on the dossier)`` with its parameters, compiled by the ORM once (the
    JSON look-up differs by database) and kept: signing asks it on every call, and compiling it took about 0,4 ms
    of CPU each time. ``_signed_result`` puts the dossier in."""
    placeholder = -7_000_000_001
    query = _validly_signed_results(placeholder).order_by().values("pk").query
    sql, params = query.get_compiler(using=alias).as_sql()
    return f"EXISTS ({sql})", [_ANY_DOSSIER if p == placeholder else p for p in params]


def _signed_result(dossier, *, or_scan_confirmed: bool = False) -> bool:
    """One statement: a validly signed result PDF is on the dossier (or the result's scan was confirmed)."""
    if dossier is None or dossier.pk is None:
        return False
    connection = _connection()
    signed, params = _signed_result_sql(connection.alias)
    params = [dossier.pk if p is _ANY_DOSSIER else p for p in params]
    if not or_scan_confirmed:
        return _ask(f"SELECT {signed}", params)
    return _ask(f"{_digitized_sql(connection.vendor, False)} OR {signed}",
                [dossier.pk, DigitizationKind.RESULT, JobStatus.CONFIRMED] + params)


def mark_digitized(dossier, kind: str = DigitizationKind.RECEIPT, *, actor=None, at=None) -> bool:
    """Record that the dossier's components (receipt) or its result were digitized.

    Before receipt nothing is written: the reception (back office or API) passes `digitized=receipt_digitized`
    to motcua.dossiers.lifecycle.receive, which sets the flag. A result signed born electronic, or whose scan
    was confirmed before signing, already carries it (`result_digitized`). Only when digitization finishes after
    that transition is the flag written here, through the lifecycle (``record_digitization``: event, audit entry
    and outbox in one transaction; ``at``: when, for data recorded after the fact). Returns True when the flag is
    set now.
    """
    if kind not in DigitizationKind.values:
        raise ValidationFailed("digitization_kind_invalid", "Loại số hóa không hợp lệ.")
    field = "digitized_at_receipt" if kind == DigitizationKind.RECEIPT else "result_digitized"
    if getattr(dossier, field):
        return True
    if not lifecycle.digitization_recordable(dossier, kind):
        return False
    fresh = lifecycle.record_digitization(dossier, kind=kind, by=actor, at=at)
    setattr(dossier, field, True)
    dossier.version = fresh.version
    return True


def mark_result_electronic(attachment: Attachment, *, actor=None) -> bool:
    """A file was just filed on a dossier (an upload of any kind: the API's, the back office's with the return).
    A signed result PDF turns a result signed as not electronic into an electronic one when ``result_electronic``
    says so: the late fact, through the lifecycle (``record_electronic_result``: event, audit entry and outbox event
    ``dossier.result_electronic``, in the upload's transaction; asked under the lock, which a signing waits for, so
    before signing nothing is written and the signing sees the file). Returns True when the result is electronic."""
    dossier = attachment.dossier
    if dossier is None:
        return False
    if dossier.result_electronic:
        return True
    if attachment.kind != AttachmentKind.RESULT or not attachment.is_signed:
        return False
    dossier = lifecycle.record_electronic_result(dossier, electronic=result_electronic, by=actor)
    if dossier.result_electronic:  # the file made it electronic: it is the result the applicant keeps
        file_result(attachment, dossier=dossier, officer=actor)
    return dossier.result_electronic


def issue_filed_result(dossier, *, officer) -> Attachment | None:
    """Signing without a new file made the result electronic from a validly signed result PDF filed on the dossier
    beforehand (over the API, say): that file, the latest such, goes into the applicant's repository as a result
    signed here does. Nothing (and no statement) for a result that is not electronic."""
    if not dossier.result_electronic:
        return None
    filed = filed_signed_result(dossier)
    if filed is not None:
        file_result(filed, dossier=dossier, officer=officer)
    return filed


def _count_pages(att: Attachment, data: bytes) -> int:
    if att.content_type == validation.PDF:
        return len(PdfReader(io.BytesIO(data), strict=False).pages)
    if att.content_type in validation.IMAGE_TYPES:
        with Image.open(io.BytesIO(data)) as im:
            return getattr(im, "n_frames", 1)
    raise ValidationFailed("digitization_type_not_supported",
                           "Chỉ số hóa được bản quét dạng ảnh (JPEG, PNG, TIFF) hoặc PDF.")


def receipt_digitization_applies(dossier) -> bool:
    """Whether a dossier's components are digitized at receipt: not one submitted online, already electronic.
    # Circular 03/2025/TT-VPCP art. 5(a)"""
    return dossier is None or dossier.channel != Channel.ONLINE


# Who digitizes what, and when: the counter screen and the API ask this one rule.
RESULT_STATUSES = (Status.APPROVED, Status.READY_FOR_RETURN, Status.RETURNED)
RESULT_ROLES = (Role.COUNTER_OFFICER, Role.LEADER, Role.SPECIALIST, Role.DEPARTMENT_HEAD)


def may_digitize(user, dossier, kind: str) -> bool:
    """Components: a counter officer of the receiving agency, once submitted. The result: its agency's officers,
    once decided."""
    if kind == DigitizationKind.RECEIPT:
        return (dossier.status != Status.DRAFT and receipt_digitization_applies(dossier)
                and has_role(user, Role.COUNTER_OFFICER, dossier.agency))
    return dossier.status in RESULT_STATUSES and has_role(user, RESULT_ROLES, dossier.current_agency or dossier.agency)


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
    answer), or a stalled one (running, silent for ``STALLED_AFTER``: its worker was killed): queued again for the
    worker through the same task as the start, and audited like it. Only such a job (``digitization_not_failed``,
    409, otherwise: a second click finds it queued). Who may ask is the caller's check (the back office:
    ``may_digitize``)."""
    silent_since = timezone.now() - STALLED_AFTER
    stalled = Q(status=JobStatus.RUNNING) & (Q(progress_at__lt=silent_since) | Q(progress_at__isnull=True,
                                                                                  started_at__lt=silent_since))
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


CONFIRMABLE_FIELDS = ("full_name", "id_number", "date_of_birth", "document_number", "address")


def named_in_dossier(dossier, id_number: str) -> bool:
    """Whether a digitized paper may go into the repository of the person with `id_number`: the dossier's applicant,
    or someone the dossier names (a child on a birth registration, say) — not whoever's number was typed at the
    confirmation. A paper digitized outside any dossier (a backlog of old results) goes to the number confirmed.
    Decree 45/2020/ND-CP art. 9: a person's repository holds their own papers."""
    if dossier is None:
        return True
    if dossier.applicant_id_number == id_number:
        return True
    return any(id_number == "".join(ch for ch in str(value) if ch.isdigit())
               for value in (dossier.form_data or {}).values() if isinstance(value, (str, int)))


def confirm_digitization(job: DigitizationJob, *, officer, fields: dict, title: str | None = None,
                         at=None) -> DigitizationJob:
    """The officer checks the extracted fields: only now is the component (or the result) digitized, with who
    and when (``at``: the moment, for data recorded after the fact; default now), and the dossier's flag set once
    everything it needs is confirmed (is_digitized); the copy then joins the repository of the person it belongs to,
    when the dossier names that person (named_in_dossier)."""
    if job.status not in (JobStatus.DONE, JobStatus.CONFIRMED):
        raise ValidationFailed("digitization_not_finished", "Lượt số hóa chưa hoàn thành, chưa thể xác nhận.")
    clean = {k: str(v).strip() for k, v in (fields or {}).items() if k in CONFIRMABLE_FIELDS and str(v).strip()}
    id_number = clean.get("id_number") or (job.dossier.applicant_id_number if job.dossier else "")
    if id_number:
        clean["id_number"] = parse_id_number(id_number).value
    with transaction.atomic():
        job.status = JobStatus.CONFIRMED
        job.confirmed_fields = clean
        job.confirmed_at = at or timezone.now()
        job.confirmed_by = officer
        job.save(update_fields=["status", "confirmed_fields", "confirmed_at", "confirmed_by"])
        audit_record(officer, "document.digitize_confirm", "digitization_job", job.pk, {"fields": clean}, at=at)
        if id_number and job.output_id and named_in_dossier(job.dossier, clean["id_number"]):
            is_result = job.kind == DigitizationKind.RESULT
            name = title or (job.component.name if job.component else None) or (
                (job.dossier.procedure.result_name if is_result and job.dossier else "") or "Giấy tờ đã số hóa")
            if not VaultItem.objects.filter(attachment_id=job.output_id, id_number=clean["id_number"]).exists():
                add_to_vault(job.output, id_number=clean["id_number"], title=name,
                             kind=VaultItemKind.RESULT if is_result else VaultItemKind.COMPONENT,
                             source_dossier=job.dossier, actor=officer, fields=clean, at=at)
        if job.dossier is not None and is_digitized(job.dossier, job.kind):
            mark_digitized(job.dossier, job.kind, actor=officer, at=at)
    return job


@task(queue_name="default")
def digitize(job_id: int) -> dict:
    """OCR a digitization job's scans; progress is saved on the job after every page."""
    job = run_digitization(job_id)
    return {"job": job.pk, "status": job.status, "pages_done": job.pages_done}
