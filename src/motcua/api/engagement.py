"""Engagement API: satisfaction ratings and feedback (phản ánh, kiến nghị).

Public (no sign-in): GET /criteria, POST /feedback (anonymous with a name + phone or e-mail),
GET /feedback/public, POST /feedback/track/{code} with {"contact": …} (the submitter's phone or e-mail; the older
GET …?contact=… still answers, deprecated: the contact lands in access logs and browser history).
Signed-in (bearer token or session + CSRF): rating of one's own returned dossier, the officer inbox,
processing / answering / publishing (with the public copy as sent, or edited: engagement.privacy.edited_copy) /
correcting a published item's public copy / rejecting, and the submitter's satisfaction with an answer.
Officer reads of a submitter's contact data are written to the audit trail.
"""

from __future__ import annotations

from typing import Annotated

from ninja import Query, Router, Status
from pydantic import StringConstraints

from motcua.audit.services import record_read
from motcua.catalog.models import Procedure
from motcua.core.errors import NotFound
from motcua.dossiers.access import can_view_dossier
from motcua.dossiers.models import Dossier
from motcua.engagement import feedback, feedback_reporting, ratings
from motcua.engagement.models import Feedback, FeedbackStatus, SatisfactionRating
from motcua.engagement.privacy import automatic_copy, named_dossier, search_public
from motcua.units.models import Agency

from .auth import api_auth, optional_auth
from .engagement_schemas import (
    CriterionOut,
    FeedbackAnswerIn,
    FeedbackIn,
    FeedbackReasonIn,
    FeedbackReceipt,
    OfficerFeedbackListItem,
    OfficerFeedbackOut,
    PublicCopyIn,
    PublicFeedbackOut,
    QuestionIn,
    RatingIn,
    RatingOut,
    ReplyIn,
    SatisfiedIn,
)
from .schemas import ErrorOut
from .values import page_size, page_start

router = Router(tags=["engagement"])


# --- helpers -----------------------------------------------------------------------------------------------

def _rating_out(r: SatisfactionRating) -> dict:
    return {"dossier_id": r.dossier_id, "dossier_code": r.dossier.code, "satisfied": r.satisfied, "scores": r.scores,
            "total_score": r.total_score, "max_score": r.max_score, "comment": r.comment, "created_at": r.created_at}


def _dossier_for(user, dossier_id: int):
    dossier = Dossier.objects.filter(pk=dossier_id).first()
    if dossier is None or not can_view_dossier(user, dossier):
        raise NotFound("dossier_not_found", "Không tìm thấy hồ sơ.")
    return dossier


def _receipt(fb: Feedback) -> dict:
    return {"code": fb.code, "status": fb.status, "status_label": fb.get_status_display(),
            "received_at": fb.received_at, "handle_due_at": fb.handle_due_at}


def _officer_out(fb: Feedback) -> dict:
    return {"id": fb.pk, "code": fb.code, "classification": fb.classification, "status": fb.status,
            "status_label": fb.get_status_display(), "title": fb.title, "content": fb.content,
            "agency_code": fb.agency.code if fb.agency_id else None,
            "procedure_code": fb.procedure.code if fb.procedure_id else None,
            "dossier_code": fb.dossier.code if fb.dossier_id else None,
            "submitter_name": fb.submitter_name, "submitter_phone": fb.submitter_phone,
            "submitter_email": fb.submitter_email, "submitter_address": fb.submitter_address,
            "received_at": fb.received_at, "reject_due_at": fb.reject_due_at, "handle_due_at": fb.handle_due_at,
            "answered_at": fb.answered_at, "published_at": fb.published_at, "rejected_at": fb.rejected_at,
            "answer": fb.answer, "reject_reason": fb.reject_reason, "is_public": fb.is_public,
            "on_time": feedback_reporting.feedback_on_time(fb),
            **({"public_title": fb.public_title, "public_content": fb.public_content, "public_answer": fb.public_answer}
               if fb.is_public else automatic_copy(fb))}


def _visible_feedback(user, feedback_id: int) -> Feedback:
    fb = (feedback.visible_feedback(user).select_related("agency", "procedure", "dossier")
          .filter(pk=feedback_id).first())
    if fb is None:
        raise NotFound("feedback_not_found", "Không tìm thấy phản ánh, kiến nghị.")
    return fb


def _lookup(model, code: str | None, label: str):
    if not code:
        return None
    obj = model.objects.filter(code=code).first()
    if obj is None:
        raise NotFound(f"{label}_not_found", {"procedure": "Không tìm thấy thủ tục.",
                                              "agency": "Không tìm thấy cơ quan."}[label])
    return obj


# --- ratings -----------------------------------------------------------------------------------------------

@router.get("/criteria", response=list[CriterionOut], summary="Tiêu chí đánh giá mức độ hài lòng")
def list_criteria(request):
    return [{"code": c.code, "name": c.name, "options": c.options} for c in ratings.active_criteria()]


@router.post("/dossiers/{id:dossier_id}/rating", auth=api_auth, response={201: RatingOut},
             summary="Người nộp đánh giá hồ sơ đã trả kết quả")
def rate_dossier(request, dossier_id: int, payload: RatingIn):
    dossier = _dossier_for(request.auth, dossier_id)
    rating = ratings.submit_rating(request.auth, dossier, payload.satisfied, payload.scores, payload.comment)
    return Status(201, _rating_out(rating))


@router.get("/dossiers/{id:dossier_id}/rating", auth=api_auth, response=RatingOut, summary="Đánh giá của một hồ sơ")
def get_rating(request, dossier_id: int):
    dossier = _dossier_for(request.auth, dossier_id)
    rating = SatisfactionRating.objects.select_related("dossier").filter(dossier=dossier).first()
    if rating is None:
        raise NotFound("rating_not_found", "Hồ sơ chưa được đánh giá.")
    return _rating_out(rating)


# --- feedback: public --------------------------------------------------------------------------------------

@router.post("/feedback", auth=optional_auth, response={201: FeedbackReceipt, 404: ErrorOut},
             summary="Gửi phản ánh, kiến nghị (không bắt buộc đăng nhập)")
def submit_feedback(request, payload: FeedbackIn):
    user = request.auth
    dossier = named_dossier(user, payload.dossier_code)  # someone else's reads as a code that does not exist
    earlier = None
    if payload.reraises_code:
        earlier = Feedback.objects.filter(code=payload.reraises_code.strip().upper(),
                                          submitter_id=getattr(user, "pk", None)).first()
        if earlier is None:
            raise NotFound("feedback_not_found", "Không tìm thấy phản ánh trước của bạn để phản ánh lại.")
    fb = feedback.submit_feedback(
        user, classification=payload.classification, title=payload.title, content=payload.content,
        name=payload.name, phone=payload.phone, email=payload.email, address=payload.address,
        procedure=_lookup(Procedure, payload.procedure_code, "procedure"),
        agency=_lookup(Agency, payload.agency_code, "agency"), dossier=dossier, reraises=earlier)
    return Status(201, _receipt(fb))


@router.get("/feedback/public", response=list[PublicFeedbackOut], summary="Phản ánh, kiến nghị đã công khai kết quả",
            description="Bản công khai: họ tên người gửi viết tắt (Võ T. L.); địa chỉ, thư điện tử, số điện thoại, "
                        "số định danh trong nội dung được ẩn. `q` tìm trong bản công khai (tiêu đề, nội dung, kết quả "
                        "trả lời) hoặc theo mã phản ánh.")
def public_feedback(request, q: Annotated[str, StringConstraints(max_length=200)] = "",
                    agency_code: str | None = Query(None, max_length=32),
                    limit: page_size(100) = 20, offset: page_start(100_000) = 0):
    qs = (Feedback.objects.filter(status=FeedbackStatus.PUBLISHED, is_public=True)
          .select_related("agency", "procedure").order_by("-published_at", "-id"))
    qs = search_public(qs, q)  # the public copy, answer included, never the text as sent (engagement.privacy)
    if agency_code:
        qs = qs.filter(agency__code=agency_code)
    return [{"code": f.code, "classification": f.classification, "title": f.public_title, "content": f.public_content,
             "agency": f.agency.name if f.agency_id else None,
             "procedure_code": f.procedure.code if f.procedure_id else None, "received_at": f.received_at,
             "answer": f.public_answer, "answered_at": f.answered_at, "published_at": f.published_at}
            for f in qs[offset:offset + limit]]


# --- feedback: officers ------------------------------------------------------------------------------------

@router.get("/feedback", auth=api_auth, response=list[OfficerFeedbackListItem],
            summary="Danh sách phản ánh thuộc phạm vi xử lý")
def officer_feedback(request, status: str | None = Query(None, max_length=16),
                     limit: page_size(200) = 50, offset: page_start(1_000_000) = 0):
    qs = feedback.visible_feedback(request.auth).select_related("agency").order_by("handle_due_at", "id")
    if status:
        qs = qs.filter(status=status)
    return [{"id": f.pk, "code": f.code, "classification": f.classification, "status": f.status,
             "status_label": f.get_status_display(), "title": f.title,
             "agency_code": f.agency.code if f.agency_id else None, "received_at": f.received_at,
             "handle_due_at": f.handle_due_at, "on_time": feedback_reporting.feedback_on_time(f)}
            for f in qs[offset:offset + limit]]


@router.get("/feedback/{id:feedback_id}", auth=api_auth, response=OfficerFeedbackOut,
            summary="Chi tiết phản ánh (kèm thông tin người gửi; việc xem được ghi nhật ký)")
def feedback_detail(request, feedback_id: int):
    fb = _visible_feedback(request.auth, feedback_id)
    if fb.submitter_id != request.auth.pk:
        record_read(request.auth, "feedback", fb.pk,
                    ["submitter_name", "submitter_phone", "submitter_email", "submitter_address"])
    return _officer_out(fb)


@router.post("/feedback/{id:feedback_id}/process", auth=api_auth, response=OfficerFeedbackOut,
             summary="Chuyển phản ánh sang đang xử lý")
def process_feedback(request, feedback_id: int):
    fb = feedback.start_processing(request.auth, _visible_feedback(request.auth, feedback_id))
    return _officer_out(fb)


@router.post("/feedback/{id:feedback_id}/request-info", auth=api_auth, response=OfficerFeedbackOut,
             summary="Yêu cầu người gửi bổ sung thông tin (một lần, trong 5 ngày làm việc)")
def request_info(request, feedback_id: int, payload: QuestionIn):
    fb = feedback.request_information(request.auth, _visible_feedback(request.auth, feedback_id), payload.question)
    return _officer_out(fb)


@router.post("/feedback/{id:feedback_id}/answer", auth=api_auth, response=OfficerFeedbackOut,
             summary="Trả lời phản ánh (publish=true để công khai ngay, kèm bản công khai đã đọc lại)",
             description="Công khai ngay (`publish=true`) cần `public_answer`: bản công khai của nội dung trả lời mà "
                         "người công khai đã đọc lại (thông tin cá nhân của người gửi trong đó được ẩn lại tự động); "
                         "`public_title`, `public_content` không gửi thì dùng bản ẩn tự động như khi công khai "
                         "(`public_*` ở chi tiết phản ánh). Thiếu `public_answer`: 422 `feedback_public_copy_required`, "
                         "không ghi gì; cách khác: trả lời, đọc `public_answer` ở kết quả trả về rồi gọi `/publish`. "
                         "Các trường bản công khai chỉ dùng khi `publish=true`.")
def answer_feedback(request, feedback_id: int, payload: FeedbackAnswerIn):
    texts = payload.dict(include={"public_title", "public_content", "public_answer"}) if payload.publish else {}
    fb = feedback.answer_feedback(request.auth, _visible_feedback(request.auth, feedback_id), payload.answer,
                                  publish=payload.publish, **texts)
    return _officer_out(fb)


@router.post("/feedback/{id:feedback_id}/publish", auth=api_auth, response=OfficerFeedbackOut,
             summary="Công khai kết quả trả lời (kèm bản công khai đã sửa, tùy chọn)",
             description="Trường bản công khai không gửi thì dùng bản ẩn tự động (xem `public_*` ở chi tiết phản ánh). "
                         "Số điện thoại, thư điện tử, số định danh, họ tên người gửi trong bản gửi lên được ẩn lại tự "
                         "động. 422 `feedback_public_copy_invalid`: trường trống hoặc quá dài.")
def publish_feedback(request, feedback_id: int, payload: PublicCopyIn | None = None):
    texts = payload.dict() if payload else {}
    fb = feedback.publish_feedback(request.auth, _visible_feedback(request.auth, feedback_id), **texts)
    return _officer_out(fb)


@router.patch("/feedback/{id:feedback_id}/public-copy", auth=api_auth, response=OfficerFeedbackOut,
              summary="Sửa bản công khai của phản ánh đã công khai (ghi nhật ký)",
              description="Cùng quyền công khai. Trường không gửi giữ nguyên; thông tin cá nhân của người gửi được ẩn "
                          "lại tự động. 409 `feedback_invalid_status` nếu chưa công khai.")
def correct_public_copy(request, feedback_id: int, payload: PublicCopyIn):
    fb = feedback.correct_public_copy(request.auth, _visible_feedback(request.auth, feedback_id), **payload.dict())
    return _officer_out(fb)


@router.post("/feedback/{id:feedback_id}/reject", auth=api_auth, response=OfficerFeedbackOut,
             summary="Từ chối xử lý phản ánh")
def reject_feedback(request, feedback_id: int, payload: FeedbackReasonIn):
    fb = feedback.reject_feedback(request.auth, _visible_feedback(request.auth, feedback_id), payload.reason)
    return _officer_out(fb)


@router.post("/feedback/{id:feedback_id}/satisfaction", auth=api_auth, response=FeedbackReceipt,
             summary="Người gửi đánh giá kết quả trả lời")
def rate_answer(request, feedback_id: int, payload: SatisfiedIn):
    return _receipt(feedback.rate_feedback_answer(request.auth, _own_feedback(request, feedback_id), payload.satisfied))


def _own_feedback(request, feedback_id: int) -> Feedback:
    fb = Feedback.objects.filter(pk=feedback_id, submitter_id=request.auth.pk).first()
    if fb is None:
        raise NotFound("feedback_not_found", "Không tìm thấy phản ánh, kiến nghị.")
    return fb


@router.post("/feedback/{id:feedback_id}/information", auth=api_auth, response=FeedbackReceipt,
             summary="Người gửi bổ sung thông tin cơ quan yêu cầu")
def provide_info(request, feedback_id: int, payload: ReplyIn):
    return _receipt(feedback.provide_information(request.auth, _own_feedback(request, feedback_id), payload.reply))
