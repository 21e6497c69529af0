"""Feedback (phản ánh, kiến nghị) on regulations and on officers' conduct, from receipt to published answer.

Every write runs in one transaction, validates its input (DomainError with a code and a Vietnamese
message, nothing half-written), writes an audit entry and an outbox event:
engagement.feedback_received, _processing, _info_requested, _info_provided, _answered, _published, _rejected,
_rated, _transferred, _public_copy_corrected.

- ``submit_feedback(user, classification=..., title=..., content=..., ...)`` (anonymous allowed with a
  name and a phone or e-mail; ``reraises=`` an earlier answered item of the same sender raises it again),
  ``start_processing``, ``request_information`` (once), ``answer_feedback`` (published at once only with the
  public answer the officer read), ``publish_feedback``,
  ``reject_feedback``, ``transfer_feedback`` (officers of the handling agency or province-wide; ``may_handle``),
  ``correct_public_copy`` (a published item's public copy, by whoever may publish it),
  ``provide_information`` and ``rate_feedback_answer`` (the submitter); ``visible_feedback(user)``.
  Deadlines: rules.FEEDBACK_DEADLINES (working days, motcua.core.calendar).

For reporting (Decision 766 group 5): ``feedback_reporting`` (on time, summary, items an agency received).
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from motcua.accounts.permissions import can, is_province_wide, staff_agencies_of
from motcua.accounts.services import check_phone_and_email
from motcua.audit.services import record
from motcua.core.calendar import add_working_days, add_working_time, working_time_between
from motcua.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from motcua.core.money import format_number
from motcua.dossiers.access import can_view_dossier
from motcua.outbox.services import emit
from motcua.units import receiving

from .common import MAX_CONTENT, clean_text, iso
from .feedback_reporting import feedback_on_time
from .models import Feedback, FeedbackClassification, FeedbackStatus
from .privacy import edited_copy, public_copy
from .rules import feedback_deadlines


def _new_code(at) -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    for _ in range(10):
        code = "PA" + timezone.localtime(at).strftime("%y%m%d") + "".join(secrets.choice(alphabet) for _ in range(6))
        if not Feedback.objects.filter(code=code).exists():
            return code
    raise RuntimeError("could not allocate a feedback code")


def _feedback_payload(fb: Feedback, at) -> dict:
    return {"feedback_id": fb.pk, "code": fb.code, "classification": fb.classification, "status": fb.status,
            "agency_code": fb.agency.code if fb.agency_id else None,
            "procedure_code": fb.procedure.code if fb.procedure_id else None,
            "dossier_id": fb.dossier_id, "received_at": iso(fb.received_at), "reject_due_at": iso(fb.reject_due_at),
            "handle_due_at": iso(fb.handle_due_at), "answered_at": iso(fb.answered_at),
            "published_at": iso(fb.published_at), "rejected_at": iso(fb.rejected_at),
            "reraises_id": fb.reraises_id, "info_requested_at": iso(fb.info_requested_at),
            "info_provided_at": iso(fb.info_provided_at), "on_time": feedback_on_time(fb, at), "at": iso(at)}


def _log(actor, fb: Feedback, event: str, at, extra: dict | None = None) -> None:
    record(actor, f"engagement.feedback_{event}", "feedback", fb.pk, {"status": fb.status, **(extra or {})}, at=at)
    emit(f"engagement.feedback_{event}", "feedback", fb.pk, _feedback_payload(fb, at))


def submit_feedback(user, *, classification: str, title: str, content: str, name: str = "", phone: str = "",
                    email: str = "", address: str = "", procedure=None, agency=None, dossier=None,
                    reraises=None, at=None) -> Feedback:
    """Receive a feedback item. Anonymous submitters must give a name and a phone number or e-mail. ``reraises``:
    the sender's own earlier item, answered or refused, that this one raises again (it then counts against 5.3)."""
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    if reraises is not None:
        if not signed_in or reraises.submitter_id != user.pk:
            raise PermissionDenied("forbidden", "Chỉ người đã gửi phản ánh mới được phản ánh lại.")
        if reraises.answered_at is None and reraises.status != FeedbackStatus.REJECTED:
            raise InvalidTransition("feedback_not_answered", "Phản ánh trước chưa có kết quả xử lý để phản ánh lại.")
        procedure = procedure or reraises.procedure
        agency = agency or reraises.agency
        dossier = dossier or reraises.dossier
    errors: dict[str, str] = {}
    if classification not in FeedbackClassification.values:
        errors["classification"] = "Vui lòng chọn phản ánh về quy định hành chính hay về hành vi của cán bộ."
    title = " ".join(clean_text(title).split())
    content = clean_text(content)
    if not title:
        errors["title"] = "Vui lòng nhập tiêu đề."
    elif len(title) > 255:
        errors["title"] = "Tiêu đề không được dài quá 255 ký tự."
    if len(content) < 10:
        errors["content"] = "Vui lòng nhập nội dung phản ánh, kiến nghị (ít nhất 10 ký tự)."
    elif len(content) > MAX_CONTENT:
        errors["content"] = f"Nội dung không được dài quá {format_number(MAX_CONTENT)} ký tự."
    name = " ".join(clean_text(name or (user.full_name or user.get_username() if signed_in else "")).split())
    phone = clean_text(phone or (user.phone if signed_in else ""))
    email = clean_text(email or (user.email if signed_in else "")).lower()
    if not name:
        errors["name"] = "Vui lòng nhập họ tên người phản ánh."
    phone = check_phone_and_email(phone, email, errors)
    if not phone and not email and "phone" not in errors:
        errors["contact"] = "Vui lòng để lại số điện thoại hoặc thư điện tử để nhận kết quả trả lời."
    if dossier is not None and not can_view_dossier(user, dossier):
        raise PermissionDenied("forbidden", "Chỉ người nộp hồ sơ mới được phản ánh về hồ sơ này.")
    # An agency whose unit has closed (merged, dissolved) handles nothing more: as for dossiers (units.receiving)
    if agency is not None and (refused := receiving.refusal(agency, timezone.localdate(at or timezone.now()))):
        errors["agency"] = f"{refused.fact}; vui lòng gửi phản ánh, kiến nghị đến cơ quan đang tiếp nhận."
    if errors:
        raise ValidationFailed("feedback_invalid", next(iter(errors.values())), details=errors)

    if agency is None and dossier is not None:
        agency = dossier.current_agency or dossier.agency
    now = at or timezone.now()
    rules = feedback_deadlines()
    with transaction.atomic():
        fb = Feedback.objects.create(
            code=_new_code(now), classification=classification, procedure=procedure or getattr(dossier, "procedure", None),
            agency=agency, received_agency=agency, dossier=dossier, reraises=reraises, title=title, content=content,
            submitter=user if signed_in else None,
            submitter_name=name[:200], submitter_phone=phone, submitter_email=email, submitter_address=clean_text(address)[:255],
            received_at=now, reject_due_at=add_working_days(now, rules["reject"]),
            handle_due_at=add_working_days(now, rules["handle"]))
        _log(user if signed_in else None, fb, "received", now)
    return fb


def visible_feedback(user, qs=None):
    """Feedback items an officer may see: their agencies' items; province-wide roles see everything."""
    qs = Feedback.objects.all() if qs is None else qs
    if not can(user, "view_feedback"):
        if user is not None and getattr(user, "is_authenticated", False):
            return qs.filter(submitter_id=user.pk)
        return qs.none()
    if is_province_wide(user):
        return qs
    return qs.filter(Q(agency_id__in=staff_agencies_of(user)) | Q(submitter_id=user.pk))


def may_handle(user, fb: Feedback, capability: str = "answer_feedback") -> bool:
    if fb.agency_id is None:
        return is_province_wide(user) and can(user, capability)
    return can(user, capability, fb.agency_id)


def _require_handler(user, fb: Feedback, capability: str = "answer_feedback") -> None:
    if not may_handle(user, fb, capability):
        raise PermissionDenied("forbidden", "Bạn không có quyền xử lý phản ánh, kiến nghị này.")


def _locked(fb_or_id) -> Feedback:
    pk = getattr(fb_or_id, "pk", fb_or_id)
    try:
        return Feedback.objects.select_for_update(of=("self",)).select_related("agency", "procedure").get(pk=pk)
    except Feedback.DoesNotExist as exc:
        raise NotFound("feedback_not_found", "Không tìm thấy phản ánh, kiến nghị.") from exc


def _require_status(fb: Feedback, allowed: set[str], action: str) -> None:
    if fb.status not in allowed:
        raise InvalidTransition("feedback_invalid_status",
                                f"Không thể {action} khi phản ánh đang ở trạng thái “{fb.get_status_display()}”.")


def start_processing(user, fb, at=None) -> Feedback:
    now = at or timezone.now()
    with transaction.atomic():
        fb = _locked(fb)
        _require_handler(user, fb)
        _require_status(fb, {FeedbackStatus.RECEIVED}, "chuyển sang xử lý")
        fb.status = FeedbackStatus.PROCESSING
        fb.processing_at = now
        fb.save()
        _log(user, fb, "processing", now)
    return fb


def request_information(user, fb, question: str, at=None) -> Feedback:
    """Ask the sender, once, for the information the answer needs (LEGAL.md §8: within 5 working days of receipt);
    the handling deadline waits while the sender has not replied."""
    question = clean_text(question)
    if len(question) < 10:
        raise ValidationFailed("feedback_question_required", "Vui lòng nêu rõ thông tin cần bổ sung (ít nhất 10 ký tự).")
    now = at or timezone.now()
    with transaction.atomic():
        fb = _locked(fb)
        _require_handler(user, fb)
        _require_status(fb, {FeedbackStatus.RECEIVED, FeedbackStatus.PROCESSING}, "yêu cầu bổ sung thông tin")
        if fb.info_requested_at is not None:
            raise InvalidTransition("feedback_info_already_requested", "Chỉ được yêu cầu bổ sung thông tin một lần.")
        fb.status = FeedbackStatus.INFO_REQUESTED
        fb.processing_at = fb.processing_at or now
        fb.info_request = question[:MAX_CONTENT]
        fb.info_requested_at = now
        fb.info_request_due_at = add_working_days(fb.received_at, feedback_deadlines()["request_info"])
        fb.save()
        _log(user, fb, "info_requested", now)
    return fb


def provide_information(user, fb, reply: str, at=None) -> Feedback:
    """The signed-in sender replies; handling resumes and its deadline moves by the working time waited."""
    reply = clean_text(reply)
    if len(reply) < 5:
        raise ValidationFailed("feedback_reply_required", "Vui lòng nhập thông tin bổ sung.")
    now = at or timezone.now()
    with transaction.atomic():
        fb = _locked(fb)
        if user is None or not getattr(user, "is_authenticated", False) or fb.submitter_id != user.pk:
            raise PermissionDenied("forbidden", "Chỉ người gửi phản ánh mới bổ sung được thông tin.")
        _require_status(fb, {FeedbackStatus.INFO_REQUESTED}, "bổ sung thông tin")
        fb.handle_due_at = add_working_time(fb.handle_due_at, working_time_between(fb.info_requested_at, now))
        fb.status = FeedbackStatus.PROCESSING
        fb.info_reply = reply[:MAX_CONTENT]
        fb.info_provided_at = now
        fb.save()
        _log(user, fb, "info_provided", now)
    return fb


PUBLIC_ANSWER_UNSEEN = ("Để công khai ngay khi trả lời, vui lòng gửi kèm kết quả xử lý công khai (bản trả lời đã ẩn "
                        "thông tin cá nhân, đã đọc lại); hoặc trả lời trước, xem bản công khai rồi mới công khai.")


def may_publish(user, fb: Feedback) -> None:
    """PermissionDenied unless ``user`` may publish ``fb``'s answer (publish_feedback)."""
    _require_handler(user, fb, "publish_feedback")


def answer_feedback(user, fb, answer: str, publish: bool = False, at=None, **public) -> Feedback:
    """Record the answer (status answered). publish=True also publishes it (needs publish_feedback rights) with the
    public copy the officer read: ``public_answer=`` is required, as no one has seen the masked copy of an answer
    written in the same breath (else ValidationFailed('feedback_public_copy_required'), nothing written); title and
    content left out keep the automatic copy, which the item's detail showed (publish_feedback, privacy.edited_copy).
    Decree 13/2023/ND-CP art. 11: what goes public is what a manager read."""
    answer = clean_text(answer)
    if len(answer) < 10:
        raise ValidationFailed("feedback_answer_required", "Vui lòng nhập nội dung trả lời (ít nhất 10 ký tự).")
    if len(answer) > MAX_CONTENT:
        raise ValidationFailed("feedback_answer_too_long", f"Nội dung trả lời không được dài quá {format_number(MAX_CONTENT)} ký tự.")
    now = at or timezone.now()
    with transaction.atomic():
        fb = _locked(fb)
        _require_handler(user, fb)
        _require_status(fb, {FeedbackStatus.RECEIVED, FeedbackStatus.PROCESSING}, "trả lời")
        if publish:
            may_publish(user, fb)
            if public.get("public_answer") is None:
                raise ValidationFailed("feedback_public_copy_required", PUBLIC_ANSWER_UNSEEN,
                                       details={"public_answer": PUBLIC_ANSWER_UNSEEN})
        fb.status = FeedbackStatus.ANSWERED
        fb.processing_at = fb.processing_at or now
        fb.answer = answer
        fb.answered_at = now
        fb.answered_by = user
        fb.publish_due_at = add_working_days(now, feedback_deadlines()["publish"])
        fb.save()
        _log(user, fb, "answered", now)
        if publish:
            fb = publish_feedback(user, fb, at=now, **public)
    return fb


def publish_feedback(user, fb, at=None, **public) -> Feedback:
    """Publish with the automatic public copy or the officer's (``public_title=``, ...: privacy.edited_copy)."""
    now = at or timezone.now()
    with transaction.atomic():
        fb = _locked(fb)
        _require_handler(user, fb, "publish_feedback")
        _require_status(fb, {FeedbackStatus.ANSWERED}, "công khai")
        fb.status, fb.published_at, fb.is_public = FeedbackStatus.PUBLISHED, now, True
        public_copy(fb)  # without the sender's personal data (privacy.py)
        vars(fb).update(edited := edited_copy(fb, **public))
        fb.save()
        _log(user, fb, "published", now, {"edited": sorted(edited)})
    return fb


def correct_public_copy(user, fb, at=None, **public) -> Feedback:
    """Correct a published item's public copy; audited with the fields and what the public now reads (not what it
    read: that may be the personal data taken out)."""
    now = at or timezone.now()
    with transaction.atomic():
        fb = _locked(fb)
        _require_handler(user, fb, "publish_feedback")
        _require_status(fb, {FeedbackStatus.PUBLISHED}, "sửa nội dung công khai")
        if changed := edited_copy(fb, **public):
            vars(fb).update(changed)
            fb.save(update_fields=sorted(changed))
            _log(user, fb, "public_copy_corrected", now, {"fields": sorted(changed), "now": changed})
    return fb


def reject_feedback(user, fb, reason: str, at=None) -> Feedback:
    reason = clean_text(reason)
    if len(reason) < 5:
        raise ValidationFailed("feedback_reason_required", "Vui lòng nêu lý do từ chối xử lý.")
    now = at or timezone.now()
    with transaction.atomic():
        fb = _locked(fb)
        _require_handler(user, fb)
        _require_status(fb, {FeedbackStatus.RECEIVED, FeedbackStatus.PROCESSING}, "từ chối")
        fb.status = FeedbackStatus.REJECTED
        fb.rejected_at = now
        fb.reject_reason = reason
        fb.save()
        _log(user, fb, "rejected", now, {"reason": reason})
    return fb


OPEN_STATUSES = frozenset({FeedbackStatus.RECEIVED, FeedbackStatus.PROCESSING, FeedbackStatus.INFO_REQUESTED,
                           FeedbackStatus.ANSWERED})


def transfer_feedback(user, fb, to_agency, reason: str, at=None) -> Feedback:
    """An open item changes handling agency (a reorganization of administrative units); deadlines stay. Only to an
    agency that receives that day (units.receiving, the rule a dossier's transfer asks): nobody would handle it at
    one whose unit has closed or is not yet open. A merger's plan, the only caller, sends it to its new committee,
    which always receives by then; the rule is asked all the same."""
    now = at or timezone.now()
    with transaction.atomic():
        fb = _locked(fb)
        _require_handler(user, fb)
        _require_status(fb, OPEN_STATUSES, "chuyển cơ quan xử lý")
        if refused := receiving.handover_refusal(to_agency, timezone.localdate(now)):
            raise ValidationFailed(refused.code, refused.message, details={"field": "to_agency"})
        old = fb.agency.code if fb.agency_id else None
        fb.agency = to_agency
        fb.save(update_fields=["agency"])
        _log(user, fb, "transferred", now, {"from": old, "to": to_agency.code, "reason": reason})
    return fb


def rate_feedback_answer(user, fb, satisfied: bool, at=None) -> Feedback:
    """The signed-in submitter says whether the answer satisfied them (Decision 766 indicator 5.3)."""
    if not isinstance(satisfied, bool):
        raise ValidationFailed("rating_satisfied_required", "Vui lòng chọn hài lòng hoặc không hài lòng.")
    now = at or timezone.now()
    with transaction.atomic():
        fb = _locked(fb)
        if user is None or not getattr(user, "is_authenticated", False) or fb.submitter_id != user.pk:
            raise PermissionDenied("forbidden", "Chỉ người gửi phản ánh mới được đánh giá kết quả trả lời.")
        _require_status(fb, {FeedbackStatus.ANSWERED, FeedbackStatus.PUBLISHED}, "đánh giá")
        if fb.submitter_satisfied is not None:
            raise InvalidTransition("feedback_already_rated", "Bạn đã đánh giá kết quả trả lời này.")
        fb.submitter_satisfied = satisfied
        fb.save(update_fields=["submitter_satisfied"])
        _log(user, fb, "rated", now, {"satisfied": satisfied})
    return fb
