"""Plans, their sections and tasks: every change checked (who, which unit, which year) before it is written."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from motcua.core.digits import typed_whole
from motcua.core.errors import InvalidTransition, NotFound, ValidationFailed
from motcua.core.text import fold
from motcua.documents.attachments import store_upload
from motcua.documents.models import AttachmentKind
from motcua.units import lifetime
from motcua.units.models import Agency
from motcua.units.receiving import receiving_on

from .. import permissions
from ..models import Plan, PlanSection, Task
from .catalogue import roman
from .common import audit, stored_user

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_SPAN = 10  # a multi-year report covers at most ten years
RESULT_FIELDS = {"status", "progress", "result", "note"}
TASK_FIELDS = {"section", "number", "content", "explanation", "lead_text", "cooperating_text", "deadline", "year",
               *RESULT_FIELDS}
PLAN_FIELDS = {"title", "number", "legal_basis", "parent", "first_year"}


def default_title(kind: str, year: int, first_year: int | None = None) -> str:
    if kind == Plan.REPORT:
        span = f"từ năm {first_year} đến năm {year}" if first_year and first_year != year else f"năm {year}"
        return f"Báo cáo kết quả thực hiện chuyển đổi số {span}"
    return f"Kế hoạch chuyển đổi số năm {year}"


def _year(value, label="Năm") -> int:
    year = typed_whole(value)
    if year is None:
        raise ValidationFailed("year_invalid", f"{label} không hợp lệ: \u201c{value}\u201d.")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed("year_invalid", f"{label} phải trong khoảng {MIN_YEAR}–{MAX_YEAR}.")
    return year


def _check_parent(plan_year: int, agency, parent: Plan | None, plan: Plan | None = None) -> None:
    if parent is None:
        return
    if plan is not None and (parent.pk == plan.pk or _descends_from(parent, plan)):
        raise ValidationFailed("parent_cycle", "Kế hoạch cấp trên không thể là chính kế hoạch này hoặc kế hoạch cấp dưới "
                                               "của nó.")
    if parent.agency_id == agency.pk:
        raise ValidationFailed("parent_same_unit", "Kế hoạch cấp trên phải của đơn vị khác.")
    if not parent.first_year <= plan_year <= parent.year:
        raise ValidationFailed("parent_year", f"Kế hoạch cấp trên ({parent.title}) không bao trùm năm {plan_year}.")


def _descends_from(plan: Plan, ancestor: Plan) -> bool:
    seen, cur = set(), plan.parent
    while cur is not None and cur.pk not in seen:
        if cur.pk == ancestor.pk:
            return True
        seen.add(cur.pk)
        cur = cur.parent
    return False


def check_unit_existed(agency, year: int, today: dt.date | None = None) -> None:
    """A plan (or report) of ``year`` is of a unit that existed on at least one day of that year (units.lifetime):
    not of one closed before its 1 January — merged («… đã sáp nhập vào … từ ngày …, vui lòng lập kế hoạch cho …»)
    or dissolved —, nor of one created after its 31 December (``plan_unit_closed``, ``plan_unit_not_established``,
    422). A unit that existed part of the year keeps its plan of that year: a ward merged from 01/07/2025 has one for
    2025, imported after the merger. The day a merger takes effect (the resolution's, the day after the old unit's
    last day) is units.lifetime's; this rule is the system's, no legal text sets it."""
    unit = agency.admin_unit
    life = lifetime.of_unit(unit)
    covered = life.cover(dt.date(year, 1, 1), dt.date(year, 12, 31))
    if not covered.absent:
        return
    if covered.not_yet:
        raise ValidationFailed("plan_unit_not_established",
                               f"{unit.name} được thành lập từ ngày {life.first:%d/%m/%Y}, chưa có trong năm {year}: "
                               f"không lập kế hoạch năm {year} cho {agency.name}.")
    told = life.closure_of(unit.name, today or timezone.localdate())
    if not life.merged_into:
        raise ValidationFailed("plan_unit_closed", f"{told}: không lập kế hoạch năm {year} cho {agency.name}.")
    raise ValidationFailed("plan_unit_closed", f"{told}, vui lòng lập kế hoạch năm {year} cho "
                                               f"{_standing_in(agency, year) or life.merged_into}.")


def _standing_in(agency, year: int) -> str:
    """The name of the unit that stood for `agency` in `year`: the first of its successors (recorded by a merger)
    that existed in that year; "" when none did."""
    seen, current = {agency.pk}, agency
    while current.successor_id is not None and current.successor_id not in seen:
        seen.add(current.successor_id)
        current = Agency.objects.select_related("admin_unit__replaced_by").get(pk=current.successor_id)
        if not lifetime.of_unit(current.admin_unit).cover(dt.date(year, 1, 1), dt.date(year, 12, 31)).absent:
            return current.name
    return ""


def create_plan(user, *, agency, year, kind: str = Plan.PLAN, title: str = "", number: str = "", legal_basis: str = "",
                parent: Plan | None = None, first_year=None) -> Plan:
    permissions.require_edit(user, agency)
    year = _year(year)
    check_unit_existed(agency, year)
    first = _year(first_year, "Năm bắt đầu") if first_year not in (None, "") else year
    if kind not in dict(Plan.KINDS):
        raise ValidationFailed("plan_kind_invalid", "Loại phải là kế hoạch hoặc báo cáo.")
    if first > year or year - first >= MAX_SPAN:
        raise ValidationFailed("plan_years_invalid", f"Năm bắt đầu phải từ {year - MAX_SPAN + 1} đến {year}.")
    _check_parent(year, agency, parent)
    plan = Plan(agency=agency, year=year, first_year=first, kind=kind,
                title=(title or "").strip()[:500] or default_title(kind, year, first), number=(number or "").strip()[:64],
                legal_basis=(legal_basis or "").strip(), parent=parent, created_by=stored_user(user))
    try:
        with transaction.atomic():
            plan.save()
            audit(user, "dx.plan_created", "dx_plan", plan.pk, {"agency": agency.code, "year": year, "kind": kind})
    except IntegrityError:
        label = dict(Plan.KINDS)[kind].lower()
        raise ValidationFailed("plan_exists", f"{agency.name} đã có {label} năm {year}.", status=409) from None
    return plan


def update_plan(user, plan: Plan, **fields) -> Plan:
    permissions.require_edit(user, plan.agency)
    unknown = set(fields) - PLAN_FIELDS
    if unknown:
        raise ValidationFailed("invalid_field", f"Không sửa được: {', '.join(sorted(unknown))}.")
    if plan.is_approved and set(fields) & {"first_year", "parent"}:
        raise InvalidTransition("plan_approved", "Kế hoạch đã phê duyệt; mở lại để sửa.")
    if "first_year" in fields:
        first = _year(fields["first_year"], "Năm bắt đầu")
        if first > plan.year or plan.year - first >= MAX_SPAN:
            raise ValidationFailed("plan_years_invalid", f"Năm bắt đầu phải từ {plan.year - MAX_SPAN + 1} đến "
                                                         f"{plan.year}.")
        outside = [t for t in plan.tasks.all() if not _task_in_years(t, first, plan.year)]
        if outside:
            raise ValidationFailed("deadline_outside_plan", "Có nhiệm vụ có thời hạn ngoài các năm mới của kế hoạch.")
        plan.first_year = first
    if "parent" in fields:
        _check_parent(plan.year, plan.agency, fields["parent"], plan)
        plan.parent = fields["parent"]
    for key in ("title", "number", "legal_basis"):
        if key in fields:
            value = (fields[key] or "").strip()
            if key == "title" and not value:
                raise ValidationFailed("title_required", "Cần nhập tên kế hoạch.")
            setattr(plan, key, value[:500] if key == "title" else value[:64] if key == "number" else value)
    plan.save()
    return plan


def approve_plan(user, plan: Plan) -> Plan:
    permissions.require_approve(user, plan, "Chỉ lãnh đạo hoặc quản trị đơn vị phê duyệt kế hoạch.")
    if plan.is_approved:
        raise InvalidTransition("plan_approved", "Kế hoạch đã được phê duyệt.")
    if not plan.tasks.exists():
        raise InvalidTransition("plan_empty", "Kế hoạch chưa có nhiệm vụ nào.")
    with transaction.atomic():
        plan.status, plan.approved_by, plan.approved_at = Plan.APPROVED, stored_user(user), timezone.now()
        plan.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
        audit(user, "dx.plan_approved", "dx_plan", plan.pk, {"agency": plan.agency.code, "year": plan.year})
    return plan


def reopen_plan(user, plan: Plan) -> Plan:
    permissions.require_approve(user, plan, "Chỉ lãnh đạo hoặc quản trị đơn vị mở lại kế hoạch.")
    if not plan.is_approved:
        raise InvalidTransition("plan_not_approved", "Kế hoạch chưa được phê duyệt.")
    with transaction.atomic():
        plan.status, plan.approved_by, plan.approved_at = Plan.DRAFT, None, None
        plan.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
        audit(user, "dx.plan_reopened", "dx_plan", plan.pk, {})
    return plan


def _unlocked(plan: Plan) -> None:
    if plan.is_approved:
        raise InvalidTransition("plan_approved", "Kế hoạch đã phê duyệt: không thêm, bớt, sửa nội dung nhiệm vụ và "
                                                 "kinh phí; lãnh đạo mở lại kế hoạch để sửa.")


# ---- sections ----

def add_section(user, plan: Plan, *, title: str, numeral: str = "", group=None) -> PlanSection:
    permissions.require_edit(user, plan.agency)
    _unlocked(plan)
    title = (title or "").strip()
    if not title:
        raise ValidationFailed("section_title_required", "Cần nhập tên nhóm nhiệm vụ.")
    order = (plan.sections.aggregate(m=Max("order"))["m"] or 0) + 1
    return PlanSection.objects.create(plan=plan, order=order, numeral=(numeral or "").strip()[:16] or roman(order),
                                      title=title[:500], group=group)


def delete_section(user, section: PlanSection) -> None:
    permissions.require_edit(user, section.plan.agency)
    _unlocked(section.plan)
    if section.tasks.exists():
        raise InvalidTransition("section_not_empty", "Nhóm còn nhiệm vụ; chuyển hoặc xóa các nhiệm vụ trước.")
    section.delete()


# ---- tasks ----

def due_date(task: Task) -> dt.date | None:
    if task.deadline:
        return task.deadline
    year = task.year or task.plan.year
    return dt.date(year, 12, 31)


def task_state(task: Task, today: dt.date | None = None, *, reported: bool = False) -> tuple[str, str]:
    """(key, label): done, overdue (computed from the deadline), in_progress, not_started. ``reported``: a row of a
    report (money spent, work done in past years, seed 004 Phụ lục I), which has no deadline left to miss."""
    if task.status == Task.DONE:
        return Task.DONE, "Hoàn thành"
    today = today or timezone.localdate()
    due = due_date(task)
    if due is not None and due < today and not reported:
        return "overdue", "Quá hạn"
    return task.status, dict(Task.STATUSES)[task.status]


def _task_in_years(task: Task, first: int, last: int) -> bool:
    years = [y for y in (task.deadline.year if task.deadline else None, task.year) if y]
    return all(first <= y <= last for y in years)


def check_time(plan: Plan, deadline: dt.date | None, year: int | None) -> None:
    span = str(plan.year) if plan.first_year == plan.year else f"{plan.first_year}–{plan.year}"
    if deadline is not None and not plan.first_year <= deadline.year <= plan.year:
        raise ValidationFailed("deadline_outside_plan", f"Thời hạn {deadline:%d/%m/%Y} nằm ngoài năm của kế hoạch "
                                                        f"({span}).")
    if year is not None and not plan.first_year <= year <= plan.year:
        raise ValidationFailed("deadline_outside_plan", f"Năm thực hiện {year} nằm ngoài năm của kế hoạch ({span}).")


def _clean_task_fields(plan: Plan, fields: dict) -> dict:
    out = {}
    for key, value in fields.items():
        if key not in TASK_FIELDS:
            raise ValidationFailed("invalid_field", f"Không sửa được: {key}.")
        if key == "section":
            if value is None or value.plan_id != plan.pk:
                raise ValidationFailed("section_other_plan", "Nhóm nhiệm vụ không thuộc kế hoạch này.")
        elif key == "content":
            value = (value or "").strip()
            if not value:
                raise ValidationFailed("content_required", "Cần nhập nội dung nhiệm vụ.")
        elif key == "status":
            if value not in dict(Task.STATUSES):
                raise ValidationFailed("status_invalid", "Trạng thái nhiệm vụ không hợp lệ.")
        elif key == "progress":
            value = typed_whole(value)
            if value is None or not 0 <= value <= 100:
                raise ValidationFailed("progress_invalid", "Tiến độ phải là số phần trăm từ 0 đến 100.")
        elif key == "year":
            value = _year(value, "Năm thực hiện") if value not in (None, "") else None
        elif key == "deadline":
            if value not in (None, "") and not isinstance(value, dt.date):
                raise ValidationFailed("deadline_invalid", "Thời hạn phải là ngày dd/mm/yyyy.")
            value = value or None
        elif key == "number":
            value = (value or "").strip()[:16]
        else:
            value = (value or "").strip()
        out[key] = value
    return out


_LEAD_SPLIT = re.compile(r"[,;\n]")
_UBND = re.compile(r"\bubnd\b")


def lead_matcher():
    """A function naming the units in the system that a written "đơn vị chủ trì" names ("Sở Khoa học và Công nghệ",
    "UBND phường Cẩm Thành, Công an tỉnh"): each part separated by a comma or a semicolon that is exactly one active
    agency's name (with or without "tỉnh <province>") or short name; parts naming no single agency ("Các địa
    phương", "UBND các xã") are left to the text. The tasks of a lead unit reach its officers ("my tasks")."""
    def key(text: str) -> str:
        return _UBND.sub("uy ban nhan dan", fold(text)).strip(" .")

    suffix = key(" tỉnh " + settings.MOTCUA_PROVINCE_NAME)
    index: dict[str, list[Agency]] = {}
    for agency in Agency.objects.filter(is_active=True):
        name = key(agency.name)
        for k in {name, name.removesuffix(" " + suffix), key(agency.short_name)} - {""}:
            index.setdefault(k, []).append(agency)

    def match(text: str) -> list[Agency]:
        out = []
        for part in _LEAD_SPLIT.split(text or ""):
            found = index.get(key(part), [])
            if len(found) == 1 and found[0] not in out:
                out.append(found[0])
        return out

    return match


def _done_is_whole(clean: dict) -> None:
    """A task reported done is done in full: its progress is 100 %, whatever was typed beside the status (the plan's
    roll-up counts it so; the page showed «Hoàn thành» with «50 %»)."""
    if clean.get("status") == Task.DONE:
        clean["progress"] = 100


def add_task(user, plan: Plan, *, section: PlanSection, content: str, lead_agencies=(), **fields) -> Task:
    permissions.require_edit(user, plan.agency)
    _unlocked(plan)
    clean = _clean_task_fields(plan, {"section": section, "content": content, **fields})
    check_time(plan, clean.get("deadline"), clean.get("year"))
    _done_is_whole(clean)
    with transaction.atomic():
        order = (plan.tasks.aggregate(m=Max("order"))["m"] or 0) + 1
        clean.setdefault("number", str(plan.tasks.filter(section=section).count() + 1))
        task = Task.objects.create(plan=plan, order=order, updated_by=stored_user(user), **clean)
        lead_agencies = lead_agencies or lead_matcher()(clean.get("lead_text", ""))
        if lead_agencies:
            task.lead_agencies.set(lead_agencies)
    return task


def update_task(user, task: Task, lead_agencies=None, **fields) -> Task:
    plan = task.plan
    structural = (set(fields) - RESULT_FIELDS) or lead_agencies is not None
    if structural:
        permissions.require_edit(user, plan.agency)
        _unlocked(plan)
    else:
        permissions.require_report(user, task)
    clean = _clean_task_fields(plan, fields)
    deadline = clean.get("deadline", task.deadline)
    year = clean.get("year", task.year)
    check_time(plan, deadline, year)
    _done_is_whole(clean)
    if lead_agencies is None and "lead_text" in clean and clean["lead_text"] != task.lead_text:
        lead_agencies = lead_matcher()(clean["lead_text"])
    with transaction.atomic():
        for key, value in clean.items():
            setattr(task, key, value)
        task.updated_by = stored_user(user)
        task.save()
        if lead_agencies is not None:
            task.lead_agencies.set(lead_agencies)
    return task


def delete_task(user, task: Task) -> None:
    permissions.require_edit(user, task.plan.agency)
    _unlocked(task.plan)
    task.delete()


def add_evidence(user, task: Task, file, name: str | None = None):
    """Store a file through the documents app's checked upload and attach it to the task."""
    permissions.require_report(user, task)
    with transaction.atomic():
        owner = stored_user(user)
        att = store_upload(file, owner=owner, kind=AttachmentKind.EVIDENCE, uploaded_by=owner, name=name)
        task.evidence.add(att)
    return att


def unit_agency(code: str):
    """The body a code names: an administrative unit's official code ("51" the province, "21439" a ward) means
    its People's Committee; an agency identity code ("H51.02") means that agency (e.g. a department).

    A unit's code names its committee receiving today (units.receiving), else the committee it had: a unit closed
    (merged or dissolved, by its last day: units.lifetime) is still named by its code, as by its agency's — its plans
    stay readable, and what it may no longer do is refused with why (a round: round_unit_closed), not «not found»."""
    code = (code or "").strip()
    agency = Agency.objects.select_related("admin_unit").filter(code=code).first()
    if agency is not None:
        return agency
    committees = Agency.objects.select_related("admin_unit").filter(
        admin_unit__code=code, kind__in=(Agency.PROVINCIAL_COMMITTEE, Agency.COMMUNE_COMMITTEE))
    committees = list(committees.filter(receiving_on(timezone.localdate()))) or list(committees)
    if len(committees) == 1:
        return committees[0]
    if not committees:
        raise NotFound("unit_not_found", f"Không tìm thấy đơn vị mã \u201c{code}\u201d (mã đơn vị hành chính, ví dụ 51, "
                                         "hoặc mã định danh cơ quan, ví dụ H51.02).")
    raise ValidationFailed("unit_ambiguous", f"Mã \u201c{code}\u201d ứng với nhiều cơ quan; dùng mã định danh cơ quan.")
