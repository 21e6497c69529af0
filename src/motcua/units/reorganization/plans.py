"""Drafting and approving a reorganization plan, and what it targets.

Only a provincial administrator (Django permission ``units.manage_reorganization``, granted from the
role by motcua.accounts.backends.RoleBackend) drafts, approves and applies. A draft is edited freely; it
is approved only when ``validate`` finds nothing wrong (units still active, one province, a free code, a
date order, and each step's own checks: procedures and agencies named, roles chosen to end). An approved
plan is frozen; it goes back to draft until it starts.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.utils import timezone

from motcua.audit.services import record
from motcua.core.errors import InvalidTransition, PermissionDenied, ValidationFailed

from ..models import AdministrativeUnit, Agency, PlanProcedure, ReorganizationPlan
from ..services import COMMUNE_LEVELS, commune_committee_name, default_prefix, next_commune_agency_code
from .base import Targets, ordered_steps

PERMISSION = "units.manage_reorganization"
_UNIT_CODE = re.compile(r"^[0-9A-Za-z.]{1,16}$")
_ASSIGNMENT = re.compile(r"^\s*(\S+)\s*(?:=|->|→|\s)\s*(\S+)\s*$")


def require_manager(actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.has_perm(PERMISSION):
        raise PermissionDenied("forbidden", "Chỉ quản trị cấp tỉnh mới được lập, phê duyệt và thực hiện phương án "
                                            "sắp xếp đơn vị hành chính.")


def load_targets(plan: ReorganizationPlan) -> Targets:
    old_units = list(plan.old_units.select_related("parent").order_by("code")) if plan.pk else []
    province = old_units[0].parent if old_units else None
    old_agencies = list(Agency.objects.filter(admin_unit__in=old_units).select_related("admin_unit")
                        .order_by("code"))
    if plan.new_agency_id:
        new_unit, new_agency = plan.new_unit, plan.new_agency
    else:
        new_unit = AdministrativeUnit(code=plan.new_code, name=plan.new_name, level=plan.new_level, parent=province,
                                      valid_from=plan.effective_date)
        name, short = commune_committee_name(new_unit)
        prefix = old_agencies[0].code.split(".")[0] if old_agencies else default_prefix()
        new_agency = Agency(code=next_commune_agency_code(prefix), name=name, short_name=short,
                            kind=Agency.COMMUNE_COMMITTEE)
    assignments = {pp.procedure_code: pp.agency for pp in
                   plan.procedure_assignments.select_related("agency")} if plan.pk else {}
    return Targets(plan=plan, province=province, old_units=old_units, old_agencies=old_agencies, new_unit=new_unit,
                   new_agency=new_agency, assignments=assignments)


def parse_assignments(text: str) -> dict[str, str]:
    """Lines "procedure code = agency code" (or separated by a space or an arrow) → {procedure: agency}."""
    result, errors = {}, []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _ASSIGNMENT.match(line)
        if match is None:
            errors.append(f"Dòng {number}: cần có dạng «mã thủ tục = mã cơ quan».")
            continue
        result[match.group(1)] = match.group(2)
    if errors:
        raise ValidationFailed("assignments_invalid", " ".join(errors), details={"assignments": errors})
    return result


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _check_fields(*, resolution_number, resolution_date, effective_date, old_units, new_code, new_name,
                  new_level) -> dict[str, str]:
    errors = {}
    if not (resolution_number or "").strip():
        errors["resolution_number"] = "Cần nhập số nghị quyết."
    elif len(resolution_number.strip()) > _max_length(ReorganizationPlan, "resolution_number"):
        errors["resolution_number"] = (f"Số nghị quyết dài tối đa "
                                       f"{_max_length(ReorganizationPlan, 'resolution_number')} ký tự.")
    if not isinstance(resolution_date, dt.date):
        errors["resolution_date"] = "Cần nhập ngày ban hành nghị quyết (dd/mm/yyyy)."
    if not isinstance(effective_date, dt.date):
        errors["effective_date"] = "Cần nhập ngày có hiệu lực (dd/mm/yyyy)."
    elif isinstance(resolution_date, dt.date) and effective_date < resolution_date:
        errors["effective_date"] = "Ngày có hiệu lực không được trước ngày ban hành nghị quyết."
    if not old_units:
        errors["old_units"] = "Cần chọn ít nhất một đơn vị hành chính được sắp xếp."
    if not _UNIT_CODE.match((new_code or "").strip()):
        errors["new_code"] = "Mã đơn vị mới gồm chữ số (ví dụ 23456), tối đa 16 ký tự."
    if not (new_name or "").strip():
        errors["new_name"] = "Cần nhập tên đơn vị mới (ví dụ: Xã Hòa Bình)."
    elif len(" ".join(new_name.split())) > _max_length(ReorganizationPlan, "new_name"):
        errors["new_name"] = f"Tên đơn vị mới dài tối đa {_max_length(ReorganizationPlan, 'new_name')} ký tự."
    if new_level not in COMMUNE_LEVELS:
        errors["new_level"] = "Đơn vị mới phải là xã, phường hoặc đặc khu."
    return errors


@transaction.atomic
def save_draft(actor, *, plan: ReorganizationPlan | None = None, resolution_number: str, resolution_date,
               effective_date, old_units, new_code: str, new_name: str,
               new_level: str = AdministrativeUnit.COMMUNE, ended_roles=(), assignments: dict[str, str] | None = None,
               note: str = "") -> ReorganizationPlan:
    """Create or edit a draft. Field errors raise ValidationFailed('plan_invalid', details={field: message});
    whether the plan can be carried out is ``validate``'s answer (shown with the preview)."""
    require_manager(actor)
    if plan is not None:
        plan = ReorganizationPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.status != ReorganizationPlan.DRAFT:
            raise InvalidTransition("plan_not_draft", "Chỉ sửa được phương án đang là bản nháp.")
    old_units = list(old_units or [])
    errors = _check_fields(resolution_number=resolution_number, resolution_date=resolution_date,
                           effective_date=effective_date, old_units=old_units, new_code=new_code, new_name=new_name,
                           new_level=new_level)
    agencies = {a.code: a for a in Agency.objects.filter(code__in=set((assignments or {}).values()))}
    unknown = sorted(set((assignments or {}).values()) - set(agencies))
    longest = _max_length(PlanProcedure, "procedure_code")
    too_long = sorted(code for code in (assignments or {}) if len(code) > longest)
    problems = ([f"Không có cơ quan mã: {', '.join(unknown)}."] if unknown else []) + \
        ([f"Mã thủ tục dài tối đa {longest} ký tự: {', '.join(too_long)}."] if too_long else [])
    if problems:
        errors["assignments"] = " ".join(problems)
    try:
        role_ids = sorted({int(i) for i in ended_roles or ()})
    except (TypeError, ValueError):
        errors["ended_roles"] = "Danh sách phân quyền kết thúc không hợp lệ."
        role_ids = []
    if errors:
        raise ValidationFailed("plan_invalid", "Phương án chưa hợp lệ: " + " ".join(errors.values()), details=errors)
    created = plan is None
    plan = plan or ReorganizationPlan(created_by=actor)
    plan.resolution_number = resolution_number.strip()
    plan.resolution_date, plan.effective_date = resolution_date, effective_date
    plan.new_code, plan.new_name, plan.new_level = new_code.strip(), " ".join(new_name.split()), new_level
    plan.ended_roles, plan.note = role_ids, (note or "").strip()
    plan.save()
    plan.old_units.set(old_units)
    plan.procedure_assignments.all().delete()
    PlanProcedure.objects.bulk_create([PlanProcedure(plan=plan, procedure_code=code, agency=agencies[agency])
                                       for code, agency in sorted((assignments or {}).items())])
    record(actor, "units.reorganization_created" if created else "units.reorganization_edited",
           "units.ReorganizationPlan", plan.pk, _summary(plan))
    return plan


def _summary(plan: ReorganizationPlan) -> dict:
    return {"resolution": plan.resolution_number, "effective_date": plan.effective_date.isoformat(),
            "old_codes": sorted(plan.old_units.values_list("code", flat=True)), "new_code": plan.new_code,
            "new_name": plan.new_name, "ended_roles": plan.ended_roles,
            "assignments": {p.procedure_code: p.agency.code for p in plan.procedure_assignments.all()}}


def validate(plan: ReorganizationPlan, targets: Targets | None = None) -> list[str]:
    """Why the plan cannot be approved or applied now (empty: it can). Vietnamese sentences."""
    targets = targets or load_targets(plan)
    errors = []
    if not targets.old_units:
        errors.append("Chưa chọn đơn vị hành chính nào để sắp xếp.")
    inactive = [u.name for u in targets.old_units if not u.is_active]
    if inactive:
        errors.append(f"Đơn vị đã ngừng hoạt động, không thể sắp xếp: {', '.join(inactive)}.")
    # A run cut short leaves its units active until its last step: a second plan must not split them.
    started = (ReorganizationPlan.objects.filter(status=ReorganizationPlan.APPLYING,
                                                 old_units__in=[u.pk for u in targets.old_units])
               .exclude(pk=plan.pk or 0).distinct().order_by("pk"))
    for other in started:
        names = ", ".join(u.name for u in other.old_units.filter(pk__in=[u.pk for u in targets.old_units]))
        errors.append(f"{names} đang được sắp xếp theo phương án số {other.pk} (đang thực hiện, chưa xong): "
                      "hoàn tất phương án đó trước.")
    if any(u.level not in COMMUNE_LEVELS for u in targets.old_units):
        errors.append("Chỉ sắp xếp các đơn vị cấp xã (xã, phường, đặc khu).")
    if len({u.parent_id for u in targets.old_units}) > 1:
        errors.append("Các đơn vị được sắp xếp phải cùng một tỉnh.")
    taken = AdministrativeUnit.objects.filter(code=plan.new_code).exclude(pk=plan.new_unit_id or 0).first()
    if taken is not None:
        errors.append(f"Mã đơn vị {plan.new_code} đã được dùng cho {taken.name}.")
    for _name, step in ordered_steps():
        errors.extend(step.validate(targets))
    return errors


@transaction.atomic
def approve(plan: ReorganizationPlan, actor) -> ReorganizationPlan:
    require_manager(actor)
    plan = ReorganizationPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != ReorganizationPlan.DRAFT:
        raise InvalidTransition("plan_not_draft", "Chỉ phê duyệt được phương án đang là bản nháp.")
    problems = validate(plan)
    if problems:
        raise ValidationFailed("plan_not_valid", "Chưa thể phê duyệt: " + " ".join(problems),
                               details={"problems": problems})
    plan.status, plan.approved_by, plan.approved_at = ReorganizationPlan.APPROVED, actor, timezone.now()
    plan.save(update_fields=["status", "approved_by", "approved_at"])
    record(actor, "units.reorganization_approved", "units.ReorganizationPlan", plan.pk, _summary(plan))
    return plan


@transaction.atomic
def reopen(plan: ReorganizationPlan, actor) -> ReorganizationPlan:
    """An approved plan that has not started goes back to draft (to correct it)."""
    require_manager(actor)
    plan = ReorganizationPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != ReorganizationPlan.APPROVED:
        raise InvalidTransition("plan_not_approved", "Chỉ trả về bản nháp phương án đã phê duyệt, chưa thực hiện.")
    plan.status, plan.approved_by, plan.approved_at = ReorganizationPlan.DRAFT, None, None
    plan.save(update_fields=["status", "approved_by", "approved_at"])
    record(actor, "units.reorganization_reopened", "units.ReorganizationPlan", plan.pk, {})
    return plan
