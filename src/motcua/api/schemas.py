"""Request and response shapes of the public API (OpenAPI components).

Every free-text input has a maximum length so that a huge string is a 422 with a message, never
a database error; JSON objects supplied by the caller (form data) are capped in size: the value types
that say so (text, whole numbers, booleans) are api/values.py.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from motcua.dossiers.lifecycle import MAX_EXTENSION_DAYS, MIN_EXTENSION_DAYS

from .values import Boolean, Code, FormData, Note, Reason, ShortText, Username, number, text


class ErrorOut(Schema):
    code: str = Field(..., examples=["invalid_transition"])
    message: str = Field(..., examples=["Hồ sơ đang ở trạng thái không cho phép thao tác này."])
    details: dict | None = None


# ---------------------------------------------------------------- catalog


class FieldOut(Schema):
    code: str
    name: str


class ComponentOut(Schema):
    order: int
    name: str
    originals: int
    copies: int
    is_required: bool
    note: str


class StepOut(Schema):
    order: int
    name: str
    role: str
    duration_days: float


class AgencyRef(Schema):
    code: str
    name: str


class ProcedureOut(Schema):
    code: str
    name: str
    field: FieldOut
    level: str
    online_level: str
    online_level_label: str
    processing_days: float
    fee_vnd: int
    fee_online_vnd: int | None
    fee_text: str


class ProcedureDetailOut(ProcedureOut):
    competent_authority: str
    result_type: str
    result_name: str
    target: str
    description: str
    requirements: str
    legal_basis: str
    fee_note: str
    form_schema: list
    components: list[ComponentOut]
    steps: list[StepOut]
    agencies: list[AgencyRef]


class ProcedurePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ProcedureOut]


# ---------------------------------------------------------------- dossiers


class ApplicantIn(Schema):
    name: text(200, 1)
    id_number: text(12) = ""
    phone: text(20) = ""
    email: text(254) = ""
    address: ShortText = ""


ReturnMethodIn = Literal["counter", "online", "post"]


class SubmitIn(Schema):
    procedure_code: Code
    agency_code: Code
    applicant: ApplicantIn | None = Field(None, description="Bỏ trống: lấy từ tài khoản người nộp.")
    form_data: FormData = Field(default_factory=dict)
    return_method: ReturnMethodIn = "online"


LATER_SCAN = " Bản quét (hồ sơ giấy) được xác nhận sau thời điểm này vẫn được ghi nhận khi xác nhận."


def _ignored_claim(default: bool, what: str, later: str = LATER_SCAN):
    """A flag of the result or the components the API once took from the caller: still accepted as JSON true or
    false (``Boolean``; a client sending it keeps working), never recorded — the flag is what the dossier's files and confirmed scans show
    (documents.digitization_flags)."""
    return Field(default, json_schema_extra={"deprecated": True}, description=(
        "Không còn dùng, vẫn nhận để tương thích nhưng giá trị gửi lên bị bỏ qua: " + what + later))


OffDayReason = Annotated[text(500), Field(description=(
    "Lý do tiếp nhận vào ngày nghỉ (tối đa 500 ký tự). Bắt buộc khi thời điểm tiếp nhận không phải ngày làm việc "
    "của cơ quan tiếp nhận (thứ Bảy, Chủ nhật, ngày nghỉ lễ, Tết; buổi chiều thứ Bảy với cơ quan làm việc sáng thứ "
    "Bảy): thiếu lý do thì trả 422, mã off_day_reason_required, không ghi nhận gì. Lý do được ghi vào quá trình xử "
    "lý hồ sơ. Vào ngày làm việc, lý do gửi kèm bị bỏ qua."))]


RECEIPT_DIGITIZED = ("hồ sơ được tính là đã số hóa khi tiếp nhận chỉ khi cán bộ đã xác nhận bản quét của mọi thành "
                     "phần hồ sơ bắt buộc (POST /api/v1/documents/digitization, rồi …/digitization/{job_id}/confirm).")


class CounterIn(Schema):
    procedure_code: Code
    agency_code: Code
    applicant: ApplicantIn
    form_data: FormData = Field(default_factory=dict)
    channel: Literal["counter", "post"] = "counter"
    digitized: Boolean = _ignored_claim(False, RECEIPT_DIGITIZED + " Hồ sơ vừa tiếp nhận trực tiếp chưa có bản quét "
                                                                    "nào được xác nhận.")
    return_method: ReturnMethodIn = "counter"
    off_day_reason: OffDayReason = ""


class ReceiveIn(Schema):
    digitized: Boolean = _ignored_claim(False, "hồ sơ nộp trực tuyến được tính là đã số hóa khi tiếp nhận khi mọi thành "
                                               "phần hồ sơ bắt buộc đã có tệp (POST /api/v1/documents/attachments).")
    off_day_reason: OffDayReason = ""


class SupplementRequestIn(Schema):
    items: list[text(500, 1)] = Field(
        ..., min_length=1, max_length=50)
    reason: Reason


class SupplementIn(Schema):
    form_data: FormData | None = None


class ReasonIn(Schema):
    reason: Reason


class StartProcessingIn(Schema):
    assignee: Username | None = Field(None, description="Tên đăng nhập của người được giao xử lý.")


class CompleteStepIn(Schema):
    note: Note = ""
    assignee: Username | None = None


class HandOverIn(Schema):
    to_agency: Code = Field(..., description="Mã định danh của cơ quan nhận hồ sơ liên thông.")
    note: Note = ""


class NoteIn(Schema):
    note: Note = ""


class ExtendIn(Schema):
    days: number(ge=MIN_EXTENSION_DAYS, le=MAX_EXTENSION_DAYS) = Field(
        ..., description="Số ngày làm việc gia hạn, nửa ngày được: 0.5, 1, 1.5 (như trên trang cán bộ).")
    reason: Reason


def _day_as_text(value):
    """Only a text is read as a day: pydantic also reads a number of seconds that falls on 00:00 UTC as a date."""
    if not isinstance(value, (str, date)):
        raise PydanticCustomError("date_type", "Input should be a valid date")
    return value


class ApologyIn(Schema):
    reason: Reason
    # A day ("2026-12-14") is read as a day, due at the end of its office hours (api.dossiers.apology); a moment as
    # that moment. Date first: pydantic also reads a day as a datetime, at 00:00.
    new_due_at: Annotated[date, BeforeValidator(_day_as_text)] | datetime


class ApproveIn(Schema):
    summary: Note = ""


class SignResultIn(Schema):
    electronic: Boolean = _ignored_claim(True, "kết quả được tính là bản điện tử khi hồ sơ đã có tệp kết quả PDF mang chữ "
                                               "ký số hợp lệ (POST /api/v1/documents/attachments, kind=result) trước "
                                               "khi ký ban hành.", later="")
    digitized: Boolean = _ignored_claim(False, "kết quả được tính là đã số hóa khi cán bộ đã xác nhận bản quét kết quả "
                                               "(số hóa loại result).")


class ReturnIn(Schema):
    method: ReturnMethodIn | None = None


class EventOut(Schema):
    action: str
    from_status: str
    to_status: str
    at: datetime
    actor: str | None
    agency_code: str | None
    to_agency_code: str | None
    step: str | None
    note: str


class DossierOut(Schema):
    code: str | None
    status: str
    status_label: str
    procedure_code: str
    procedure_name: str
    agency_code: str
    current_agency_code: str | None
    current_step: str | None
    assignee: str | None
    channel: str
    return_method: str
    applicant_name: str
    submitted_at: datetime | None
    received_at: datetime | None
    due_at: datetime | None
    decided_at: datetime | None
    returned_at: datetime | None
    fee_vnd: int
    supplement_count: int
    extension_count: int
    apology_count: int
    version: int
    timeliness: str | None = None


class DossierDetailOut(DossierOut):
    applicant_id_number: str
    applicant_phone: str
    applicant_email: str
    applicant_address: str
    form_data: dict
    result_summary: str
    refusal_reason: str
    allowed_actions: list[str]
    history: list[EventOut]


class DossierPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[DossierOut]


# ---------------------------------------------------------------- accounts


class RoleOut(Schema):
    role: str
    role_label: str
    agency_code: str | None
    agency_name: str | None


class MeOut(Schema):
    username: str
    full_name: str
    roles: list[RoleOut]


class TokenIn(Schema):
    name: text(100, 1)


class EidTokenIn(Schema):
    """What a citizen app sends after its VNeID sign-in (OAuth 2.0 for native apps, RFC 8252; PKCE, RFC 7636)."""

    code: text(512, 1) = Field(..., description="Mã ủy quyền (`code`) VNeID trả về địa chỉ chuyển hướng của ứng dụng.")
    code_verifier: text(128, 43) = Field(..., description="Chuỗi PKCE ứng dụng đã tạo; yêu cầu ủy quyền gửi "
                                                          "`code_challenge` = BASE64URL(SHA-256(chuỗi này)), "
                                                          "`code_challenge_method=S256`.")
    redirect_uri: text(2000, 1) = Field(..., description="Đúng địa chỉ chuyển hướng đã gửi trong yêu cầu ủy quyền; "
                                                          "phải là địa chỉ đã đăng ký cho ứng dụng.")
    nonce: text(255, 1) = Field(..., description="Đúng giá trị `nonce` đã gửi trong yêu cầu ủy quyền.")
    name: text(100, 1) = Field("Ứng dụng đăng nhập bằng VNeID", description="Tên khóa API (để nhận ra trong danh sách).")


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    vneid: bool = Field(False, description="Khóa được cấp khi đăng nhập bằng VNeID (POST /accounts/tokens/eid): hồ "
                                           "sơ nộp bằng khóa này cho chính người đã xác thực được tính là xác thực "
                                           "bằng VNeID (Quyết định 766, chỉ tiêu 4.5).")


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="Chỉ hiển thị một lần; hãy lưu lại ngay.")
