"""Back-office handling of feedback (phản ánh, kiến nghị) through motcua.engagement.feedback."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from motcua.audit.services import record_read
from motcua.core.errors import DomainError
from motcua.engagement import feedback as engagement
from motcua.engagement.models import FeedbackStatus
from motcua.web.pages import actor, show_domain_error

from .common import bo_page, officer_required


class AnswerForm(forms.Form):
    answer = forms.CharField(label="Nội dung trả lời", widget=forms.Textarea(attrs={"rows": 5}),
                             error_messages={"required": "Vui lòng nhập nội dung trả lời."})
    publish = forms.BooleanField(label="Công khai kết quả trên Cổng (không kèm thông tin người gửi)", required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label="Lý do từ chối xử lý", widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "Vui lòng nêu rõ lý do."})


class InfoForm(forms.Form):
    question = forms.CharField(label="Thông tin cần người gửi bổ sung", widget=forms.Textarea(attrs={"rows": 3}),
                               error_messages={"required": "Vui lòng nêu rõ thông tin cần bổ sung."})


FORMS = {"start": None, "info": InfoForm, "answer": AnswerForm, "publish": None, "reject": RejectForm}
LABELS = {"start": "Chuyển sang xử lý", "info": "Yêu cầu bổ sung thông tin", "answer": "Trả lời",
          "publish": "Công khai kết quả", "reject": "Từ chối xử lý"}
BY_STATUS = {FeedbackStatus.RECEIVED: ["start", "info", "answer", "reject"],
             FeedbackStatus.PROCESSING: ["info", "answer", "reject"], FeedbackStatus.ANSWERED: ["publish"]}


def _visible(request):
    return engagement.visible_feedback(request.user).select_related("agency", "procedure", "dossier", "reraises")


@officer_required
def feedback_list(request):
    status = request.GET.get("status") or ""
    qs = _visible(request).order_by("handle_due_at")
    if status:
        qs = qs.filter(status=status)
    else:
        qs = qs.exclude(status__in=[FeedbackStatus.PUBLISHED, FeedbackStatus.REJECTED])
    return bo_page(request, "backoffice/feedback_list.html", {"rows": qs[:200], "status": status,
                                                               "statuses": FeedbackStatus.choices, "nav": "feedback"})


@officer_required
def feedback_detail(request, pk, bound=None, status=200):
    fb = get_object_or_404(_visible(request), pk=pk)
    if fb.submitter_id != request.user.pk:  # the sender's contact details are personal data
        record_read(request.user, "feedback", fb.pk, ["submitter_name", "submitter_phone", "submitter_email"],
                    purpose="backoffice_feedback")
    actions = [(a, LABELS[a], (bound or {}).get(a) or (FORMS[a]() if FORMS[a] else None))
               for a in BY_STATUS.get(fb.status, []) if a != "info" or fb.info_requested_at is None]
    return bo_page(request, "backoffice/feedback.html", {"fb": fb, "actions": actions, "nav": "feedback",
                                                          "open_action": next(iter(bound or {}), None)},
                    status=status)


@officer_required
@require_POST
def feedback_action(request, pk, action):
    fb = get_object_or_404(_visible(request), pk=pk)
    if action not in FORMS:
        raise Http404("Thao tác không tồn tại.")
    form = FORMS[action](request.POST) if FORMS[action] else None
    if form is not None and not form.is_valid():
        return feedback_detail(request, pk, bound={action: form}, status=400)
    user = actor(request)
    try:
        if action == "start":
            engagement.start_processing(user, fb)
        elif action == "info":
            engagement.request_information(user, fb, form.cleaned_data["question"])
        elif action == "answer":
            engagement.answer_feedback(user, fb, form.cleaned_data["answer"], publish=form.cleaned_data["publish"])
        elif action == "publish":
            engagement.publish_feedback(user, fb)
        else:
            engagement.reject_feedback(user, fb, form.cleaned_data["reason"])
    except DomainError as err:
        show_domain_error(request, err)
        return feedback_detail(request, pk, bound={action: form} if form else None, status=err.status)
    messages.success(request, f"Đã thực hiện: {LABELS[action]}.")
    return redirect("backoffice:feedback", pk=pk)
