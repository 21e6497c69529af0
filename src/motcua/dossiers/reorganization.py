"""Dossiers not closed before a reorganization of administrative units took effect follow it
(motcua.units.reorganization).

Every dossier received by (or in the hands of) an old committee and not in a final status moves through the
lifecycle (``lifecycle.transfer_agency``: its event, audit entry and outbox event each), to the agency that
takes over its procedure; so does one the old committee closed between the effective date and the applying day
of a plan applied late (which ones: ``lifecycle.reorganization.moves_under``), so that what it did then counts for
the new unit. Dossiers closed before the effective date stay where they were: the old committee's history,
reachable from its successor's statistics.

A department whose successor an administrator records in the admin (no plan: units.succession) hands its open
dossiers to the successor the same way (dossiers.handover_save's ``SuccessorTakesDossiers``, through ``move_dossier``).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from motcua.core.errors import InvalidTransition
from motcua.core.money import format_number
from motcua.core.text import first_few
from motcua.units.dissolution import Blocker, blockers
from motcua.units.reorganization import Step, Targets, agency_label, steps

from . import lifecycle
from .lifecycle.guards import TERMINAL
from .lifecycle.reorganization import moves_under
from .models import Dossier, Status

STATUS_LABELS = dict(Status.choices)


def open_at(agency_ids):
    """The dossiers not in a final status that these agencies received or hold."""
    return Dossier.objects.exclude(status__in=TERMINAL).filter(Q(agency_id__in=agency_ids) |
                                                               Q(current_agency_id__in=agency_ids))


def held_at(agency_ids):
    """The dossiers sent to these agencies (not a citizen's draft, never sent) and not yet in a final status: what
    nobody would handle once their unit has closed."""
    return open_at(agency_ids).exclude(status=Status.DRAFT)


def moved_dossiers(t: Targets):
    """What the plan moves: the old committees' dossiers not closed before it took effect (``moves_under``)."""
    ids = t.old_agency_ids
    return (Dossier.objects.filter(Q(agency_id__in=ids) | Q(current_agency_id__in=ids)).filter(moves_under(t.plan))
            .select_related("procedure", "agency", "current_agency", "assignee").order_by("agency__code", "pk"))


@blockers.register("dossiers.open")
class OpenDossiers(Blocker):
    """A dissolved unit's open dossiers would wait for nobody, overdue for ever: they are finished first (nothing but a
    merger's plan, this step, moves a dossier to another agency). A citizen's draft was never sent to the unit: it
    does not hold it, and stays the citizen's (the portal offers it again with the agencies that still receive)."""

    SHOWN = 5  # codes named in the message

    def reason(self, agency_ids):
        held = held_at(agency_ids)
        count = held.count()
        if not count:
            return ""
        codes = first_few([c for c in held.order_by("code").values_list("code", flat=True)[:self.SHOWN] if c],
                          self.SHOWN, total=count)
        return (f"Các cơ quan của đơn vị đang giữ {format_number(count, 0)} hồ sơ đã nộp chưa kết thúc "
                f"({codes}): đơn vị chỉ ngừng hoạt động ở đây khi các hồ sơ này đã được giải quyết "
                "và trả kết quả, hoặc từ chối, dừng giải quyết (trang Cán bộ của cơ quan); không có chức năng chuyển "
                "hồ sơ sang cơ quan khác ngoài phương án sắp xếp. Nếu đơn vị được sáp nhập vào đơn vị khác, hãy thực "
                "hiện qua «Sắp xếp đơn vị» (Cán bộ → Sắp xếp đơn vị, hoặc lệnh manage.py reorganize_units): phương "
                "án sắp xếp chuyển các hồ sơ này sang đơn vị mới.")


def destination(t: Targets, d: Dossier):
    """(receiving agency, agency holding it) after the move."""
    old = t.old_agency_ids
    receiving = t.taker(d.procedure.code) if d.agency_id in old else d.agency
    if d.current_agency_id in old:
        holder = receiving if d.current_agency_id == d.agency_id else t.new_agency
    else:
        holder = d.current_agency
    return receiving, holder


def _moment(value) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y") if value else "—"


@steps.register("dossiers.in_flight")
class InFlight(Step):
    order = 30
    title = "Hồ sơ đang giải quyết"
    outcome_labels = {"moved": "hồ sơ chuyển sang cơ quan mới (giữ mã, lịch sử, ngày hẹn trả)",
                      "moved_closed": "hồ sơ đã kết thúc từ ngày nghị quyết có hiệu lực, tính cho cơ quan mới"}

    def preflight(self, t: Targets, actor):
        first = moved_dossiers(t).first()
        if first is not None:
            lifecycle.GUARDS["transfer_agency"](first, actor)  # the provincial administrator's role

    def preview(self, t: Targets):
        rows, per_unit = [], {}
        dossiers = list(moved_dossiers(t))
        for d in dossiers:
            receiving, holder = destination(t, d)
            unit = t.unit_of(d.agency_id) or t.unit_of(d.current_agency_id)
            per_unit[unit.name] = per_unit.get(unit.name, 0) + 1
            where = agency_label(d.agency) + (f"; đang ở {d.current_agency.code}"
                                              if d.current_agency_id not in (None, d.agency_id) else "")
            to = agency_label(receiving) + (f"; xử lý tại {holder.code}" if holder is not None and
                                            holder.code != receiving.code else "")
            rows.append([unit.name, d.code or f"Bản nháp #{d.pk}", STATUS_LABELS.get(d.status, d.status),
                         d.procedure.code, where, to, _moment(d.due_at),
                         d.assignee.full_name or d.assignee.username if d.assignee_id else ""])
        closed = sum(d.status in TERMINAL for d in dossiers)
        facts = [(f"Hồ sơ chuyển từ {name}", str(n)) for name, n in per_unit.items()]
        notes = ["Người xử lý không còn phân quyền ở cơ quan mới được bỏ giao; lãnh đạo cơ quan mới phân công lại."]
        if closed:
            notes.append(f"{closed} hồ sơ đơn vị cũ đã kết thúc từ ngày {t.plan.effective_date:%d/%m/%Y} (ngày nghị "
                         "quyết có hiệu lực) cũng chuyển sang cơ quan mới: việc tiếp nhận, giải quyết, trả kết quả từ "
                         "ngày đó được tính cho đơn vị mới; người nộp không nhận tin nhắn vì hồ sơ không đổi gì.")
        return self.section(headers=["Đơn vị cũ", "Mã hồ sơ", "Trạng thái", "Thủ tục", "Hiện tại", "Sau sắp xếp",
                                     "Hẹn trả (giữ nguyên)", "Người xử lý"],
                            rows=rows, facts=facts, notes=notes if dossiers else [],
                            counts={"moved": len(dossiers) - closed, "moved_closed": closed})

    def pending(self, t: Targets):
        return [(d.pk, d) for d in moved_dossiers(t)]

    def apply(self, t: Targets, key, d, actor):
        taker, _holder = destination(t, d)
        moved = move_dossier(actor, d, t.plan, taker)
        if moved is None:
            return None
        outcome = "moved_closed" if moved.status in TERMINAL else "moved"
        return outcome, {"code": moved.code, "status": moved.status, "from": d.agency.code, "to": moved.agency.code,
                         "current": moved.current_agency.code if moved.current_agency_id else None}


def move_dossier(actor, d: Dossier, plan, to_agency) -> Dossier | None:
    """``d`` goes to ``to_agency`` (``lifecycle.transfer_agency``: same code, history and appointment; its event, audit
    entry and outbox event, which tells the national portal, the statistics and the applicant) under ``plan``: a
    merger's plan being applied, or a successor recorded in the admin (``lifecycle.Succession``). None when it moved
    or closed since it was listed."""
    try:
        return lifecycle.transfer_agency(d.pk, officer=actor, plan=plan, to_agency=to_agency)
    except InvalidTransition as exc:
        if exc.code in ("dossier_not_on_old_unit", "invalid_transition"):
            return None
        raise
