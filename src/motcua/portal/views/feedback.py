"""Feedback (phản ánh, kiến nghị): the form anyone can send, and the published answers."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect

from motcua.core.errors import DomainError
from motcua.dossiers.models import Dossier
from motcua.engagement.feedback import submit_feedback
from motcua.engagement.models import Feedback, FeedbackStatus
from motcua.web.pages import page, place_domain_error

from ..forms import (
    FeedbackForm,
)
from .catalog import PER_PAGE


def feedback(request):
    initial = {}
    if request.user.is_authenticated:
        initial = {"name": str(request.user), "phone": request.user.phone, "email": request.user.email}
    form = FeedbackForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            ref = _send_feedback(request.user, form.cleaned_data)
        except DomainError as err:
            place_domain_error(form, err)
        else:
            messages.success(request, f"Đã gửi phản ánh, kiến nghị số {ref}. "
                                      "Cơ quan sẽ trả lời theo quy định.")
            return redirect("portal:feedback")
    return page(request, "portal/feedback.html", {"form": form, "nav": "feedback"},
                status=400 if form.errors else 200)


def feedback_answers(request):
    """Published answers to feedback (without the sender's details)."""
    qs = (Feedback.objects.filter(status=FeedbackStatus.PUBLISHED, is_public=True)
          .select_related("agency", "procedure").only("code", "title", "content", "answer", "received_at",
                                                     "published_at", "agency__name", "procedure__name")
          .order_by("-published_at"))
    return page(request, "portal/feedback_answers.html",
                {"page_obj": Paginator(qs, PER_PAGE).get_page(request.GET.get("trang")), "nav": "feedback"})


def _send_feedback(user, data):
    dossier = None
    if data["dossier_code"]:
        dossier = Dossier.objects.filter(code=data["dossier_code"].strip().upper()).first()
        if dossier is None:
            raise DomainError("dossier_not_found", "Không tìm thấy hồ sơ có mã đã nhập.", status=404,
                              details={"dossier_code": "Không tìm thấy hồ sơ có mã đã nhập."})
    obj = submit_feedback(user if user.is_authenticated else None,
                                     classification=data["classification"], title=data["title"],
                                     content=data["content"], name=data["name"], phone=data["phone"],
                                     email=data.get("email", ""), dossier=dossier,
                                     procedure=dossier.procedure if dossier else None,
                                     agency=dossier.agency if dossier else data.get("agency"))
    return obj.code
