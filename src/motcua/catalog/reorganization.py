"""Procedures and process steps follow a reorganization of administrative units (motcua.units.reorganization).

A procedure the old committees received is received, afterwards, by the agency the plan names for it, or
by the new unit's committee; the old committees no longer appear among its receiving agencies (public
procedure pages, the submission form). A process step done by an old committee is done by the new one.
"""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone

from motcua.audit.services import record
from motcua.units import receiving
from motcua.units.models import ReorganizationProgress
from motcua.units.reorganization import Step, Targets, agency_label, steps

from .models import Procedure, ProcessStep

KIND_LABELS = dict(Procedure._meta.get_field("agency_kind").choices)


def offered_by_old(t: Targets) -> dict[Procedure, list]:
    """Procedures received by an old committee → those committees (by procedure code)."""
    through = Procedure.agencies.through
    out: dict[Procedure, list] = defaultdict(list)
    links = (through.objects.filter(agency_id__in=t.old_agency_ids).select_related("procedure", "agency")
             .order_by("procedure__code", "agency__code"))
    for link in links:
        out[link.procedure].append(link.agency)
    return dict(out)


def offered_as_of(agency_codes, moment) -> set[str]:
    """Codes of the procedures the agencies ``agency_codes`` received at ``moment`` (explicitly: their links),
    undoing the reorganizations applied since (each moved procedure's progress row names where it came from and
    whether its new agency already had it). Other changes to the links keep no history: they read as they are
    now."""
    codes = set(agency_codes)
    offered = set(Procedure.agencies.through.objects.filter(agency__code__in=codes)
                  .values_list("procedure__code", flat=True))
    moves = (ReorganizationProgress.objects.filter(step="catalog.procedures", outcome="moved", done_at__gt=moment)
             .order_by("-done_at", "-id").values_list("key", "detail"))
    for code, detail in moves:  # newest first: back to how it was
        if detail.get("to") in codes and not detail.get("already_offered"):
            offered.discard(code)
        if codes & set(detail.get("from") or ()):
            offered.add(code)
    return offered


def _closed_on_taking(agency, t: Targets) -> str:
    """Why ``agency`` cannot take over the old committees' procedures and dossiers ("" when it can): it must
    receive (units.receiving) from the plan's effective date, and on the day the plan is approved or applied when
    later; an agency whose unit closes or closed by then would leave them with nobody."""
    for day in sorted({t.plan.effective_date, max(t.plan.effective_date, timezone.localdate())}):
        if refused := receiving.handover_refusal(agency, day):
            return refused.message
    return ""


@steps.register("catalog.procedures")
class Procedures(Step):
    order = 10
    title = "Thủ tục hành chính chuyển giao"
    outcome_labels = {"moved": "thủ tục chuyển sang cơ quan tiếp nhận mới"}

    def validate(self, t: Targets):
        errors = []
        offered = {p.code for p in offered_by_old(t)}
        existing = set(Procedure.objects.filter(code__in=list(t.assignments)).values_list("code", flat=True))
        for code, agency in sorted(t.assignments.items()):
            if code not in existing:
                errors.append(f"Không có thủ tục mã {code} trong danh mục.")
            elif code not in offered:
                errors.append(f"Thủ tục {code} không do đơn vị nào được sắp xếp tiếp nhận.")
            if agency.pk in t.old_agency_ids:
                errors.append(f"{agency.name} thuộc đơn vị được sắp xếp, không thể nhận thủ tục {code}.")
            elif not agency.is_active:
                errors.append(f"{agency.name} đã ngừng hoạt động, không thể nhận thủ tục {code}.")
            elif closed := _closed_on_taking(agency, t):
                errors.append(f"Thủ tục {code}: {closed}")
        return errors

    def preview(self, t: Targets):
        rows, notes = [], []
        offered = offered_by_old(t)
        for proc, olds in offered.items():
            taker = t.taker(proc.code)
            remarks = []
            if len(olds) > 1:
                remarks.append(f"trùng ở {len(olds)} đơn vị cũ, gộp làm một")
            if taker.pk is not None and taker.procedures.filter(pk=proc.pk).exists():
                remarks.append("cơ quan nhận đã có thủ tục này")
            if proc.agency_kind and proc.agency_kind != taker.kind:
                remarks.append(f"cơ quan có thẩm quyền theo danh mục: {KIND_LABELS.get(proc.agency_kind, '')}")
            rows.append([proc.code, proc.name, ", ".join(a.code for a in olds), agency_label(taker),
                         "; ".join(remarks)])
            if len(olds) > 1:
                notes.append(f"Thủ tục {proc.code} được {', '.join(a.code for a in olds)} cùng tiếp nhận: "
                             f"sau sắp xếp chỉ còn {taker.code}.")
        return self.section(headers=["Mã", "Thủ tục", "Đang tiếp nhận tại", "Sau sắp xếp", "Ghi chú"], rows=rows,
                            notes=notes, counts={"moved": len(offered)})

    def pending(self, t: Targets):
        return [(proc.code, proc) for proc in offered_by_old(t)]

    def apply(self, t: Targets, key, proc, actor):
        olds = list(proc.agencies.filter(pk__in=t.old_agency_ids).order_by("code"))
        if not olds:
            return None
        taker = t.taker(proc.code)
        already = proc.agencies.filter(pk=taker.pk).exists()
        proc.agencies.add(taker)
        proc.agencies.remove(*olds)
        detail = {"from": [a.code for a in olds], "to": taker.code, "already_offered": already}
        record(actor, "catalog.procedure_reassigned", "catalog.Procedure", proc.pk,
               {"plan": t.plan.pk, "code": proc.code, **detail})
        return "moved", detail


@steps.register("catalog.process_steps")
class ProcessSteps(Step):
    order = 11
    title = "Bước xử lý liên thông do đơn vị cũ thực hiện"
    outcome_labels = {"moved": "bước xử lý chuyển sang cơ quan mới"}

    def _steps(self, t: Targets):
        return list(ProcessStep.objects.filter(agency_id__in=t.old_agency_ids).select_related("procedure", "agency")
                    .order_by("procedure__code", "order"))

    def preview(self, t: Targets):
        found = self._steps(t)
        rows = [[s.procedure.code, f"{s.order}. {s.name}", agency_label(s.agency), agency_label(t.new_agency)]
                for s in found]
        return self.section(headers=["Thủ tục", "Bước", "Đang thực hiện tại", "Sau sắp xếp"], rows=rows,
                            counts={"moved": len(found)})

    def pending(self, t: Targets):
        return [(s.pk, s) for s in self._steps(t)]

    def apply(self, t: Targets, key, step, actor):
        moved = ProcessStep.objects.filter(pk=step.pk, agency_id__in=t.old_agency_ids).update(agency=t.new_agency)
        if not moved:
            return None
        detail = {"procedure": step.procedure.code, "order": step.order, "from": step.agency.code,
                  "to": t.new_agency.code}
        record(actor, "catalog.process_step_reassigned", "catalog.ProcessStep", step.pk, {"plan": t.plan.pk, **detail})
        return "moved", detail
