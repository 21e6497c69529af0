"""Procedures and process steps follow a reorganization of administrative units (motcua.units.reorganization).

A procedure the old committees received is received, afterwards, by the agency the plan names for it, or
by the new unit's committee; the old committees no longer appear among its receiving agencies (public
procedure pages, the submission form). A process step done by an old committee is done by the new one.

An agency whose successor an administrator records in the admin (a department merged into another, no plan:
units.succession) hands its procedures and process steps to the successor the same way (``SuccessorReceives``).
"""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone

from motcua.audit.models import AuditEntry
from motcua.audit.services import record
from motcua.core.money import format_number
from motcua.core.text import first_few
from motcua.units import receiving
from motcua.units.models import ReorganizationProgress
from motcua.units.reorganization import Step, Targets, agency_label, steps
from motcua.units.succession import SUCCESSION_ON, Caution, Follower, followers

from .models import Procedure, ProcessStep

KIND_LABELS = dict(Procedure._meta.get_field("agency_kind").choices)
PROCEDURE_REASSIGNED = "catalog.procedure_reassigned"


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
    whether its new agency already had it) and the successors recorded since (their moves' audit entries). Other changes to the links keep no history: they read as they are
    now."""
    codes = set(agency_codes)
    offered = set(Procedure.agencies.through.objects.filter(agency__code__in=codes)
                  .values_list("procedure__code", flat=True))
    moves = [(at, code, detail) for code, detail, at in ReorganizationProgress.objects.filter(
        step="catalog.procedures", outcome="moved", done_at__gt=moment).order_by("-done_at", "-id")
        .values_list("key", "detail", "done_at")]
    moves += [(at, data["code"], data) for data, at in AuditEntry.objects.filter(  # a successor's (no plan)
        action=PROCEDURE_REASSIGNED, data__has_key=SUCCESSION_ON, at__gt=moment).values_list("data", "at")]
    for _at, code, detail in sorted(moves, key=lambda move: move[0], reverse=True):  # newest first: back to how it was
        if detail.get("to") in codes and not detail.get("already_offered"):
            offered.discard(code)
        if codes & set(detail.get("from") or ()):
            offered.add(code)
    return offered


def hand_over_procedure(actor, proc: Procedure, old_ids, taker, why: dict) -> dict | None:
    """``taker`` receives ``proc`` instead of the agencies ``old_ids`` that received it, which stop being listed
    (public procedure pages, the submission form; their past periods' figures keep it: ``offered_as_of``); a taker
    that already received it (a collision) keeps one link. Audited with ``why`` (the plan, or the succession).
    What moved (None when none of them received it any more)."""
    olds = list(proc.agencies.filter(pk__in=old_ids).order_by("code"))
    if not olds:
        return None
    already = proc.agencies.filter(pk=taker.pk).exists()
    proc.agencies.add(taker)
    proc.agencies.remove(*olds)
    detail = {"from": [a.code for a in olds], "to": taker.code, "already_offered": already}
    record(actor, PROCEDURE_REASSIGNED, "catalog.Procedure", proc.pk, {**why, "code": proc.code, **detail})
    return detail


def hand_over_step(actor, step: ProcessStep, old_ids, agency, why: dict) -> dict | None:
    """The process step ``step`` done by one of the agencies ``old_ids`` is done by ``agency``; audited with ``why``.
    What moved (None when the step is no longer theirs)."""
    if not ProcessStep.objects.filter(pk=step.pk, agency_id__in=old_ids).update(agency=agency):
        return None
    detail = {"procedure": step.procedure.code, "order": step.order, "from": step.agency.code, "to": agency.code}
    record(actor, "catalog.process_step_reassigned", "catalog.ProcessStep", step.pk, {**why, **detail})
    return detail


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
        detail = hand_over_procedure(actor, proc, t.old_agency_ids, t.taker(proc.code), {"plan": t.plan.pk})
        return ("moved", detail) if detail else None


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
        detail = hand_over_step(actor, step, t.old_agency_ids, t.new_agency, {"plan": t.plan.pk})
        return ("moved", detail) if detail else None


@followers.register("catalog.procedures")
class SuccessorReceives(Follower):
    """The procedures the agency receives are received by the successor an administrator recorded, and the process
    steps it did are done by the successor, as a merger's plan moves them (``Procedures``, ``ProcessSteps``): intake
    takes the agency's procedures at the successor (it refused them, ``agency_not_offering``, where the portal now
    sends citizens), and the agency, no longer working, stops being listed for them."""

    order = 10  # before the portal's follower, which says what the catalog still misses

    def follow(self, actor, agency, successor, on):
        why = {SUCCESSION_ON: on.isoformat()}
        moved = [detail for proc in Procedure.objects.filter(agencies=agency).order_by("code")
                 if (detail := hand_over_procedure(actor, proc, [agency.pk], successor, why))]
        done = [step for step in ProcessStep.objects.filter(agency=agency).select_related("procedure", "agency")
                .order_by("procedure__code", "order") if hand_over_step(actor, step, [agency.pk], successor, why)]
        said = []
        if moved:
            said.append(f"{format_number(len(moved))} thủ tục của {agency.name} chuyển cho {successor.name} tiếp nhận")
            if already := sum(detail["already_offered"] for detail in moved):
                said[-1] += f" ({format_number(already)} thủ tục {successor.name} đã tiếp nhận trước)"
        if done:
            said.append(f"{format_number(len(done))} bước xử lý liên thông do {agency.name} thực hiện chuyển cho "
                        f"{successor.name}")
        return f"Danh mục: {'; '.join(said)}." if said else ""


@followers.register("catalog.agency_kind")
class OtherKindOfAgency(Follower):
    """The agency's procedures that the catalog says another kind of agency decides (``Procedure.agency_kind``: a
    provincial department's procedure handed to a service center, say) move to the successor all the same
    (``SuccessorReceives``), as a merger's preview only remarks on them; the administrator is warned, with their codes,
    to check who receives them."""

    order = 12  # after the catalog's follower, before the portal's
    SHOWN = 10  # codes named

    def follow(self, actor, agency, successor, on):
        odd = list(Procedure.objects.filter(code__in=self.procedure_codes).exclude(agency_kind=successor.kind)
                   .order_by("code").values_list("code", "agency_kind"))
        if not odd:
            return ""
        named = first_few((f"{code} ({KIND_LABELS.get(kind, kind)})" for code, kind in odd), self.SHOWN)
        return Caution(f"Lưu ý: {format_number(len(odd))} thủ tục chuyển cho {successor.name} "
                       f"({KIND_LABELS.get(successor.kind, successor.kind)}) có cơ quan có thẩm quyền theo danh mục "
                       f"thuộc loại khác: {named}. Kiểm tra lại cơ quan tiếp nhận các thủ tục này trong danh "
                       "mục thủ tục hành chính.")
