"""The units' own steps: open the new unit and its committee, close the old ones, tell the other systems.

The old committees stop receiving dossiers as soon as the new one exists (first step), so nothing new lands
on them while the other steps move what they hold; the old units close last, with their end date (the day
before the resolution takes effect) and their successor (Decree 118/2025 two-level local government:
a merged commune's successor takes over its procedures and dossiers).
"""

from __future__ import annotations

import datetime as dt

from motcua.audit.services import record
from motcua.outbox.services import emit

from ..models import CLOSE_STEP, AdministrativeUnit, Agency, Counter, ReorganizationPlan, ReorganizationProgress
from ..services import commune_counter, commune_departments, ensure_commune_agency
from .base import Step, Targets, agency_label, steps

LEVEL_LABELS = dict(AdministrativeUnit.LEVELS)
TOPIC = "units.reorganized"


def _day(value: dt.date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else "—"


@steps.register("units.open")
class OpenUnit(Step):
    order = 0
    title = "Đơn vị hành chính và cơ quan mới"
    outcome_labels = {"created": "đơn vị mới được thành lập"}

    def preview(self, t: Targets):
        new, agency = t.new_unit, t.new_agency
        rows = [["Đơn vị mới", f"{new.name} (mã {new.code}), cấp {LEVEL_LABELS.get(new.level, new.level).lower()}, "
                               f"hiệu lực từ {_day(t.plan.effective_date)}"],
                ["Cơ quan mới", f"{agency_label(agency)}" + ("" if t.started else " — mã định danh dự kiến")],
                ["Phòng chuyên môn", ", ".join(name for _, name in commune_departments(new.level))]]
        rows += [["Ngừng tiếp nhận hồ sơ", agency_label(a)] for a in t.old_agencies if a.is_active]
        return self.section(headers=["", ""], rows=rows, counts={"created": 0 if t.started else 1})

    def pending(self, t: Targets):
        return [] if t.started else [("open", None)]

    def apply(self, t: Targets, key, item, actor):
        plan = t.plan
        unit = AdministrativeUnit.objects.create(code=plan.new_code, name=plan.new_name, level=plan.new_level,
                                                 parent=t.province, valid_from=plan.effective_date)
        prefix = t.old_agencies[0].code.split(".")[0] if t.old_agencies else None
        agency = ensure_commune_agency(unit, prefix or t.new_agency.code.split(".")[0])
        ReorganizationPlan.objects.filter(pk=plan.pk).update(new_unit=unit, new_agency=agency)
        plan.new_unit, plan.new_agency = unit, agency
        # The old committees stop receiving now: nothing new lands on them while the next steps run.
        Agency.objects.filter(pk__in=t.old_agency_ids).update(is_active=False)
        detail = {"unit_code": unit.code, "agency_code": agency.code,
                  "stopped_receiving": sorted(a.code for a in t.old_agencies)}
        record(actor, "units.unit_opened", "units.AdministrativeUnit", unit.pk, {"plan": plan.pk, **detail})
        return "created", detail


@steps.register("units.counters")
class Counters(Step):
    order = 5
    title = "Quầy Bộ phận Một cửa"

    def preview(self, t: Targets):
        rows = [[agency_label(c.agency), c.name, "đóng"] for c in
                Counter.objects.filter(agency__in=t.old_agency_ids, is_active=True).select_related("agency")]
        if t.started:
            rows += [[agency_label(t.new_agency), c.name, "mở"] for c in t.new_agency.counters.filter(is_active=True)]
        else:
            rows.append([agency_label(t.new_agency), commune_counter(t.new_agency.short_name)[1], "mở"])
        return self.section(headers=["Cơ quan", "Quầy", ""], rows=rows)


@steps.register(CLOSE_STEP)
class CloseUnits(Step):
    order = 90
    title = "Đơn vị hành chính cũ"
    outcome_labels = {"closed": "đơn vị cũ ngừng hoạt động"}

    def preview(self, t: Targets):
        end = t.plan.effective_date - dt.timedelta(days=1)
        rows = [[f"{u.name} (mã {u.code})", ", ".join(a.code for a in t.old_agencies if a.admin_unit_id == u.pk),
                 f"hoạt động đến hết ngày {_day(end)}", f"{t.new_unit.name} / {agency_label(t.new_agency)}"]
                for u in t.old_units]
        return self.section(headers=["Đơn vị", "Mã cơ quan (giữ nguyên)", "Kết thúc", "Đơn vị, cơ quan kế thừa"],
                            rows=rows, counts={"closed": sum(1 for u in t.old_units if u.is_active)})

    def pending(self, t: Targets):
        return [(u.code, u) for u in t.old_units if u.is_active]

    def apply(self, t: Targets, key, unit, actor):
        unit = AdministrativeUnit.objects.select_for_update().get(pk=unit.pk)
        if not unit.is_active:
            return None
        end = t.plan.effective_date - dt.timedelta(days=1)
        unit.is_active, unit.replaced_by, unit.valid_to = False, t.new_unit, end
        unit.save(update_fields=["is_active", "replaced_by", "valid_to"])
        agencies = Agency.objects.filter(admin_unit=unit)
        codes = sorted(agencies.values_list("code", flat=True))
        Counter.objects.filter(agency__in=agencies).update(is_active=False)
        agencies.update(is_active=False, successor=t.new_agency)
        detail = {"unit_code": unit.code, "valid_to": end.isoformat(), "replaced_by": t.new_unit.code,
                  "agency_codes": codes, "successor_agency_code": t.new_agency.code}
        record(actor, "units.unit_closed", "units.AdministrativeUnit", unit.pk, {"plan": t.plan.pk, **detail})
        return "closed", detail


def notice(t: Targets) -> dict:
    """The ``units.reorganized`` outbox payload: the national portal and webhooks learn the new agency code
    and which codes it succeeds (motcua.integrations delivers it)."""
    plan = t.plan
    procedures = t.new_agency.procedure_codes() if t.started else []
    return {
        "plan_id": plan.pk, "resolution_number": plan.resolution_number,
        "resolution_date": plan.resolution_date.isoformat(), "effective_date": plan.effective_date.isoformat(),
        "unit": {"code": t.new_unit.code, "name": t.new_unit.name, "level": t.new_unit.level},
        "agency": {"code": t.new_agency.code, "name": t.new_agency.name},
        "predecessors": [{"unit_code": u.code, "unit_name": u.name,
                          "agency_codes": [a.code for a in t.old_agencies if a.admin_unit_id == u.pk]}
                         for u in t.old_units],
        "procedure_codes": procedures,
    }


@steps.register("units.notify")
class Notify(Step):
    order = 95
    title = "Thông báo cho Cổng Dịch vụ công quốc gia và các hệ thống kết nối"
    outcome_labels = {"sent": "thông báo sắp xếp đơn vị gửi qua hàng đợi sự kiện"}

    def _sent(self, t: Targets) -> bool:
        return ReorganizationProgress.objects.filter(plan=t.plan, step="units.notify").exists()

    def preview(self, t: Targets):
        rows = [[TOPIC, f"{a.code} → {t.new_agency.code}"] for a in t.old_agencies]
        return self.section(headers=["Sự kiện", "Mã định danh cũ → mới"], rows=rows,
                            counts={"sent": 0 if self._sent(t) else 1})

    def pending(self, t: Targets):
        return [("notice", None)]

    def apply(self, t: Targets, key, item, actor):
        body = notice(t)
        event = emit(TOPIC, "administrative_unit", t.new_unit.pk, body)
        record(actor, TOPIC, "units.AdministrativeUnit", t.new_unit.pk, {"plan": t.plan.pk, "event": event.pk})
        return "sent", {"event_id": event.pk}
