"""Tracking one's feedback by its code and contact (phone or e-mail), no account: POST /feedback/track/{code} with
{"contact": "…"} in the body, so the contact stays out of URLs (access logs, browser history, Referer headers;
Decree 13/2023/ND-CP art. 3(6)). The older GET /feedback/track/{code}?contact=… still answers, deprecated.

Mounted on the engagement router beside the other public feedback operations. Wrong guesses are counted per address
and per code as the portal's dossier tracking is (accounts.lockout.lookup_refusal, kind "feedback").
"""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Query, Schema

from motcua.accounts import lockout
from motcua.accounts.services import normalize_phone
from motcua.core.errors import DomainError, NotFound, ValidationFailed
from motcua.engagement.models import Feedback

from .engagement import FeedbackReceipt, _receipt, router
from .schemas import ErrorOut


class TrackOut(FeedbackReceipt):
    answer: str
    answered_at: datetime | None
    reject_reason: str


class FeedbackTrackIn(Schema):
    contact: str = Field(..., min_length=3, max_length=255, examples=["0935111222"],
                         description="Số điện thoại hoặc thư điện tử người gửi đã để lại khi gửi phản ánh.")


TRACK_ANSWERS = {200: TrackOut, 404: ErrorOut, 429: ErrorOut}
TRACK_RULES = ("Người gửi tra cứu phản ánh bằng mã và số điện thoại hoặc thư điện tử đã để lại. Sai mã hoặc thông tin "
               "liên hệ: 404 `feedback_not_found`; mỗi lần sai được đếm theo địa chỉ gửi và theo mã như tra cứu hồ "
               "sơ: quá giới hạn, 429 `too_many_attempts`.")


@router.post("/feedback/track/{code}", response=TRACK_ANSWERS, summary="Tra cứu phản ánh bằng mã và số điện thoại/thư",
             description=TRACK_RULES + " Thông tin liên hệ gửi trong nội dung yêu cầu (JSON), không nằm trên đường "
                                       "dẫn nên không xuất hiện trong nhật ký truy cập, lịch sử trình duyệt, Referer.")
def track_feedback_post(request, code: str, payload: FeedbackTrackIn):
    return _track_feedback(request, code, payload.contact)


@router.get("/feedback/track/{code}", response=TRACK_ANSWERS, deprecated=True,
            summary="Tra cứu phản ánh (cũ: thông tin liên hệ trên đường dẫn)",
            description="Không dùng nữa: `?contact=` nằm trên đường dẫn, lọt vào nhật ký truy cập của máy chủ, proxy; "
                        "dùng `POST /api/v1/engagement/feedback/track/{code}` với `{\"contact\": \"…\"}`. Vẫn trả "
                        "lời như trước, cùng giới hạn số lần sai. " + TRACK_RULES)
def track_feedback(request, code: str, contact: str = Query(..., min_length=3, max_length=255)):
    return _track_feedback(request, code, contact)


def _as_kept(contact: str) -> str:
    """The contact as a feedback item keeps it: an e-mail in lower case, a phone in national form as the sending form
    normalized it (normalize_phone: spaces, dots, dashes, brackets, +84 or 84), so the sender's own way of writing it
    is not a wrong guess."""
    contact = contact.strip().lower()
    if "@" in contact:
        return contact
    try:
        return normalize_phone(contact)
    except ValidationFailed:
        return contact.replace(" ", "")  # not a phone: matches nothing


def _track_feedback(request, code: str, contact: str) -> dict:
    refusal = lockout.lookup_refusal(request, "feedback", code)  # wrong guesses per address and per code
    if refusal:
        raise DomainError("too_many_attempts", refusal, status=429)
    fb = Feedback.objects.filter(code=code.strip().upper()).first()
    contact = _as_kept(contact)
    if fb is None or contact not in {fb.submitter_phone, fb.submitter_email.lower()} - {""}:
        lockout.note_wrong_lookup(request, "feedback", code)
        raise NotFound("feedback_not_found", "Không tìm thấy phản ánh với mã và thông tin liên hệ đã nhập.")
    return {**_receipt(fb), "answer": fb.answer if fb.answered_at else "", "answered_at": fb.answered_at,
            "reject_reason": fb.reject_reason}


