"""Targets and their values, reporting rounds, roll-up and the catalogues."""

from __future__ import annotations

from datetime import date

from ninja import File, Form, Router, Status, UploadedFile

from motcua.core.errors import NotFound
from motcua.reporting.indicators import parse_period
from motcua.transformation import measures, permissions
from motcua.transformation.models import FundingSource, ReportingRound, Target, TaskGroup
from motcua.transformation.services import indicators, plans, rollup, rounds

from ..openapi import told
from .common import plan_or_404, visible_or_404
from .schemas import ANSWER_CLOSED, ERRORS, OPEN_CLOSED, AnswerIn, MeasuredOut, RoundIn, RoundOut, TargetIn, ValueOut

router = Router()


def _measured_out(m) -> dict:
    t = m.target
    return {"target_id": t.pk, "name": t.name, "measure": t.measure, "source": m.source, "area": t.area,
            "target": m.target_label, "value": None if m.value is None else str(m.value), "display": m.display,
            "met": m.met, "entered_by": str(m.entered.entered_by) if m.entered and m.entered.entered_by_id else None,
            "entered_at": m.entered.entered_at if m.entered else None,
            "evidence_id": m.entered.evidence_id if m.entered else None}


@router.get("/plans/{id:plan_id}/targets", response={200: list[MeasuredOut], **ERRORS},
            summary="Chỉ tiêu và giá trị đạt được (tính từ thống kê hoặc do đơn vị nhập)")
def list_targets(request, plan_id: int, period: str | None = None, start: str | None = None, end: str | None = None):
    plan = plan_or_404(request, plan_id)
    lo = hi = None
    if period or (start and end):
        lo, hi = parse_period(period, start, end)
    return [_measured_out(m) for m in indicators.measure_targets(plan, lo, hi)]


@router.post("/plans/{id:plan_id}/targets", response={201: MeasuredOut, **ERRORS}, summary="Thêm chỉ tiêu")
def add_target(request, plan_id: int, payload: TargetIn):
    plan = plan_or_404(request, plan_id)
    target = indicators.add_target(request.auth, plan, **payload.dict())
    return Status(201, next(_measured_out(m) for m in indicators.measure_targets(plan) if m.target.pk == target.pk))


@router.post("/targets/{id:target_id}/values", response={201: ValueOut, **ERRORS},
             summary="Nhập giá trị chỉ tiêu (kèm tệp minh chứng)")
def enter_value(request, target_id: int, value: Form[str], period_start: Form[date | None] = None,
                period_end: Form[date | None] = None, note: Form[str] = "", evidence: File[UploadedFile | None] = None):
    target = visible_or_404(request, Target, target_id, "plan", "target_not_found", "Không tìm thấy chỉ tiêu.",
                            "plan__agency")
    row = indicators.enter_value(request.auth, target, value=value, period_start=period_start, period_end=period_end,
                                 note=note[:2000], evidence=evidence, evidence_name=evidence.name if evidence else None)
    return Status(201, {"id": row.pk, "target_id": target.pk, "value": str(row.value), "period_start": row.period_start,
                        "period_end": row.period_end, "note": row.note, "evidence_id": row.evidence_id,
                        "entered_by": str(row.entered_by) if row.entered_by_id else None,
                        "entered_at": row.entered_at})


@router.get("/plans/{id:plan_id}/rollup", response={200: dict, **ERRORS},
            summary="Tổng hợp kế hoạch và các kế hoạch cấp dưới thực hiện nó")
def get_rollup(request, plan_id: int):
    up = rollup.rollup_plan(plan_or_404(request, plan_id))
    return {"year": up.year, "planned_vnd": up.planned_vnd, "disbursed_vnd": up.disbursed_vnd, "tasks": up.tasks,
            "done": up.done, "overdue": up.overdue, "teams": up.teams, "members": up.members, "trained": up.trained,
            "by_source": [{"sources": k, "planned_vnd": v} for k, v in up.by_source],
            "by_group": [{"group": k, "planned_vnd": v} for k, v in up.by_group],
            # a plan's row to whoever may see the plan; a row without a plan (a unit that took over merged ones)
            # to whoever may see that unit (permissions.visible_rows, as on the back office's dashboard)
            "units": [{"unit": r.agency.code, "name": r.agency.name, "plan_id": r.plan.pk if r.plan else None,
                       "status": r.plan.status if r.plan else None,
                       "tasks": r.tasks, "done": r.done, "overdue": r.overdue, "progress": r.progress,
                       "planned_vnd": r.planned_vnd, "disbursed_vnd": r.disbursed_vnd, "teams": r.counts.teams,
                       "members": r.counts.members, "trained": r.counts.trained}
                      for r in permissions.visible_rows(request.auth, up.rows)]}


def _round_out(rnd: ReportingRound, user) -> dict:
    responses = rounds.with_closures(rnd.responses.select_related("agency__successor", "submitted_by", "merged_into",
                                                                  "agency__admin_unit__replaced_by"))
    if not permissions.reads_all(user):  # a merged unit's answers are read by its successor's officers too
        responses = [r for r in responses if permissions.can_view_agency(user, r.agency)]
    return {"id": rnd.pk, "title": rnd.title, "year": rnd.year, "period_start": rnd.period_start,
            "period_end": rnd.period_end, "deadline": rnd.deadline, "status": rnd.status,
            "reported": sum(r.status == "submitted" for r in responses),
            "pending": [r.agency.code for r in responses if r.state == "pending"],
            "responses": [{"unit": r.agency.code, "unit_name": rounds.shown_name(r), "status": r.state,
                           "closure": r.closure or None,
                           "merged_into": r.merged_into.code if r.merged_into_id else None,
                           "submitted_at": r.submitted_at,
                           "submitted_by": str(r.submitted_by) if r.submitted_by_id else None} for r in responses]}


def _round(request, round_id: int) -> ReportingRound:
    rnd = ReportingRound.objects.filter(pk=round_id).first()
    if rnd is None:
        raise NotFound("round_not_found", "Không tìm thấy kỳ báo cáo.")
    return rnd


@router.get("/rounds", response={200: list[RoundOut], **ERRORS}, summary="Kỳ báo cáo")
def list_rounds(request):
    return [_round_out(r, request.auth) for r in ReportingRound.objects.all()[:100]]


@router.post("/rounds", response={201: RoundOut, **ERRORS}, summary="Mở kỳ báo cáo (quản trị cấp tỉnh)",
             openapi_extra=told(**{"409": OPEN_CLOSED}))
def open_round(request, payload: RoundIn):
    data = payload.dict()
    codes = data.pop("units")
    rnd = rounds.open_round(request.auth, agencies=[plans.unit_agency(c) for c in codes] if codes is not None
                            else None, **data)
    return Status(201, _round_out(rnd, request.auth))


@router.get("/rounds/{id:round_id}", response={200: RoundOut, **ERRORS}, summary="Kỳ báo cáo: đơn vị đã, chưa báo cáo")
def get_round(request, round_id: int):
    return _round_out(_round(request, round_id), request.auth)


@router.post("/rounds/{id:round_id}/answer", response={200: RoundOut, **ERRORS}, summary="Đơn vị gửi báo cáo của kỳ",
             openapi_extra=told(**{"409": ANSWER_CLOSED}))
def answer(request, round_id: int, payload: AnswerIn):
    rnd = _round(request, round_id)
    rounds.submit_response(request.auth, rnd, plans.unit_agency(payload.unit))
    return _round_out(rnd, request.auth)


@router.post("/rounds/{id:round_id}/remind", response={200: dict, **ERRORS}, summary="Nhắc ngay các đơn vị chưa báo cáo")
def remind(request, round_id: int):
    rnd = _round(request, round_id)
    permissions.require(permissions.is_provincial_admin(request.auth), "Chỉ quản trị cấp tỉnh gửi nhắc.")
    return {"queued": rounds.send_reminders(rnd=rnd)}


@router.post("/rounds/{id:round_id}/close", response={200: RoundOut, **ERRORS},
             summary="Đóng kỳ báo cáo (quản trị cấp tỉnh): không nhận báo cáo, không nhắc nữa")
def close(request, round_id: int):
    return _round_out(rounds.close_round(request.auth, _round(request, round_id)), request.auth)


@router.get("/catalogue", response={200: dict, **ERRORS}, summary="Danh mục nhóm nhiệm vụ, nguồn vốn, chỉ số")
def catalogue(request):
    return {"groups": [{"code": g.code, "name": g.name, "framework": g.framework}
                       for g in TaskGroup.objects.filter(is_active=True)],
            "sources": [{"code": s.code, "name": s.name} for s in FundingSource.objects.filter(is_active=True)],
            "measures": [{"key": m.key, "label": m.label, "source": m.source, "unit": m.unit, "area": m.area}
                         for m in measures.MEASURES]}
