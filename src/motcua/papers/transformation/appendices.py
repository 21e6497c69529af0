"""The seeds' appendix layouts, filled from a plan:

- ``task_results``: results of the tasks (seed 003, Phụ lục 04): STT, task, lead body, deadline, result;
- ``budget_list``: tasks with budget (seed 000's list): TT, task, time, amount and sources;
- ``spending``: money by period (seed 004, Phụ lục I): TT, task, progress, amount, note; subtotals;
- ``plan_budget``: the year's plan (seed 004, Phụ lục II): STT, task, lead body, explanation, amount,
  sources, time.
Budget layouts print each group's subtotal, the total with its sources, the amounts by source and
what the source codes mean.

The two that report (results, money by period) list the tasks the plan's figures count (merger.counted_tasks):
after a merger of communes, the new unit's list the tasks it received, marked «(nhận từ …)», and the old unit's
no longer those it handed over. The two that reproduce the plan (its list, the year's plan) print it as written.
"""

from __future__ import annotations

from collections import defaultdict

from motcua.transformation.models import Plan
from motcua.transformation.money import format_million
from motcua.transformation.services.budget import PlanTable, plan_table
from motcua.transformation.services.catalogue import source_codes

from .layout import Amount, Appendix, Column, Row

KINDS = {
    "task_results": "Phụ lục kết quả thực hiện nhiệm vụ",
    "budget_list": "Danh mục nhiệm vụ, kinh phí",
    "spending": "Phụ lục kinh phí đã bố trí theo năm",
    "plan_budget": "Phụ lục nội dung, nhiệm vụ và kinh phí",
}
MONEY = "Kinh phí và nguồn vốn"


def attached_to(plan: Plan, what: str = "") -> str:
    what = what or ("Kế hoạch" if plan.kind == Plan.PLAN else "Báo cáo")
    number = plan.number or "     "
    return f"(Kèm theo {what} số {number} của {plan.agency.name})"


def _time(task) -> str:
    return f"{task.deadline:%d/%m/%Y}" if task.deadline else (str(task.year) if task.year else "")


def _group_title(section) -> str:
    """The group's heading as one line: "Nhóm II - …" stays, "Chính quyền số" numbered I becomes "I. Chính quyền số"."""
    title, numeral = section.section.title, section.section.numeral
    if numeral and not title.startswith(("Nhóm", numeral)):
        return f"{numeral}. {title}"
    return title


def _subtotal(section) -> Amount | str:
    return Amount(section.planned_vnd) if section.has_budget else ""


def _amount(row) -> Amount | str:
    return Amount(row.planned_vnd, row.decimals) if row.lines else ""


def by_sources(table: PlanTable) -> list[tuple[str, int]]:
    """Amounts by the sources written together on a line ("CTX, NSH"), largest first."""
    out: dict[str, int] = defaultdict(int)
    for row in table.rows:
        for line in row.lines:
            out[source_codes(line.sources.all()) or "chưa ghi nguồn"] += line.planned_vnd
    return sorted(out.items(), key=lambda kv: -kv[1])


def _closing(table: PlanTable, lead: str) -> list[str]:
    lines = [f"{lead} {table.total} triệu đồng."]
    parts = by_sources(table)
    if parts:
        lines.append("Theo nguồn vốn: " + "; ".join(f"{k}: {format_million(v)}" for k, v in parts) + " (triệu đồng).")
    if table.sources:
        lines.append("Ký hiệu nguồn vốn: " + "; ".join(f"{s.code} — {s.name}" for s in table.sources) + ".")
    return lines


def task_results(plan: Plan, *, number: str = "", table: PlanTable | None = None) -> Appendix:
    table = table or plan_table(plan, counted=True)
    title = "KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ"
    title += f" THEO {plan.legal_basis.strip().upper()}" if plan.legal_basis.strip() else f" NĂM {plan.year}"
    cols = [Column("number", "STT", 9, "center"), Column("content", "Nhiệm vụ cụ thể", 55),
            Column("lead", "Cơ quan chủ trì thực hiện", 26), Column("time", "Thời hạn hoàn thành", 15, "center"),
            Column("result", "Kết quả thực hiện", 70)]
    rows = []
    for s in table.sections:
        heading = _group_title(s) + ("" if s.rows else ": không có nhiệm vụ")
        rows.append(Row("group", {"number": heading}, span=("number", "result")))
        rows += [Row("task", {"number": r.task.number, "content": r.content, "lead": r.task.lead_text,
                              "time": _time(r.task), "result": r.task.result}) for r in s.rows]
    return Appendix(f"PHỤ LỤC {number}".strip(), [title], attached_to(plan), cols, rows, unit="")


def budget_list(plan: Plan, *, number: str = "", table: PlanTable | None = None) -> Appendix:
    table = table or plan_table(plan)
    cols = [Column("number", "TT", 9, "center"), Column("content", "Tên nhiệm vụ, nội dung thực hiện", 80),
            Column("time", "Thời gian thực hiện", 16, "center"), Column("planned", "Kinh phí", 15, "right", MONEY),
            Column("sources", "Nguồn vốn", 16, "center", MONEY)]
    rows = []
    for s in table.sections:
        rows.append(Row("group", {"number": s.section.numeral, "content": s.section.title, "planned": _subtotal(s)},
                        span=("content", "time")))
        rows += [Row("task", {"number": r.task.number, "content": r.content, "time": _time(r.task),
                              "planned": _amount(r), "sources": r.source_codes}) for r in s.rows]
    rows.append(Row("total", {"number": "Tổng", "planned": Amount(table.planned_vnd), "sources": table.source_codes},
                    span=("number", "time")))
    titles = [f"DANH MỤC NỘI DUNG, NHIỆM VỤ CHUYỂN ĐỔI SỐ NĂM {plan.year} CỦA {plan.agency.name.upper()}"]
    return Appendix(f"PHỤ LỤC {number}".strip(), titles, attached_to(plan), cols, rows, numbering=True,
                    closing=_closing(table, "Tổng kinh phí:"))


def spending(plan: Plan, *, number: str = "", table: PlanTable | None = None) -> Appendix:
    table = table or plan_table(plan, counted=True)
    cols = [Column("number", "TT", 9, "center"), Column("content", "Nội dung/Nhiệm vụ/Dự án", 70),
            Column("progress", "Kết quả, tiến độ thực hiện", 22, "center"), Column("planned", "Kinh phí", 15, "right"),
            Column("note", "Ghi chú", 45)]
    rows = []
    for s in table.sections:
        rows.append(Row("group", {"number": s.section.numeral, "content": s.section.title, "planned": _subtotal(s)}))
        for r in s.rows:
            t = r.task
            note = t.note or (f"(Nguồn vốn: {r.source_names.lower()})" if r.sources else "")
            rows.append(Row("task", {"number": t.number, "content": r.content,
                                     "progress": t.result or (str(t.year) if t.year else _time(t)),
                                     "planned": _amount(r), "note": note}))
    rows.append(Row("total", {"number": "Tổng cộng", "planned": Amount(table.planned_vnd)},
                    span=("number", "progress")))
    years = defaultdict(int)
    for r in table.rows:
        for line in r.lines:
            years[line.year] += line.planned_vnd
    span = f"TỪ NĂM {plan.first_year} ĐẾN NĂM {plan.year}" if plan.first_year != plan.year else f"NĂM {plan.year}"
    closing = [f"Tổng kinh phí {span.lower()}: {table.total} triệu đồng"
               + (("; trong đó: " + ", ".join(f"năm {y}: {format_million(v)} triệu đồng"
                                              for y, v in sorted(years.items()))) if len(years) > 1 else "") + "."]
    return Appendix(f"PHỤ LỤC {number}".strip(),
                    [f"DANH MỤC NỘI DUNG BỐ TRÍ KINH PHÍ THỰC HIỆN CÔNG TÁC CHUYỂN ĐỔI SỐ {span}"],
                    attached_to(plan), cols, rows, closing=closing)


def plan_budget(plan: Plan, *, number: str = "", table: PlanTable | None = None) -> Appendix:
    table = table or plan_table(plan)
    cols = [Column("number", "STT", 9, "center"), Column("content", "Nội dung nhiệm vụ", 45),
            Column("lead", "Đơn vị chủ trì", 28), Column("explanation", "Diễn giải", 55),
            Column("planned", "Kinh phí", 14, "right", MONEY), Column("sources", "Nguồn vốn", 22, "left", MONEY),
            Column("time", "Thời gian thực hiện", 16, "center")]
    rows = []
    for s in table.sections:
        rows.append(Row("group", {"number": s.section.numeral, "content": s.section.title, "planned": _subtotal(s)},
                        span=("content", "explanation")))
        rows += [Row("task", {"number": r.task.number, "content": r.content, "lead": r.task.lead_text,
                              "explanation": r.task.explanation, "planned": _amount(r), "sources": r.source_names,
                              "time": _time(r.task)}) for r in s.rows]
    rows.append(Row("total", {"number": "Tổng cộng:", "planned": Amount(table.planned_vnd),
                              "sources": table.source_codes}, span=("number", "explanation")))
    what = "Kế hoạch" if plan.kind == Plan.PLAN else "Báo cáo"
    return Appendix(f"PHỤ LỤC {number}".strip(),
                    ["DANH MỤC NỘI DUNG, NHIỆM VỤ PHÁT TRIỂN CHUYỂN ĐỔI SỐ",
                     f"{plan.agency.name.upper()} NĂM {plan.year}"], attached_to(plan), cols, rows,
                    closing=_closing(table, f"Tổng kinh phí dự kiến của {what.lower()} năm {plan.year} là"))


BUILDERS = {"task_results": task_results, "budget_list": budget_list, "spending": spending,
            "plan_budget": plan_budget}


def build(kind: str, plan: Plan, *, number: str = "") -> Appendix:
    return BUILDERS[kind](plan, number=number)
