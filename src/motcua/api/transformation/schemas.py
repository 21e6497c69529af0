"""Shapes of the digital-transformation API. Amounts go in as triệu đồng written the Vietnamese way
("92,460", "8.962,46") or as numbers; they come out in đồng (``*_vnd``) and formatted (``planned``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import WrapValidator

from ..schemas import ErrorOut
from ..values import Note, ShortText, WholeNumber, text, whole

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 415: ErrorOut,
          422: ErrorOut}

# A unit closed (merged or dissolved: units.lifetime), as the API's contract sorts it (docs/operations.md, «API error
# contract»): a value a call cannot take is 422 — a plan of a year its unit did not exist in
# (services.plans.check_unit_existed) —, a state that no longer allows it 409 — a unit closed named in a round opened
# today (services.rounds._recipients) and the answer of a unit closed since its round opened
# (services.rounds.answer_refusal): one code, one status. Told under those statuses in the OpenAPI document.
UNIT_ABSENT = ("Kế hoạch (báo cáo) năm `year` chỉ lập cho đơn vị có trong năm đó, dù chỉ một phần năm (xã, phường sáp "
               "nhập từ 01/07/2025 vẫn lập, nhập kế hoạch năm 2025): đơn vị đã sáp nhập hoặc giải thể trước ngày 01/01 "
               "của năm: 422 `plan_unit_closed` (thông báo nêu đơn vị lập kế hoạch thay); đơn vị thành lập sau ngày "
               "31/12 của năm: 422 `plan_unit_not_established`. Không ghi gì.")
OPEN_CLOSED = ("Đơn vị có trong `units` đã sáp nhập hoặc giải thể (ngày cuối cùng đã qua): 409 `round_unit_closed`, "
               "không mở kỳ nào. Bỏ trống `units`: các xã, phường, sở đang hoạt động hôm nay.")
ANSWER_CLOSED = ("Đơn vị đã sáp nhập theo phương án sắp xếp trong khi kỳ đang mở (409 `round_unit_merged`: đơn vị "
                 "mới báo cáo thay), hoặc đã sáp nhập, giải thể sau khi kỳ mở (409 `round_unit_closed`): không gửi "
                 "báo cáo nữa, báo cáo đã gửi trước đó giữ nguyên. Kỳ đã đóng: 409 `round_closed`; chưa có kế hoạch "
                 "năm: 409 `plan_missing`.")

LongText = text(20000)
Title = text(500)


def _as_sent(value, read):
    # pydantic reads JSON true as 1 (and false as 0) for an int: a boolean goes on as sent, and the reader of money
    # (transformation.money.parse_million, indicators.parse_value) refuses it like any text that is not a number.
    return value if isinstance(value, bool) else read(value)


Amount = Annotated[str | int | float, WrapValidator(_as_sent)]
Kind = Literal["plan", "report"]


class PlanIn(Schema):
    unit: str = Field(..., max_length=32, description="Mã đơn vị hành chính (51 = tỉnh) hoặc mã định danh cơ quan")
    year: WholeNumber
    kind: Kind = "plan"
    first_year: WholeNumber | None = Field(None, description="Báo cáo nhiều năm: năm bắt đầu")
    title: Title = ""
    number: text(64) = ""
    legal_basis: LongText = ""
    parent_id: WholeNumber | None = None


class PlanPatch(Schema):
    title: Title | None = None
    number: text(64) | None = None
    legal_basis: LongText | None = None
    parent_id: WholeNumber | None = None
    first_year: WholeNumber | None = None


class PlanOut(Schema):
    id: int
    unit: str
    unit_name: str
    year: int
    first_year: int
    kind: str
    title: str
    number: str
    legal_basis: str
    parent_id: int | None
    status: str
    approved_by: str | None
    approved_at: datetime | None
    planned_vnd: int
    planned: str
    sources: list[str]


class BudgetLineOut(Schema):
    id: int
    year: int
    planned_vnd: int
    planned: str
    disbursed_vnd: int | None
    disbursed: str
    sources: list[str]
    note: str


class TaskOut(Schema):
    id: int
    section_id: int
    number: str
    content: str
    explanation: str
    lead_text: str
    lead_units: list[str]
    cooperating_text: str
    handed_over_to: str | None = Field(None, description="Mã cơ quan nhận chuyển giao nhiệm vụ (khi sắp xếp đơn vị "
                                                         "hành chính, hoặc với tư cách cơ quan kế thừa), nơi nhiệm vụ "
                                                         "được tính khi đơn vị của kế hoạch "
                                                         "đã sáp nhập trong năm của kế hoạch (nếu không, nhiệm vụ vẫn "
                                                         "tính trong kế hoạch: counts_elsewhere); đơn vị chủ trì ghi "
                                                         "trong kế hoạch không đổi")
    handed_over_on: date | None = None
    counts_elsewhere: bool = Field(False, description="true: trong số liệu năm của kế hoạch, nhiệm vụ được tính cho "
                                                      "đơn vị khác (handed_over_to), không tính cho đơn vị của kế "
                                                      "hoạch (đơn vị này đã sáp nhập trong năm đó hoặc trước đó); "
                                                      "false: tính cho đơn vị của kế hoạch, kể cả khi có phần chủ trì "
                                                      "đã chuyển giao")
    handovers: list[dict] = Field([], description="Từng phần chủ trì được chuyển giao cho đơn vị khác (khi sắp xếp "
                                                  "đơn vị hành chính, hoặc cho cơ quan kế thừa): "
                                                  "from, to (mã cơ quan), on (ngày), reason (lý do: nghị quyết "
                                                  "sắp xếp, hoặc cơ quan kế thừa ghi nhận trong trang quản trị), theo "
                                                  "thứ tự; to của mục cuối: đơn vị nhận chuyển giao gần nhất, đang "
                                                  "thực hiện nhiệm vụ")
    deadline: date | None
    year: int | None
    status: str
    state: str
    state_label: str
    progress: int
    result: str
    note: str
    evidence: list[int]
    budget_lines: list[BudgetLineOut]


class SectionOut(Schema):
    id: int
    numeral: str
    title: str
    group: str | None
    planned_vnd: int
    planned: str
    tasks: list[TaskOut]


class PlanDetail(PlanOut):
    sections: list[SectionOut]


class SectionIn(Schema):
    title: Title
    numeral: text(16) = ""
    group: str | None = Field(None, max_length=32, description="Mã nhóm trong danh mục")


class TaskIn(Schema):
    section_id: WholeNumber
    content: LongText
    explanation: LongText = ""
    lead_text: LongText = ""
    lead_units: list[str] = Field(default_factory=list, description="Mã cơ quan chủ trì có trong hệ thống")
    cooperating_text: LongText = ""
    deadline: date | None = None
    year: WholeNumber | None = None
    number: text(16) = ""
    status: Literal["not_started", "in_progress", "done"] = "not_started"
    progress: WholeNumber = Field(0, ge=0, le=100)
    result: LongText = ""
    note: Note = ""


class TaskPatch(Schema):
    section_id: WholeNumber | None = None
    content: LongText | None = None
    explanation: LongText | None = None
    lead_text: LongText | None = None
    lead_units: list[str] | None = None
    cooperating_text: LongText | None = None
    deadline: date | None = None
    year: WholeNumber | None = None
    number: text(16) | None = None
    status: Literal["not_started", "in_progress", "done"] | None = None
    progress: whole(ge=0, le=100) | None = None
    result: LongText | None = None
    note: Note | None = None


class BudgetLineIn(Schema):
    planned: Amount = Field(..., description="Triệu đồng: \"92,460\", \"8.962,46\" hoặc số")
    year: WholeNumber | None = None
    disbursed: Amount | None = None
    sources: list[str] | str = Field(default_factory=list, description="Mã hoặc tên nguồn vốn: [\"CTX\", \"NSH\"]")
    note: Note = ""


class BudgetLinePatch(Schema):
    planned: Amount | None = None
    year: WholeNumber | None = None
    disbursed: Amount | None = None
    sources: list[str] | str | None = None
    note: Note | None = None


class TargetIn(Schema):
    measure: str = Field(..., max_length=48)
    value: Amount
    comparator: Literal["gte", "gt", "lte", "lt", "eq"] = "gte"
    name: Title = ""
    unit: text(32) | None = None
    area: str | None = Field(None, max_length=32)


class MeasuredOut(Schema):
    target_id: int
    name: str
    measure: str
    source: str
    area: str
    target: str
    value: str | None
    display: str
    met: bool | None
    entered_by: str | None = None
    entered_at: datetime | None = None
    evidence_id: int | None = None


class ValueOut(Schema):
    id: int
    target_id: int
    value: str
    period_start: date
    period_end: date
    note: str
    evidence_id: int | None
    entered_by: str | None
    entered_at: datetime


class ImportOut(Schema):
    plan_id: int | None
    created: bool
    dry_run: bool
    sections: int
    tasks: int
    planned_vnd: int
    planned: str
    rows: list[dict]  # a row of a task a merger handed over to the unit names it: received_task (its id)
    received: int = 0  # rows of tasks a merger handed over: recognised, not added to the plan
    received_updated: int = 0  # of them, tasks whose result the file changed
    money_kept: int = 0  # a file without money columns: tasks found again whose money the plan keeps
    money_dropped: int = 0  # …and tasks with money the file no longer lists (their money goes)
    message: str = ""
    # {row, cell, code, message}: column_outside_template (a heading past AD), column_not_recognised (a heading within
    # A–AD that names no column of the template): neither column is read
    warnings: list[dict] = []


class RoundIn(Schema):
    title: Title = ""
    year: WholeNumber
    deadline: date
    period_start: date | None = None
    period_end: date | None = None
    reminder_days: ShortText = "7,3,1"
    units: list[str] | None = Field(None, description="Mã đơn vị phải báo cáo; mặc định mọi xã, phường, sở")
    note: LongText = ""


class ResponseOut(Schema):
    unit: str
    unit_name: str = Field(..., description="Tên đơn vị; báo cáo đã gửi của đơn vị đã sáp nhập: «tên đơn vị mới "
                                            "(trước đây: tên đơn vị cũ)»")
    status: str = Field(..., description="pending: chưa báo cáo; submitted: đã báo cáo; merged: đơn vị đã sáp nhập "
                                         "trước khi báo cáo, không còn phải báo cáo (đơn vị mới báo cáo thay); "
                                         "closed: đơn vị đã sáp nhập hoặc giải thể (đã qua ngày cuối hoạt động) "
                                         "trước khi báo cáo, không còn phải báo cáo, không được nhắc (xem closure)")
    closure: str | None = Field(None, description="Khi status là closed: «Đã sáp nhập vào … từ ngày dd/mm/yyyy» "
                                                  "hoặc «Đã giải thể từ ngày dd/mm/yyyy»")
    merged_into: str | None = Field(None, description="Mã định danh của đơn vị mới khi status là merged")
    submitted_at: datetime | None
    submitted_by: str | None


class RoundOut(Schema):
    id: int
    title: str
    year: int
    period_start: date
    period_end: date
    deadline: date
    status: str
    reported: int
    pending: list[str]
    responses: list[ResponseOut]


class AnswerIn(Schema):
    unit: str = Field(..., max_length=32)
