"""The engagement API's bodies and answers (api.engagement): ratings, feedback as the public, the sender and the
officers see it. The OpenAPI document names each by its class."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import StringConstraints

from .values import Boolean, WholeNumber

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)]


class CriterionOut(Schema):
    code: str
    name: str
    options: dict[str, str]


class RatingIn(Schema):
    satisfied: Boolean = Field(..., description="Hài lòng (true) hoặc không hài lòng (false)")
    scores: dict[str, WholeNumber] = Field(default_factory=dict, description="Điểm 0/1/2 theo mã tiêu chí (tùy chọn)")
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""


class RatingOut(Schema):
    dossier_id: int
    dossier_code: str | None
    satisfied: bool
    scores: dict[str, int]
    total_score: int
    max_score: int
    comment: str
    created_at: datetime


class FeedbackIn(Schema):
    classification: Literal["regulation", "conduct"]
    title: Short
    content: Text
    name: Short = ""
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] = ""
    email: Short = ""
    address: Short = ""
    procedure_code: Short | None = None
    agency_code: Short | None = None
    dossier_code: Short | None = None
    reraises_code: Short | None = Field(None, description="Mã phản ánh trước (của chính người gửi) được phản ánh lại")


class FeedbackReceipt(Schema):
    code: str
    status: str
    status_label: str
    received_at: datetime
    handle_due_at: datetime


class PublicFeedbackOut(Schema):
    code: str
    classification: str
    title: str
    content: str
    agency: str | None
    procedure_code: str | None
    received_at: datetime
    answer: str
    answered_at: datetime | None
    published_at: datetime | None


class OfficerFeedbackListItem(Schema):
    id: int
    code: str
    classification: str
    status: str
    status_label: str
    title: str
    agency_code: str | None
    received_at: datetime
    handle_due_at: datetime
    on_time: bool


class OfficerFeedbackOut(OfficerFeedbackListItem):
    content: str
    procedure_code: str | None
    dossier_code: str | None
    submitter_name: str
    submitter_phone: str
    submitter_email: str
    submitter_address: str
    reject_due_at: datetime
    answered_at: datetime | None
    published_at: datetime | None
    rejected_at: datetime | None
    answer: str
    reject_reason: str
    is_public: bool
    public_title: str = Field(..., description="Bản công khai; trước khi công khai: bản ẩn tự động sẽ được dùng")
    public_content: str
    public_answer: str


class PublicCopyIn(Schema):
    """The public copy, each field optional: one left out keeps the automatic copy (publish) or the current one."""
    public_title: str | None = Field(None, description="Tiêu đề công khai (tối đa 300 ký tự)")
    public_content: str | None = Field(None, description="Nội dung công khai")
    public_answer: str | None = Field(None, description="Kết quả xử lý công khai")


class FeedbackAnswerIn(PublicCopyIn):
    # The OpenAPI document names a body by its class: AnswerIn is a reporting round's answer (api.transformation).
    answer: Text
    publish: Boolean = False


class FeedbackReasonIn(Schema):
    # ReasonIn is a dossier action's reason (api.schemas), which may not be empty.
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class SatisfiedIn(Schema):
    satisfied: Boolean


class QuestionIn(Schema):
    question: Text


class ReplyIn(Schema):
    reply: Text
