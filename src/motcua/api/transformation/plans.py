"""Plans, sections, tasks, budget lines, evidence, import and export."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import File, Form, Router, Status, UploadedFile

from motcua.core.downloads import attachment_header
from motcua.core.errors import NotFound, ValidationFailed
from motcua.transformation import permissions
from motcua.transformation.models import BudgetLine, Plan, TaskGroup
from motcua.transformation.money import format_million
from motcua.transformation.services import budget, plans
from motcua.transformation.xlsx.importer import import_plan
from motcua.transformation.xlsx.reader import MAX_BYTES
from motcua.transformation.xlsx.writer import export_plan

from ..openapi import told
from ..values import TRUE_OR_FALSE, TextBoolean, WholeNumber
from .common import line_out, plan_detail, plan_or_404, plan_out, task_or_404, task_out, units, visible_or_404
from .schemas import (
    ERRORS,
    UNIT_ABSENT,
    BudgetLineIn,
    BudgetLineOut,
    BudgetLinePatch,
    ImportOut,
    PlanDetail,
    PlanIn,
    PlanOut,
    PlanPatch,
    SectionIn,
    TaskIn,
    TaskOut,
    TaskPatch,
)

router = Router()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/plans", response={200: list[PlanOut], **ERRORS}, summary="Kế hoạch, báo cáo chuyển đổi số xem được")
def list_plans(request, year: WholeNumber | None = None, unit: str | None = None, kind: str | None = None):
    qs = permissions.visible_plans(request.auth).select_related("agency", "approved_by")
    if year:
        qs = qs.filter(year=year)
    if unit:
        qs = qs.filter(agency=plans.unit_agency(unit))
    if kind:
        qs = qs.filter(kind=kind)
    return [plan_out(p) for p in qs.order_by("-year", "agency__code", "kind")[:500]]


@router.post("/plans", response={201: PlanDetail, **ERRORS}, summary="Lập kế hoạch (hoặc báo cáo) của một đơn vị",
             openapi_extra=told(**{"422": UNIT_ABSENT}))
def create_plan(request, payload: PlanIn):
    parent = plan_or_404(request, payload.parent_id) if payload.parent_id else None
    plan = plans.create_plan(request.auth, agency=plans.unit_agency(payload.unit), year=payload.year,
                             kind=payload.kind, first_year=payload.first_year, title=payload.title,
                             number=payload.number, legal_basis=payload.legal_basis, parent=parent)
    return Status(201, plan_detail(plan))


# Each its own Form: ninja drops the default of ``Form[TextBoolean] = False`` (api.values.TextBoolean).
REPLACE = Form(False, description=TRUE_OR_FALSE)
DRY_RUN = Form(False, description="true: xem trước, không ghi. " + TRUE_OR_FALSE)


@router.post("/plans/import", response={200: ImportOut, 201: ImportOut, **ERRORS},
             summary="Nhập kế hoạch từ .xlsx (dry_run=true: xem trước, không ghi)",
             openapi_extra=told(**{"422": f"Kế hoạch chưa có thì lập như `POST /plans`: {UNIT_ABSENT} Xem trước "
                                            "(`dry_run`) cũng vậy."}))
def import_xlsx(request, file: File[UploadedFile], unit: Form[str], year: Form[WholeNumber], kind: Form[str] = "plan",
                first_year: Form[WholeNumber | None] = None, replace: TextBoolean = REPLACE,
                dry_run: TextBoolean = DRY_RUN):
    if kind not in dict(Plan.KINDS):
        raise ValidationFailed("plan_kind_invalid", "Loại phải là plan (kế hoạch) hoặc report (báo cáo).")
    if file.size and file.size > MAX_BYTES:
        raise ValidationFailed("file_too_large", "Tệp bảng tính vượt quá 5 MB.", status=413)
    result = import_plan(request.auth, file.read(MAX_BYTES + 1), agency=plans.unit_agency(unit), year=year,
                         kind=kind, first_year=first_year, replace=replace, dry_run=dry_run)
    parsed = result.parsed
    found = {id(row): task.pk for row, task in result.received}
    rows = [{"row": t.row, "section": s.title, "number": t.number, "content": t.content,
             "planned": format_million(t.planned_vnd) if t.lines else "",
             "sources": sorted({src.code for li in t.lines for src in li.sources}),
             "received_task": found.get(id(t))}
            for s in parsed.sections for t in s.tasks]
    out = {"plan_id": result.plan.pk if result.plan else None, "created": result.created, "dry_run": dry_run,
           "sections": len(parsed.groups), "tasks": result.tasks, "planned_vnd": parsed.planned_vnd,
           "planned": format_million(parsed.planned_vnd), "rows": rows, "received": len(result.received),
           "received_updated": result.updated, "money_kept": result.money_kept,
           "money_dropped": result.money_dropped, "message": result.notes, "warnings": parsed.warnings}
    return Status(201 if result.created and not dry_run else 200, out)


@router.get("/plans/{id:plan_id}", response={200: PlanDetail, **ERRORS}, summary="Kế hoạch: nhóm, nhiệm vụ, kinh phí")
def get_plan(request, plan_id: int):
    return plan_detail(plan_or_404(request, plan_id))


@router.patch("/plans/{id:plan_id}", response={200: PlanDetail, **ERRORS}, summary="Sửa thông tin kế hoạch")
def patch_plan(request, plan_id: int, payload: PlanPatch):
    plan = plan_or_404(request, plan_id)
    fields = payload.dict(exclude_unset=True)
    if "parent_id" in fields:
        fields["parent"] = plan_or_404(request, fields.pop("parent_id")) if fields["parent_id"] else None
        fields.pop("parent_id", None)
    plans.update_plan(request.auth, plan, **fields)
    return plan_detail(plan)


@router.post("/plans/{id:plan_id}/approve", response={200: PlanOut, **ERRORS}, summary="Phê duyệt kế hoạch")
def approve(request, plan_id: int):
    return plan_out(plans.approve_plan(request.auth, plan_or_404(request, plan_id)))


@router.post("/plans/{id:plan_id}/reopen", response={200: PlanOut, **ERRORS}, summary="Mở lại kế hoạch đã phê duyệt")
def reopen(request, plan_id: int):
    return plan_out(plans.reopen_plan(request.auth, plan_or_404(request, plan_id)))


@router.post("/plans/{id:plan_id}/sections", response={201: dict, **ERRORS}, summary="Thêm nhóm nhiệm vụ")
def add_section(request, plan_id: int, payload: SectionIn):
    plan = plan_or_404(request, plan_id)
    group = None
    if payload.group:
        group = TaskGroup.objects.filter(code=payload.group).first()
        if group is None:
            raise ValidationFailed("group_unknown", f"Không có nhóm \u201c{payload.group}\u201d trong danh mục.")
    s = plans.add_section(request.auth, plan, title=payload.title, numeral=payload.numeral, group=group)
    return Status(201, {"id": s.pk, "numeral": s.numeral, "title": s.title, "group": payload.group})


def _section(plan: Plan, section_id: int):
    """A section of `plan`, else 404: one of another plan answers as a missing one (it tells nothing of a plan the
    caller may not see)."""
    section = plan.sections.filter(pk=section_id).first()
    if section is None:
        raise NotFound("section_not_found", "Không tìm thấy nhóm nhiệm vụ trong kế hoạch này.")
    return section


@router.post("/plans/{id:plan_id}/tasks", response={201: TaskOut, **ERRORS}, summary="Thêm nhiệm vụ")
def add_task(request, plan_id: int, payload: TaskIn):
    plan = plan_or_404(request, plan_id)
    data = payload.dict()
    section = _section(plan, data.pop("section_id"))
    lead = units(data.pop("lead_units"))
    task = plans.add_task(request.auth, plan, section=section, lead_agencies=lead, **data)
    return Status(201, task_out(task))


@router.patch("/tasks/{id:task_id}", response={200: TaskOut, **ERRORS}, summary="Sửa nhiệm vụ, cập nhật kết quả")
def patch_task(request, task_id: int, payload: TaskPatch):
    task = task_or_404(request, task_id)
    data = payload.dict(exclude_unset=True)
    if "section_id" in data:
        data["section"] = _section(task.plan, data.pop("section_id"))
    lead = units(data.pop("lead_units")) if "lead_units" in data else None
    return task_out(plans.update_task(request.auth, task, lead_agencies=lead, **data))


@router.delete("/tasks/{id:task_id}", response={204: None, **ERRORS}, summary="Xóa nhiệm vụ")
def delete_task(request, task_id: int):
    plans.delete_task(request.auth, task_or_404(request, task_id))
    return Status(204, None)


@router.post("/tasks/{id:task_id}/budget-lines", response={201: BudgetLineOut, **ERRORS}, summary="Thêm dòng kinh phí")
def add_line(request, task_id: int, payload: BudgetLineIn):
    task = task_or_404(request, task_id)
    line = budget.add_budget_line(request.auth, task, **payload.dict())
    return Status(201, line_out(line))


def _line(request, line_id: int) -> BudgetLine:
    return visible_or_404(request, BudgetLine, line_id, "task__plan", "budget_line_not_found",
                          "Không tìm thấy dòng kinh phí.", "task__plan__agency")


@router.patch("/budget-lines/{id:line_id}", response={200: BudgetLineOut, **ERRORS}, summary="Sửa kinh phí, giải ngân")
def patch_line(request, line_id: int, payload: BudgetLinePatch):
    line = budget.update_budget_line(request.auth, _line(request, line_id), **payload.dict(exclude_unset=True))
    return line_out(line)


@router.delete("/budget-lines/{id:line_id}", response={204: None, **ERRORS}, summary="Xóa dòng kinh phí")
def delete_line(request, line_id: int):
    budget.delete_budget_line(request.auth, _line(request, line_id))
    return Status(204, None)


@router.post("/tasks/{id:task_id}/evidence", response={201: dict, **ERRORS}, summary="Tải lên tệp minh chứng của nhiệm vụ")
def add_evidence(request, task_id: int, file: File[UploadedFile]):
    att = plans.add_evidence(request.auth, task_or_404(request, task_id), file, name=file.name)
    return Status(201, {"id": att.pk, "name": att.original_name, "content_type": att.content_type, "size": att.size})


@router.get("/plans/{id:plan_id}/export.xlsx", response={200: None, **ERRORS}, summary="Xuất kế hoạch ra .xlsx")
def export_xlsx(request, plan_id: int):
    plan = plan_or_404(request, plan_id)
    resp = HttpResponse(export_plan(plan), content_type=XLSX)
    resp["Content-Disposition"] = attachment_header(f"ke-hoach-{plan.agency.code}-{plan.year}.xlsx")
    return resp
