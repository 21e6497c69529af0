"""Read a plan spreadsheet into sections, tasks and budget lines, with an error per bad row.

Rows are recognised by their STT cell: a Roman numeral (or a heading without number) opens a
section, whose amount, if written, is checked against its lines; a number is a task; a row with
only an amount continues the task above with one more budget line; a "Tổng" row states the total
(and its sources), checked too, and ends the table (notes may follow). Headings repeated on each
printed page and the column-number row ("1 2 4 5 6") are skipped. Nothing here writes to the database.

A heading of the heading row, within A–AD, that names none of the template's columns (layout.column_key) is told to
the officer (``column_not_recognised``), as one past AD is (``column_outside_template``): its column is not read.

A task handed over to the unit, as the appendices that report print it (the group «Nhiệm vụ nhận chuyển giao từ đơn
vị khác» — or the title printed before, «… khi sắp xếp đơn vị hành chính»: merger.RECEIVED_GROUPS —, «… (nhận từ ‹old
unit› theo sắp xếp đơn vị hành chính)», or «… với tư cách cơ quan kế thừa)» for one an administrator's successor
handed over: merger.received_label), is read apart (``ParsedTask.received``): it is not part of the plan
(services/merger.py), the importer finds the task it names.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from motcua.core.digits import ascii_digits
from motcua.core.errors import ValidationFailed
from motcua.core.money import format_number
from motcua.core.text import fold, nfc
from motcua.documents.validation import check_ooxml

from ..models import PlanSection, Task
from ..money import format_million, parse_million
from ..services.catalogue import is_roman, match_group, resolve_sources, source_codes
from ..services.merger import RECEIVED_GROUPS, parse_received
from .bounds import HEADER_SCAN, LAST_COLUMN, MAX_COLS, keep_columns, too_long
from .layout import column_key, parse_time, plain_year, text

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# what each text the import writes may hold (bounds.too_long, from the model's max_length): a longer one would pass
# the preview and then be cut, or fail the import at the database
SECTION_TEXTS = {"numeral": " (ghi I, II, III, …)", "title": ""}
TASK_TEXTS = {"number": " (ghi số thứ tự như 1, 2a, 1.2)", "content": "", "explanation": "", "lead_text": "",
              "cooperating_text": "", "result": "", "note": ""}


def _check_lengths(plan: ParsedPlan, n: int, model, texts: dict[str, str], item) -> None:
    for name, hint in texts.items():
        if error := too_long(model, name, getattr(item, name), hint):
            plan.error(n, error)


@dataclass
class ParsedLine:
    row: int
    planned_vnd: int
    decimals: int
    disbursed_vnd: int | None = None
    sources: list = field(default_factory=list)
    year: int | None = None


@dataclass
class ParsedTask:
    row: int
    number: str
    content: str
    explanation: str = ""
    lead_text: str = ""
    cooperating_text: str = ""
    deadline: dt.date | None = None
    year: int | None = None
    result: str = ""
    note: str = ""
    lines: list[ParsedLine] = field(default_factory=list)
    received: bool = False  # a task a merger handed over to the unit, printed by a paper that counts it
    received_from: str = ""  # the old unit's name it was printed with

    @property
    def planned_vnd(self) -> int:
        return sum(li.planned_vnd for li in self.lines)


@dataclass
class ParsedSection:
    row: int
    numeral: str
    title: str
    group: object = None
    stated_vnd: int | None = None
    tasks: list[ParsedTask] = field(default_factory=list)
    received: bool = False  # the group of the tasks handed over to the unit (RECEIVED_GROUPS): not a group of the plan

    @property
    def planned_vnd(self) -> int:
        """All its rows' money, as its stated subtotal counts them."""
        return sum(t.planned_vnd for t in self.tasks)


@dataclass
class ParsedPlan:
    sections: list[ParsedSection] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    title_lines: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)  # headings naming no column of the template (not read)
    stated_total_vnd: int | None = None
    stated_sources: list = field(default_factory=list)
    has_money: bool = True  # False: the table has no money column (the results appendix)

    warnings: list[dict] = field(default_factory=list)  # told to the officer; the import goes on

    def error(self, row: int | None, message: str) -> None:
        self.errors.append({"row": row, "message": message})

    def warn(self, row: int | None, cell: str | None, code: str, message: str) -> None:
        self.warnings.append({"row": row, "cell": cell, "code": code, "message": message})

    @property
    def groups(self) -> list[ParsedSection]:
        """The plan's own groups (without that of the received tasks)."""
        return [s for s in self.sections if not s.received]

    @property
    def tasks(self) -> list[ParsedTask]:
        """The plan's own tasks (those it will hold)."""
        return [t for s in self.sections for t in s.tasks if not t.received]

    @property
    def received(self) -> list[ParsedTask]:
        """The rows of tasks a merger handed over to the unit: not the plan's, their results go to the task."""
        return [t for s in self.sections for t in s.tasks if t.received]

    @property
    def planned_vnd(self) -> int:
        """The plan's own money."""
        return sum(t.planned_vnd for t in self.tasks)

    @property
    def stated_vnd(self) -> int:
        """All the rows' money, as the table's total row counts it (with the received tasks')."""
        return sum(s.planned_vnd for s in self.sections)


def load_rows(data: bytes) -> tuple[list[list], dict[int, tuple[int, list[tuple[str, str]]]]]:
    """Cells of the first worksheet as (value, number_format) pairs, and what of its first rows lies past MAX_COLS
    (bounds.Kept.outside); refuses what is not a sound .xlsx."""
    if not data:
        raise ValidationFailed("xlsx_invalid", "Tệp rỗng, không có nội dung.")
    if len(data) > MAX_BYTES:
        raise ValidationFailed("file_too_large", "Tệp bảng tính vượt quá 5 MB.", status=413)
    try:
        check_ooxml(data, "xl/workbook.xml", prefix="xlsx", label="Excel")
    except ValidationFailed as exc:
        if exc.code == "xlsx_broken":
            raise ValidationFailed("xlsx_invalid", "Tệp không phải bảng tính .xlsx hợp lệ (bị hỏng hoặc sai định "
                                                   "dạng).") from None
        raise
    from openpyxl import load_workbook

    kept = None
    try:
        kept = keep_columns(data)
        wb = load_workbook(kept.file, read_only=True, data_only=True)
        ws = wb.worksheets[0]
        rows = []
        for n, cells in enumerate(ws.iter_rows(max_col=MAX_COLS), start=1):
            if n > MAX_ROWS:
                raise ValidationFailed("xlsx_too_large", f"Bảng tính có quá {format_number(MAX_ROWS)} dòng.")
            # text precomposed (NFC, core.text.nfc): a task typed either way is the same task on re-import
            rows.append([(nfc(c.value), getattr(c, "number_format", None)) for c in cells])
        outside = kept.outside(getattr(ws, "_worksheet_path", ""), getattr(ws, "_shared_strings", []))
        wb.close()
    except ValidationFailed:
        raise
    except Exception:  # openpyxl raises many kinds for a broken file
        raise ValidationFailed("xlsx_invalid", "Tệp không phải bảng tính .xlsx hợp lệ (không đọc được trang tính "
                                               "đầu tiên).") from None
    finally:
        if kept is not None:
            kept.file.close()
    return rows, outside


def _outside_columns(plan: ParsedPlan, outside: dict, heading_rows: range) -> None:
    """A warning for each heading written past MAX_COLS in the table's heading rows: its column is not read."""
    for n in heading_rows:
        count, cells = outside.get(n, (0, []))
        for column, label in cells:
            plan.warn(n, f"{column}{n}", "column_outside_template",
                      f"Cột {column} (\u201c{label}\u201d, ô {column}{n}) nằm ngoài vùng A–{LAST_COLUMN} của mẫu, "
                      "không được đọc.")
        if count > len(cells):
            plan.warn(n, None, "column_outside_template",
                      f"Dòng tiêu đề {n} còn {format_number(count - len(cells))} cột khác nằm ngoài vùng "
                      f"A–{LAST_COLUMN} của mẫu, không được đọc.")


def _unrecognised_columns(plan: ParsedPlan, n: int, ignored: dict[int, str]) -> None:
    """A warning for each heading of heading row `n`, within A–AD, that names no column of the template: its column is
    not read (a blank heading's column is not told: nothing was written there to be lost)."""
    for c, label in ignored.items():
        column = get_column_letter(c + 1)
        plan.warn(n, f"{column}{n}", "column_not_recognised",
                  f"Cột {column} (\u201c{label}\u201d, ô {column}{n}) không thuộc mẫu, không được đọc.")


def _find_header(rows) -> tuple[int, dict[int, str], dict[int, str], int]:
    """(header row index, {column: key}, {column: heading naming no column of the template}, first data row index)."""
    for i, cells in enumerate(rows[:HEADER_SCAN]):
        keys = {c: column_key(v) for c, (v, _) in enumerate(cells)}
        if "number" in keys.values() and "content" in keys.values():
            mapping = {c: k for c, k in keys.items() if k}
            ignored = {c: text(v) for c, (v, _) in enumerate(cells) if text(v) and not keys[c]}
            start = i + 1
            if start < len(rows):  # a second heading row under merged cells ("Kinh phí" | "Nguồn vốn")
                sub = rows[start]
                sub_keys = {c: column_key(v) for c, (v, _) in enumerate(sub) if v not in (None, "")}
                number_col = next(c for c, k in mapping.items() if k == "number")
                short = all(len(text(sub[c][0])) <= 40 for c in sub_keys)
                if sub_keys and short and all(sub_keys.values()) and number_col not in sub_keys:
                    mapping.update(sub_keys)
                    start += 1
            return i, mapping, ignored, start
    raise ValidationFailed("xlsx_no_header", f"Không tìm thấy dòng tiêu đề của bảng trong {HEADER_SCAN} dòng đầu, "
                                             f"cột A–{LAST_COLUMN} (cần các cột \u201cSTT\u201d và \u201cNội dung "
                                             "nhiệm vụ\u201d).")


def _amount(plan: ParsedPlan, n: int, value, fmt, label: str) -> tuple[int, int] | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return parse_million(value, fmt)
    except ValidationFailed as exc:
        plan.error(n, f"{label}: {exc.message}")
        return None


_TASK_NUMBER = re.compile(r"^\d+[a-z]?(\.\d+)*\.?$|^[a-zđ]\)$", re.IGNORECASE)


def _heading(number: str, content: str, values: dict) -> tuple[str, str] | None:
    """(numeral, title) when the row opens a section: "I | Nhóm …", "| Năm 2023 | … 1.970", "Nhóm II - … |"."""
    if is_roman(number):
        return number.rstrip("."), content or number
    detail = any(text(values.get(k)) for k in ("lead", "time", "explanation", "result"))
    if not number and content and not detail:
        return "", content
    if number and not content and not _TASK_NUMBER.match(number) and not detail:
        return "", number
    return None


def parse(data: bytes, *, first_year: int, last_year: int) -> ParsedPlan:
    rows, outside = load_rows(data)
    plan = ParsedPlan()
    h, mapping, ignored, start = _find_header(rows)
    plan.ignored_columns = list(ignored.values())
    _unrecognised_columns(plan, h + 1, ignored)
    _outside_columns(plan, outside, range(h + 1, start + 1))
    plan.has_money = "planned" in mapping.values()
    headings = {fold(text(v)) for r in rows[h:start] for v, _ in r if v not in (None, "")}
    for cells in rows[:h]:
        line = " ".join(text(v) for v, _ in cells if v not in (None, ""))
        if line:
            plan.title_lines.append(line)
            folded = fold(line)
            if ("don vi tinh" in folded or "dvt" in folded) and "trieu dong" not in folded:
                raise ValidationFailed("xlsx_unit", "Bảng phải ghi kinh phí bằng triệu đồng (Đơn vị tính: triệu đồng).")
    span = f"{first_year}" if first_year == last_year else f"{first_year}–{last_year}"
    section = task = None
    for i in range(start, len(rows)):
        n = i + 1
        cell = {k: (None, None) for k in mapping.values()}
        for c, key in mapping.items():
            if c < len(rows[i]) and cell[key][0] in (None, ""):
                cell[key] = rows[i][c]
        values = {k: v for k, (v, _) in cell.items()}
        if all(v is None or text(v) == "" for v in values.values()):
            continue
        if {fold(text(v)) for v in values.values() if text(v)} <= headings:
            continue  # the heading repeated on a new page
        number, content = text(values.get("number")), text(values.get("content"))
        if ascii_digits(content.strip("()")) and (not number or ascii_digits(number.strip("()"))):
            continue  # the column-number row (1, 2, 3 … or (1), (2) …)
        amount = _amount(plan, n, values.get("planned"), cell.get("planned", (None, None))[1], "Kinh phí")
        if fold(number).startswith("tong") or (not number and fold(content).startswith("tong")):
            plan.stated_total_vnd = amount[0] if amount else None
            try:
                plan.stated_sources = resolve_sources(values.get("sources"))
            except ValidationFailed as exc:
                plan.error(n, exc.message)
            break  # the table ends with its total; what follows are notes
        heading = _heading(number, content, values)
        if heading is not None:
            numeral, title = heading
            none = "khong co nhiem vu" in fold(title)
            shown = title.rsplit(":", 1)[0].strip() if none else title
            received = fold(shown) in {fold(title) for title in RECEIVED_GROUPS}
            section = ParsedSection(n, numeral, shown, None if received else match_group(title),
                                    amount[0] if amount else None, received=received)
            _check_lengths(plan, n, PlanSection, SECTION_TEXTS, section)
            plan.sections.append(section)
            task = None
            continue
        if not number and not content:
            if task is None or amount is None:
                plan.error(n, "Dòng kinh phí không thuộc nhiệm vụ nào (thiếu STT và nội dung).")
                continue
        elif not content:
            plan.error(n, "Thiếu nội dung nhiệm vụ.")
            continue
        else:
            if section is None:
                section = ParsedSection(n, "I", "Nhiệm vụ", None, None)
                plan.sections.append(section)
            deadline, year = None, None
            try:
                deadline, year = parse_time(values.get("time"))
            except ValidationFailed as exc:
                plan.error(n, exc.message)
            result = text(values.get("result"))
            if plain_year(values.get("result")) and year is None and deadline is None:
                year, result = plain_year(values.get("result")), ""
            for y, what in ((deadline.year if deadline else None, f"Thời hạn {deadline:%d/%m/%Y}" if deadline else ""),
                            (year, f"Năm thực hiện {year}")):
                if y is not None and not first_year <= y <= last_year:
                    plan.error(n, f"{what} nằm ngoài năm của kế hoạch ({span}).")
            origin = parse_received(content)
            task = ParsedTask(n, number, origin[0] if origin else content, text(values.get("explanation")),
                              text(values.get("lead")), text(values.get("cooperating")), deadline, year, result,
                              text(values.get("note")), received=bool(origin) or section.received,
                              received_from=origin[1] if origin else "")
            _check_lengths(plan, n, Task, TASK_TEXTS, task)
            section.tasks.append(task)
        if amount is None and values.get("sources") in (None, ""):
            continue
        if amount is None:
            plan.error(n, "Có nguồn vốn nhưng thiếu kinh phí.")
            continue
        try:
            sources = resolve_sources(values.get("sources"))
        except ValidationFailed as exc:
            plan.error(n, exc.message)
            sources = []
        disbursed = _amount(plan, n, values.get("disbursed"), cell.get("disbursed", (None, None))[1], "Giải ngân")
        line_year = task.year or (task.deadline.year if task.deadline else None)
        if not number and not content and values.get("time") not in (None, ""):
            try:  # a continuation row may carry its own year
                deadline, year = parse_time(values.get("time"))
                line_year = year or (deadline.year if deadline else line_year)
            except ValidationFailed as exc:
                plan.error(n, exc.message)
            if line_year is not None and not first_year <= line_year <= last_year:
                plan.error(n, f"Năm kinh phí {line_year} nằm ngoài năm của kế hoạch ({span}).")
        task.lines.append(ParsedLine(n, amount[0], amount[1], disbursed[0] if disbursed else None, sources, line_year))
    _check_totals(plan)
    return plan


def _check_totals(plan: ParsedPlan) -> None:
    for s in plan.sections:
        if s.stated_vnd is not None and s.stated_vnd != s.planned_vnd:
            plan.error(s.row, f"Cộng nhóm ghi {format_million(s.stated_vnd)} triệu đồng nhưng cộng các dòng được "
                              f"{format_million(s.planned_vnd)} triệu đồng.")
    if plan.stated_total_vnd is not None and plan.stated_total_vnd != plan.stated_vnd:
        plan.error(None, f"Dòng tổng ghi {format_million(plan.stated_total_vnd)} triệu đồng nhưng cộng các dòng được "
                         f"{format_million(plan.stated_vnd)} triệu đồng.")
    if plan.stated_sources:
        used = {s.pk: s for t in plan.tasks + plan.received for li in t.lines for s in li.sources}
        if {s.pk for s in plan.stated_sources} != set(used):
            plan.error(None, f"Dòng tổng ghi nguồn vốn {source_codes(plan.stated_sources)} nhưng các dòng dùng "
                             f"{source_codes(used.values()) or '(không có)'}.")
    if not plan.tasks and not plan.received and not plan.errors:
        plan.error(None, "Bảng không có nhiệm vụ nào.")
