"""The dossier's digitization flags, read from its files (Decision 766 indicators 4.1, 4.2; Circular 03/2025 art. 5:
digitization is the rule), and the officer's confirmation of a digitization job, the one step that makes a scan count.

An online dossier's component files, a paper dossier's confirmed scans, a validly signed result PDF: each flag is one
statement, asked by the lifecycle's transitions under the dossier's lock (``receipt_digitized``, ``result_digitized``,
``result_electronic``); a fact that comes after the transition is recorded by ``mark_digitized`` and
``mark_result_electronic``. The OCR job itself is ``digitization``; who may digitize what is ``digitization_rules``.
"""

from __future__ import annotations

import functools

from django.db import connections, router, transaction
from django.utils import timezone

from motcua.audit.services import record as audit_record
from motcua.catalog.models import ComponentRequirement, ResultType
from motcua.core.cccd import parse_id_number
from motcua.core.errors import ValidationFailed
from motcua.dossiers import lifecycle

from .digitization_rules import named_in_dossier, receipt_digitization_applies
from .models import (
    Attachment,
    AttachmentKind,
    DigitizationJob,
    DigitizationKind,
    JobStatus,
    VaultItem,
    VaultItemKind,
)
from .vault import add_to_vault, file_result


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
    # The status and the confirmed papers are read under the dossier's lock: read before it, a reception committed
    # meanwhile, or another officer's confirmation of the last other paper, would leave the flag unset for good.
    fresh = lifecycle.record_digitization(dossier, kind=kind, by=actor, at=at,
                                          digitized=lambda locked: is_digitized(locked, kind))
    if not getattr(fresh, field):
        return False
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


CONFIRMABLE_FIELDS = ("full_name", "id_number", "date_of_birth", "document_number", "address")


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
        if job.dossier is not None:
            mark_digitized(job.dossier, job.kind, actor=officer, at=at)
    return job

