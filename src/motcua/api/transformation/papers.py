"""Papers over HTTP: the annual report's narrative, and appendices / annual reports built in the background."""

from __future__ import annotations

from typing import Literal

from django.http import FileResponse
from ninja import Field, Router, Schema, Status

from motcua.core.errors import InvalidTransition, NotFound
from motcua.papers.jobs import retry
from motcua.papers.transformation.render import CONTENT_TYPES
from motcua.papers.transformation.tasks import build_paper, start_job
from motcua.transformation import permissions
from motcua.transformation.models import PaperJob
from motcua.transformation.services import annual, plans

from ..values import WholeNumber
from .common import plan_or_404
from .schemas import ERRORS, text

router = Router()
Format = Literal["docx", "xlsx"]


class PaperIn(Schema):
    kind: Literal["task_results", "budget_list", "spending", "plan_budget"]
    format: Format = "docx"


class AnnualIn(Schema):
    unit: str = Field(..., max_length=32)
    year: WholeNumber
    format: Format = "docx"


class NarrativeIn(Schema):
    text: text(annual.MAX_TEXT)


class PaperJobOut(Schema):
    id: int
    kind: str
    format: str
    state: str
    progress: int
    message: str
    file: str | None


def _job_out(job: PaperJob) -> dict:
    return {"id": job.pk, "kind": job.kind, "format": job.fmt, "state": job.state, "progress": job.progress,
            "message": job.message,
            "file": f"/api/v1/transformation/papers/{job.pk}/file" if job.state == PaperJob.DONE else None}


def _unit(request, code: str):
    agency = plans.unit_agency(code)
    if not permissions.can_view_agency(request.auth, agency):
        raise NotFound("unit_not_found", "Không tìm thấy đơn vị.")
    return agency


@router.post("/plans/{id:plan_id}/papers", response={202: PaperJobOut, **ERRORS}, summary="Tạo phụ lục (.docx, .xlsx)")
def plan_paper(request, plan_id: int, payload: PaperIn):
    job = start_job(kind=payload.kind, fmt=payload.format, user=request.auth, plan=plan_or_404(request, plan_id))
    return Status(202, _job_out(job))


@router.post("/annual-reports", response={202: PaperJobOut, **ERRORS}, summary="Tạo báo cáo chuyển đổi số năm của đơn vị")
def annual_report(request, payload: AnnualIn):
    job = start_job(kind="annual", fmt=payload.format, user=request.auth, agency=_unit(request, payload.unit),
                     year=plans._year(payload.year))
    return Status(202, _job_out(job))


@router.get("/annual-reports/{unit}/{id:year}/sections", response={200: dict, **ERRORS},
            summary="Nội dung từng mục của báo cáo năm")
def get_narratives(request, unit: str, year: int):
    return annual.figures(_unit(request, unit), year).narratives


@router.put("/annual-reports/{unit}/{id:year}/sections/{section}", response={200: dict, **ERRORS},
            summary="Ghi nội dung một mục của báo cáo năm")
def put_narrative(request, unit: str, year: int, section: str, payload: NarrativeIn):
    row = annual.save_narrative(request.auth, _unit(request, unit), year, section, payload.text)
    return {"section": row.section, "text": row.text, "updated_at": row.updated_at}


def _job(request, job_id: int) -> PaperJob:
    job = PaperJob.objects.settled(pk=job_id).first()  # a build whose worker died is answered failed
    if job is None or (job.requested_by_id != getattr(request.auth, "pk", None)
                       and not permissions.reads_all(request.auth)):
        raise NotFound("paper_not_found", "Không tìm thấy yêu cầu tạo tệp.")
    return job


@router.get("/papers/{id:job_id}", response={200: PaperJobOut, **ERRORS}, summary="Tiến độ tạo tệp")
def paper_status(request, job_id: int):
    return _job_out(_job(request, job_id))


@router.post("/papers/{id:job_id}/retry", response={202: PaperJobOut, **ERRORS}, summary="Tạo lại tệp bị lỗi")
def paper_retry(request, job_id: int):
    """A failed build queued again; 409 ``build_running`` while it is queued or being built, ``build_done`` once
    built."""
    job = _job(request, job_id)
    if not permissions.can_view_paper_of(request.auth, job):  # its plan or unit no longer the caller's
        raise NotFound("paper_not_found", "Không tìm thấy yêu cầu tạo tệp.")
    return Status(202, _job_out(retry(PaperJob, job.pk, build_paper.enqueue)))


@router.get("/papers/{id:job_id}/file", response={200: None, **ERRORS}, summary="Tải tệp đã tạo")
def paper_file(request, job_id: int):
    job = _job(request, job_id)
    if job.state != PaperJob.DONE or not job.file:
        raise InvalidTransition("paper_not_ready", "Tệp chưa tạo xong.")
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1],
                        content_type=CONTENT_TYPES[job.fmt])
