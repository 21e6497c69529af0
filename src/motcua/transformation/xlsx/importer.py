"""Import a plan spreadsheet: validate every row first, then write all of it in one transaction, or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from motcua.core.errors import InvalidTransition, ValidationFailed
from motcua.core.text import fold

from .. import permissions
from ..models import BudgetLine, Plan, PlanSection, Task, TaskHandover
from ..services import plans as plan_services
from ..services.common import audit, stored_user
from ..services.merger import received_count, received_tasks
from .layout import text
from .reader import ParsedPlan, ParsedTask, parse


@dataclass
class ImportResult:
    plan: Plan | None
    parsed: ParsedPlan
    created: bool
    dry_run: bool
    received: list[tuple[ParsedTask, Task]] = field(default_factory=list)  # rows of tasks a merger handed over
    updated: int = 0  # received tasks whose result the file changed
    money_kept: int = 0  # tasks found again whose money the plan keeps (a file without money columns)
    money_dropped: int = 0  # tasks with money the file no longer lists

    @property
    def notes(self) -> str:
        """Everything the officer is told beside the counts."""
        return " ".join(n for n in (self.columns_note, self.money_note, self.received_note) if n)

    @property
    def columns_note(self) -> str:
        """The headings whose columns the import does not read (reader._outside_columns, _unrecognised_columns), ""
        when none."""
        return " ".join(w["message"] for w in self.parsed.warnings)

    @property
    def money_note(self) -> str:
        """What a file without money columns does to the plan's money, for the officer ("" when it has them)."""
        if self.parsed.has_money or not (self.money_kept or self.money_dropped):
            return ""
        note = (f"Tệp không có cột kinh phí: {'giữ' if self.dry_run else 'đã giữ'} kinh phí đã ghi của "
                f"{self.money_kept} nhiệm vụ có trong tệp")
        if self.money_dropped:
            note += f"; kinh phí của {self.money_dropped} nhiệm vụ không còn trong tệp {'sẽ bị' if self.dry_run else 'đã'} xóa"
        return note + "."

    @property
    def tasks(self) -> int:
        return len(self.parsed.tasks)

    @property
    def received_note(self) -> str:
        """What the import does with the rows of tasks handed over to the unit (by a merger or to a successor), for the
        officer, by how each came ("" when none)."""
        if not self.received:
            return ""
        done = ("sẽ cập nhật kết quả đã ghi" if self.dry_run else f"đã cập nhật kết quả {self.updated} nhiệm vụ")
        return (f"{received_count([task for _, task in self.received])} không thêm vào kế hoạch (đã có, tính một "
                f"lần); {done}.")


def _errors(parsed: ParsedPlan) -> ValidationFailed:
    n, first = len(parsed.errors), parsed.errors[0]
    where = f"dòng {first['row']}" if first["row"] else "cả bảng"
    return ValidationFailed("plan_import_invalid", f"Tệp có {n} lỗi, chưa nhập dòng nào ({where}: {first['message']}"
                                                   f"{'; …' if n > 1 else ''}).", details={"errors": parsed.errors})


def import_plan(user, data: bytes, *, agency, year: int, kind: str = Plan.PLAN, first_year: int | None = None,
                replace: bool = False, dry_run: bool = False, title: str = "", parent: Plan | None = None
                ) -> ImportResult:
    """Read `data` (.xlsx) into the agency's plan (or report) of `year`, creating it if needed.

    dry_run: validate and return what would be written (the preview); nothing is stored. A plan that
    already has tasks is only replaced when `replace` is set; an approved plan is never touched. Importing into a plan
    that exists follows the year rule of creating one (``_check_reimport``); replacing never deletes tasks a merger
    handed over (``_check_handed_over``)."""
    permissions.require_edit(user, agency)
    year = plan_services._year(year)
    plan = Plan.objects.filter(agency=agency, year=year, kind=kind).first()
    first = plan.first_year if plan is not None and first_year in (None, "") else (
        plan_services._year(first_year, "Năm bắt đầu") if first_year not in (None, "") else year)
    if plan is None:  # a new plan: of a unit that existed in its year, the preview too says so
        plan_services.check_unit_existed(agency, year)
    else:
        permissions.require_edit(user, plan.agency)
        _check_reimport(plan)
        if plan.is_approved:
            raise InvalidTransition("plan_approved", "Kế hoạch đã phê duyệt; mở lại kế hoạch trước khi nhập lại.")
        existing = plan.tasks.count()
        if existing:
            _check_handed_over(plan)
        if existing and not replace:
            raise ValidationFailed("plan_not_empty", f"Kế hoạch đã có {existing} nhiệm vụ; chọn \u201cthay thế\u201d "
                                                     "để nhập lại toàn bộ.", status=409)
    parsed = parse(data, first_year=first, last_year=year)
    received = _received(parsed, agency, year, kind)
    if parsed.errors:
        raise _errors(parsed)
    money = _money_of(plan) if plan is not None and not parsed.has_money else {}
    kept = {fold(t.content) for t in parsed.tasks} & set(money)
    money_counts = {"money_kept": len(kept), "money_dropped": len(set(money) - kept)}
    if dry_run:
        return ImportResult(plan, parsed, plan is None, True, received, **money_counts)
    with transaction.atomic():
        created = plan is None
        if created:
            plan = plan_services.create_plan(user, agency=agency, year=year, kind=kind, first_year=first, title=title,
                                             parent=parent)
        else:
            if first != plan.first_year:
                plan.first_year = first
                plan.save(update_fields=["first_year", "updated_at"])
            plan.tasks.all().delete()
            plan.sections.all().delete()
        _write(plan, parsed, user, money)
        updated = _update_results(user, received)
        audit(user, "dx.plan_imported", "dx_plan", plan.pk, {"tasks": len(parsed.tasks), "replace": bool(replace),
                                                             "planned_vnd": parsed.planned_vnd,
                                                             "received_results": [t.pk for t in updated]})
    return ImportResult(plan, parsed, created, False, received, len(updated), **money_counts)


def _label(plan: Plan) -> str:
    return f"{dict(Plan.KINDS)[plan.kind].lower()} năm {plan.year} của {plan.agency.name}"


def _check_reimport(plan: Plan) -> None:
    """Importing into a plan that exists (replacing its tasks) follows the year rule of creating one
    (plans.check_unit_existed): not for a year its unit did not exist in, whenever the plan was written."""
    try:
        plan_services.check_unit_existed(plan.agency, plan.year)
    except ValidationFailed as err:
        raise ValidationFailed(err.code, f"Không nhập lại {_label(plan)}: nhập lại, thay thế kế hoạch theo cùng quy tắc "
                                         f"như lập mới. {err.message}") from None


def _check_handed_over(plan: Plan) -> None:
    """Replacing deletes the plan's tasks, and with them the tasks a merger handed over (services/merger.py): the
    unit that received them reports on them and counts them. Refused while the plan has any."""
    tasks = plan.tasks.filter(Q(handovers__isnull=False) | Q(handed_over_to__isnull=False)).distinct()
    if not tasks.exists():
        return
    ids = tasks.values("pk")
    names = sorted(set(TaskHandover.objects.filter(task__in=ids).values_list("to_agency__name", flat=True))
                   | set(Task.objects.filter(pk__in=ids, handed_over_to__isnull=False)
                         .values_list("handed_over_to__name", flat=True)))
    raise InvalidTransition("plan_tasks_handed_over", (
        f"Không nhập thay thế {_label(plan)}: {tasks.count()} nhiệm vụ đã chuyển giao cho {', '.join(names)} khi sắp "
        "xếp đơn vị hành chính; đơn vị nhận đang báo cáo kết quả các nhiệm vụ này, thay thế sẽ xóa chúng. Sửa từng "
        "nhiệm vụ trong kế hoạch thay vì nhập lại."))


def _money_of(plan: Plan) -> dict[str, list[tuple]]:
    """The plan's money by task (its content, folded): what a file without money columns (the results appendix,
    downloaded, its results typed, imported back) would otherwise take away. A content written twice is left out:
    which of the two the money was for cannot be told."""
    out: dict[str, list[tuple]] = {}
    seen: set[str] = set()
    for task in plan.tasks.prefetch_related("budget_lines__sources"):
        key = fold(task.content)
        if key in seen:
            out.pop(key, None)
            continue
        seen.add(key)
        lines = [(li.year, li.planned_vnd, li.disbursed_vnd, li.decimals, list(li.sources.all()))
                 for li in task.budget_lines.all()]
        if lines:
            out[key] = lines
    return out


def _received(parsed: ParsedPlan, agency, year: int, kind: str) -> list[tuple[ParsedTask, Task]]:
    """The task each received row names among those a merger handed over to `agency` (merger.received_tasks: the
    papers that report list them), by its content and old unit; a row naming none is an error of its row."""
    if not parsed.received:
        return []
    left = list(received_tasks(agency, year, kind).prefetch_related("handovers"))  # how each came (received_count)
    out = []
    for row in parsed.received:
        same = [t for t in left if text(t.content) == row.content
                and row.received_from in ("", t.plan.agency.name)]
        task = next((t for t in same if t.number == row.number), same[0] if same else None)
        if task is None:
            origin = f" ghi nhận chuyển giao từ {row.received_from}" if row.received_from else (
                " thuộc nhóm nhiệm vụ nhận chuyển giao")
            parsed.error(row.row, f"Nhiệm vụ «{row.content}»{origin} nhưng {agency.name} không nhận chuyển giao nhiệm vụ "
                                  f"này từ đơn vị khác (năm {year}); sửa lại cho đúng nội dung nhiệm vụ hoặc bỏ dòng "
                                  "này.")
            continue
        left.remove(task)
        out.append((row, task))
    return out


def _update_results(user, received: list[tuple[ParsedTask, Task]]) -> list[Task]:
    """Write the result typed for each received task (as its officers do in «Nhiệm vụ của tôi»); the rest of its row
    is its old plan's, which stays as written. An empty cell, or one holding only the time the appendix prints when
    there is no result yet, changes nothing."""
    updated = []
    for row, task in received:
        printed_time = {f"{task.deadline:%d/%m/%Y}" if task.deadline else "", str(task.year or "")}
        if row.result and row.result != text(task.result) and row.result not in printed_time:
            updated.append(plan_services.update_task(user, task, result=row.result))
    return updated


def _write(plan: Plan, parsed: ParsedPlan, user, money: dict[str, list[tuple]] | None = None) -> None:
    order, lead_units = 0, plan_services.lead_matcher()
    for s_order, ps in enumerate((s for s in parsed.sections if not s.received), start=1):
        section = PlanSection.objects.create(plan=plan, order=s_order, numeral=ps.numeral or "",
                                             title=ps.title, group=ps.group)
        for n, pt in enumerate((t for t in ps.tasks if not t.received), start=1):
            order += 1
            task = Task.objects.create(
                plan=plan, section=section, order=order, number=pt.number or str(n), content=pt.content,
                explanation=pt.explanation, lead_text=pt.lead_text, cooperating_text=pt.cooperating_text,
                deadline=pt.deadline, year=pt.year, result=pt.result, note=pt.note,
                updated_by=stored_user(user))
            leads = lead_units(pt.lead_text)
            if leads:
                task.lead_agencies.set(leads)
            # the file's money, or (a file without money columns) the money the plan had for this task
            lines = [(pl.year or plan.year, pl.planned_vnd, pl.disbursed_vnd, pl.decimals, pl.sources)
                     for pl in pt.lines] or (money or {}).get(fold(pt.content), [])
            for line_year, planned, disbursed, decimals, sources in lines:
                line = BudgetLine.objects.create(task=task, year=line_year, planned_vnd=planned,
                                                 disbursed_vnd=disbursed, decimals=decimals)
                line.sources.set(sources)
