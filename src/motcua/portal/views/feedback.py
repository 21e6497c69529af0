"""Feedback (phản ánh, kiến nghị): the form anyone can send, the sender's own items (reply to a request for
information, rate the answer, raise it again), and the published answers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from motcua.core.errors import DomainError
from motcua.engagement.feedback import provide_information, rate_feedback_answer, submit_feedback
from motcua.engagement.models import Feedback, FeedbackStatus
from motcua.engagement.privacy import named_dossier, search_public
from motcua.units.reorganization import latest_successor
from motcua.web.pages import actor, page, place_domain_error, show_domain_error

from ..forms import (
    FeedbackForm,
)
from .catalog import PER_PAGE


def _mine(user):
    if not user.is_authenticated:
        return Feedback.objects.none()
    return Feedback.objects.filter(submitter=user).select_related("agency", "reraises").order_by("-received_at")


def feedback(request):
    initial = {}
    again = None
    code = request.GET.get("phan-anh-lai") or request.POST.get("reraises") or ""
    if code:
        again = _mine(request.user).filter(code=code).first()
    if request.user.is_authenticated:
        initial = {"name": str(request.user), "phone": request.user.phone, "email": request.user.email}
    if again is not None:
        initial.update(classification=again.classification, agency=again.agency_id, title=f"Phản ánh lại: {again.title}"[:255])
    form = FeedbackForm(request.POST or None, initial=initial)
    if again is not None and again.agency_id:
        form.initial["agency"] = _still_offered(form, again.agency)
    if request.method == "POST" and form.is_valid():
        try:
            ref = _send_feedback(request.user, form.cleaned_data, again)
        except DomainError as err:
            place_domain_error(form, err)
        else:
            messages.success(request, f"Đã gửi phản ánh, kiến nghị số {ref}. "
                                      "Cơ quan sẽ trả lời theo quy định.")
            return redirect("portal:feedback")
    return page(request, "portal/feedback.html", {"form": form, "nav": "feedback", "again": again,
                                                  "mine": _mine(request.user)[:20]},
                status=400 if form.errors else 200)


def _still_offered(form, agency):
    """The agency a raised-again item goes to: its own while it receives, else (its unit closed since) the agency
    that took over from it when the form offers it (units.receiving), else none: the sender chooses."""
    offered = form.fields["agency"].queryset
    for candidate in (agency, latest_successor(agency)):
        if candidate is not None and offered.filter(pk=candidate.pk).exists():
            return candidate.pk
    return None


@login_required
@require_POST
def feedback_reply(request, code):
    """The sender supplies the information the agency asked for."""
    fb = get_object_or_404(_mine(request.user), code=code)
    try:
        provide_information(actor(request), fb, request.POST.get("reply", ""))
    except DomainError as err:
        show_domain_error(request, err)
    else:
        messages.success(request, f"Đã gửi thông tin bổ sung cho phản ánh {fb.code}.")
    return redirect("portal:feedback")


@login_required
@require_POST
def feedback_rate(request, code):
    """The sender says whether the answer satisfied them (Decision 766 5.3)."""
    fb = get_object_or_404(_mine(request.user), code=code)
    choice = request.POST.get("hai-long")
    try:
        if choice not in ("co", "khong"):
            raise DomainError("rating_satisfied_required", "Vui lòng chọn hài lòng hoặc không hài lòng.", status=422)
        rate_feedback_answer(actor(request), fb, choice == "co")
    except DomainError as err:
        show_domain_error(request, err)
    else:
        messages.success(request, "Cảm ơn bạn đã đánh giá kết quả trả lời.")
    return redirect("portal:feedback")


def feedback_answers(request):
    """Published answers to feedback, in their public copy: without the sender's details (engagement.privacy);
    ``q`` searches that copy, the answer included."""
    q = (request.GET.get("q") or "").strip()[:200]
    qs = (Feedback.objects.filter(status=FeedbackStatus.PUBLISHED, is_public=True)
          .select_related("agency", "procedure").only("code", "public_title", "public_content", "public_answer",
                                                     "received_at", "published_at", "agency__name", "procedure__name")
          .order_by("-published_at", "-id"))
    return page(request, "portal/feedback_answers.html",
                {"page_obj": Paginator(search_public(qs, q), PER_PAGE).get_page(request.GET.get("trang")), "q": q,
                 "nav": "feedback"})


def _send_feedback(user, data, again=None):
    dossier = named_dossier(user, data["dossier_code"])  # someone else's reads as a code that does not exist
    obj = submit_feedback(user if user.is_authenticated else None,
                                     classification=data["classification"], title=data["title"],
                                     content=data["content"], name=data["name"], phone=data["phone"],
                                     email=data.get("email", ""), dossier=dossier,
                                     procedure=dossier.procedure if dossier else None,
                                     agency=dossier.agency if dossier else data.get("agency"), reraises=again)
    return obj.code
