"""Report files built in the background over HTTP, beside the synchronous ``GET /reporting/report.{kind}``, whose
province-wide year holds a web worker as long as it builds: ``POST /reporting/builds`` queues a build for the task
worker (papers.tasks; the same row and run as the back office's «Lập báo cáo» page), ``GET /reporting/builds/{id}``
reads its progress, ``…/file`` downloads the file once built, ``…/retry`` queues a failed build again.

Mounted on the reporting router (api.main imports it). Who may ask for which unit is the synchronous endpoint's
rule (reporting.access.check_scope). Who may read a build is the back office page's: the officer who asked for it,
or a province-wide role; anyone else is answered 404, as for a build that does not exist. A build whose worker died
is read as failed (``ReportJob.objects.settled``). With an ``Idempotency-Key``, a request sent again (a timeout on a
slow line, a client's retry) gets the build the first one queued, 200 instead of 202, and queues nothing; without
one, a request sent twice queues two builds of the same file.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import FileResponse, HttpResponse
from django.urls import reverse
from ninja import Field, Header, Schema, Status

from motcua.accounts.permissions import is_officer, is_province_wide
from motcua.core.downloads import attachment_header
from motcua.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from motcua.papers import statistics
from motcua.papers.jobs import retry
from motcua.papers.tasks import build_report, start_job
from motcua.reporting.access import check_scope
from motcua.reporting.indicators import period_label
from motcua.reporting.models import ReportJob

from . import idempotency
from .auth import api_auth
from .openapi import told
from .reporting import CONTENT_TYPES, REFUSED, PeriodQuery, _period, _scope, router

NOT_FOUND = ("`report_build_not_found`: không có yêu cầu tạo báo cáo này, hoặc yêu cầu đó không phải của người gọi (chỉ "
             "người yêu cầu và vai trò toàn tỉnh: quản trị tỉnh, thanh tra, xem được).")


IdempotencyKey = Header(None, alias="Idempotency-Key", max_length=100,
                        description="Khóa chống gửi trùng: gửi lại cùng khóa trả về đúng lượt tạo báo cáo đã có.")


class BuildIn(PeriodQuery):
    kind: str = Field(..., max_length=16, description="`docx` (báo cáo theo Nghị định 30/2020) hoặc `xlsx` (bảng số liệu)")


class BuildOut(Schema):
    id: int
    kind: str
    scope: str = Field(..., description="Phạm vi như đã gửi; `province`: toàn tỉnh")
    start: dt.date
    end: dt.date
    period_label: str = Field(..., description="Kỳ báo cáo như người đọc: «tháng 3 năm 2026», «từ ngày 01/03/2026 …»")
    state: str = Field(..., description="`queued`, `running`, `done` hoặc `failed`")
    state_label: str
    progress: int = Field(..., description="Phần trăm đã xong, 0–100")
    message: str = Field(..., description="Bước đang làm, hoặc lý do không tạo được tệp")
    created_at: dt.datetime
    finished_at: dt.datetime | None
    status_url: str
    file_url: str | None = Field(..., description="Địa chỉ tải tệp khi `state` là `done`, không thì null")


def _out(job: ReportJob) -> dict:
    done = job.state == ReportJob.DONE
    return {"id": job.pk, "kind": job.kind, "scope": job.scope, "start": job.start, "end": job.end,
            "period_label": period_label(job.start, job.end), "state": job.state,
            "state_label": job.get_state_display(), "progress": job.progress, "message": job.message,
            "created_at": job.created_at, "finished_at": job.finished_at,
            "status_url": reverse("api:get_report_build", kwargs={"build_id": job.pk}),
            "file_url": reverse("api:get_report_build_file", kwargs={"build_id": job.pk}) if done else None}


def _scope_checked(user, scope: str | None) -> None:
    check_scope(user, statistics.scope_arg(scope))  # as GET /report.{kind}


def _build(request, build_id: int) -> ReportJob:
    job = ReportJob.objects.settled(pk=build_id).first()  # a build whose worker died is read failed
    if job is None or (job.requested_by_id != request.auth.pk and not is_province_wide(request.auth)):
        raise NotFound("report_build_not_found", "Không tìm thấy yêu cầu tạo báo cáo.")
    return job


@router.post("/builds", auth=api_auth, response={202: BuildOut, 200: BuildOut}, openapi_extra=told(**{
    **REFUSED,
    "403": "`forbidden`: chỉ cán bộ mới tạo được báo cáo; cán bộ của một cơ quan chỉ tạo báo cáo của cơ quan mình "
           "(`scope` là mã cơ quan đó, hoặc `lineage:` mã đó); quản trị tỉnh, thanh tra tạo được mọi phạm vi.",
    "422": f"`report_kind`: `kind` chỉ là `docx` hoặc `xlsx`; {REFUSED['422']}"}),
             summary="Yêu cầu tạo báo cáo .docx (Nghị định 30/2020) hoặc .xlsx trong nền",
             description="Kỳ và phạm vi như `GET /reporting/report.{kind}`, gửi trong thân JSON. Trả lời 202 ngay, "
                         "tệp được tạo trong nền: hỏi `status_url` (tiêu đề `Location`) đến khi `state` là `done` rồi "
                         "tải `file_url`; `failed`: `message` nêu lý do, gửi `POST …/retry` để tạo lại. Gửi lại cùng "
                         "`Idempotency-Key` (cùng tài khoản) trả về 200 với đúng lượt tạo đã có, không tạo thêm; "
                         "không có khóa, gửi hai lần là hai lượt tạo.")
def create_report_build(request, payload: BuildIn, response: HttpResponse,
                        idempotency_key: str | None = IdempotencyKey):
    user = request.auth
    if payload.kind not in CONTENT_TYPES:
        raise ValidationFailed("report_kind", "Chỉ có báo cáo .docx hoặc .xlsx.")
    start, end = _period(payload)
    scope = _scope(payload)
    if not is_officer(user):
        raise PermissionDenied("forbidden", "Chỉ cán bộ mới tạo được báo cáo.")
    _scope_checked(user, scope)

    def create() -> ReportJob:
        with transaction.atomic():  # a twin's row committed meanwhile: this one and its queueing are undone
            return start_job(kind=payload.kind, scope=scope, start=start, end=end, user=user,
                             idempotency_key=idempotency_key)

    job, status = idempotency.once(
        idempotency_key, lambda: ReportJob.objects.settled(requested_by=user, idempotency_key=idempotency_key).first(),
        create, created=202)
    out = _out(job)
    response["Location"] = out["status_url"]
    return Status(status, out)


@router.get("/builds/{id:build_id}", auth=api_auth, response={200: BuildOut}, openapi_extra=told(**{"404": NOT_FOUND}),
            summary="Tiến độ tạo báo cáo")
def get_report_build(request, build_id: int):
    return _out(_build(request, build_id))


FILE_DOC = told(**{
    "404": f"{NOT_FOUND} `report_file_not_found`: tệp đã tạo không còn trên máy chủ.",
    "409": "`report_not_ready`: tệp đang chờ hoặc đang được tạo (hỏi lại `status_url`); `report_failed`: không tạo "
           "được tệp (`message` nêu lý do; `POST …/retry` để tạo lại)."})
FILE_DOC["responses"]["200"] = {"description": "Tệp báo cáo.", "content": {
    content_type: {"schema": {"type": "string", "format": "binary"}} for content_type in CONTENT_TYPES.values()}}


@router.get("/builds/{id:build_id}/file", auth=api_auth, response={200: None}, openapi_extra=FILE_DOC,
            summary="Tải tệp báo cáo đã tạo")
def get_report_build_file(request, build_id: int):
    job = _build(request, build_id)
    if job.state == ReportJob.FAILED:
        raise InvalidTransition("report_failed", f"Không tạo được báo cáo: {job.message or job.get_state_display()}")
    if job.state != ReportJob.DONE or not job.file:
        raise InvalidTransition("report_not_ready", f"Báo cáo chưa tạo xong ({job.get_state_display().lower()}, "
                                                    f"{job.progress} %). Hãy hỏi lại tiến độ sau ít giây.")
    try:
        data = job.file.open("rb")
    except FileNotFoundError:
        raise NotFound("report_file_not_found", "Tệp báo cáo không còn trên máy chủ; hãy yêu cầu tạo báo cáo mới.") from None
    resp = FileResponse(data, content_type=CONTENT_TYPES[job.kind])
    resp["Content-Disposition"] = attachment_header(statistics.file_name(job.scope, job.start, job.end, job.kind))
    return resp


@router.post("/builds/{id:build_id}/retry", auth=api_auth, response={202: BuildOut}, openapi_extra=told(**{
    "403": "`forbidden`: phạm vi của báo cáo không còn là của người gọi (đã chuyển đơn vị).",
    "404": NOT_FOUND,
    "409": "`build_running`: tệp đang chờ hoặc đang được tạo; `build_done`: tệp đã tạo xong."}),
             summary="Tạo lại báo cáo không tạo được")
def retry_report_build(request, build_id: int):
    job = _build(request, build_id)
    _scope_checked(request.auth, job.scope)  # still the caller's unit, as the page's «Tạo lại» asks
    return Status(202, _out(retry(ReportJob, job.pk, build_report.enqueue)))
