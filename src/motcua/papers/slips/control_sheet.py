"""The control sheet that travels with the dossier (Mẫu 05): each hand-over, and whether each step was early, on
time or late."""

from __future__ import annotations

from motcua.core.errors import ValidationFailed
from motcua.dossiers.lifecycle import receiving_agency_at, step_timeliness, timeliness

from ..decree30 import Decree30Document, Run
from .forms import CONTROL_SHEET
from .layout import issue_day, officer_name, slip_document, time_date

OUTCOME_EARLY, OUTCOME_ON_TIME, OUTCOME_LATE = "Trước hạn", "Đúng hạn", "Quá hạn"
_OUTCOME_LABELS = {"early": OUTCOME_EARLY, "on_time": OUTCOME_ON_TIME, "late": OUTCOME_LATE,
                   "in_progress_on_time": "Đang xử lý, trong hạn", "in_progress_late": "Đang xử lý, quá hạn"}


def step_outcome(step_run) -> str:
    """Outcome of a step for the control sheet (trước hạn / đúng hạn / quá hạn); the grading rule
    lives in the lifecycle (motcua.dossiers.lifecycle.step_timeliness)."""
    return _OUTCOME_LABELS.get(step_timeliness(step_run) or "", "")


def _handover_rows(dossier) -> list[list]:
    """One row per hand-over (DossierEvent written by the lifecycle) with the outcome of the step
    handed over (Circular 01/2018 Mẫu 05; LEGAL.md §2.2 [C9])."""
    def counter(moment) -> str:  # the one-stop counter of the receiving agency then (units may merge meanwhile)
        return f"Bộ phận Một cửa — {receiving_agency_at(dossier, moment).name}"

    steps = {s.order: s for s in dossier.procedure.steps.select_related("agency")}
    runs = list(dossier.step_runs.select_related("step").all())
    events = dossier.events.select_related("agency", "to_agency", "step", "actor").order_by("at", "id")

    def where(step, agency) -> str:
        name = step.name if step else ""
        if agency is not None and agency.pk != dossier.agency_id:
            return f"{name} — {agency.name}" if name else agency.name
        return name or dossier.agency.name

    def run_of(event):
        for run in runs:
            if run.finished_at and run.step_id == event.step_id and abs((run.finished_at - event.at).total_seconds()) < 1:
                return run
        return None

    rows = []
    for e in events:
        actor = f" ({officer_name(e.actor)})" if e.actor_id else ""
        outcome = ""
        if e.action in ("receive", "receive_at_counter"):
            giver, receiver = dossier.applicant_name, counter(e.at) + actor
        elif e.action == "start_processing":
            giver, receiver = counter(e.at) + actor, where(e.step, e.to_agency)
        elif e.action == "complete_step":
            nxt = steps.get((e.data or {}).get("next_step"))
            giver = where(e.step, e.agency if e.to_agency_id else None) + actor
            receiver = where(nxt, e.to_agency) if nxt else "Lãnh đạo phê duyệt kết quả"
            outcome = step_outcome(run_of(e)) if run_of(e) else ""
        elif e.action in ("hand_over", "return_from_agency", "transfer_agency"):  # transfer: a merger of units
            giver = (e.agency.name if e.agency_id else "") + actor
            receiver = e.to_agency.name if e.to_agency_id else ""
        elif e.action in ("approve", "reject"):
            giver = (e.step.name if e.step_id else "Lãnh đạo") + actor
            receiver = "Ký, ban hành kết quả" if e.action == "approve" else "Trả lời không giải quyết"
            outcome = step_outcome(run_of(e)) if e.step_id and run_of(e) else ""
        elif e.action == "sign_result":
            giver, receiver = "Lãnh đạo" + actor, counter(e.at)
        elif e.action == "return_result":
            giver, receiver = counter(e.at) + actor, dossier.applicant_name
            outcome = _OUTCOME_LABELS.get(timeliness(dossier) or "", "")
        else:
            continue
        rows.append([len(rows) + 1, f"Giao: {giver}\nNhận: {receiver}", time_date(e.at), outcome, e.note])
    return rows


def build_control_sheet(dossier, slip, data) -> Decree30Document:
    if not dossier.received_at:
        raise ValidationFailed("slip_not_available", "Hồ sơ chưa được tiếp nhận nên chưa có phiếu kiểm soát.")
    day = issue_day(slip, dossier.received_at)
    doc = slip_document(CONTROL_SHEET, dossier, agency=receiving_agency_at(dossier, day), counter=True, day=day, landscape=True)
    doc.paragraph([Run("Mã hồ sơ: "), Run(dossier.code or "", bold=True)], align="center", indent=False)
    doc.field("Tên người nộp", dossier.applicant_name, bold_value=True)
    doc.field("Thủ tục", dossier.procedure.name)
    doc.field("Thời gian nhận hồ sơ", time_date(dossier.received_at))
    doc.field("Thời gian hẹn trả kết quả", time_date(dossier.due_at))
    doc.table(["STT", "Tên cơ quan, bộ phận giao, nhận hồ sơ", "Thời gian giao, nhận hồ sơ",
               "Kết quả giải quyết (trước hạn/đúng hạn/quá hạn)", "Ghi chú"], _handover_rows(dossier),
              widths=[1, 8, 4, 3, 3], align=["center", "left", "center", "center", "left"], size=9)
    return doc
