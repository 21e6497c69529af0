"""Back-office handling of feedback (phản ánh, kiến nghị) through motcua.engagement.feedback."""

from __future__ import annotations

import unicodedata

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from motcua.audit.services import record_read
from motcua.core.errors import DomainError
from motcua.engagement import feedback as engagement
from motcua.engagement.models import FeedbackStatus
from motcua.engagement.privacy import PUBLIC_FIELDS, PUBLIC_LABELS, automatic_copy
from motcua.web.pages import actor, place_domain_error, show_domain_error

from .common import bo_page, officer_required


class AnswerForm(forms.Form):
    answer = forms.CharField(label="Nội dung trả lời", widget=forms.Textarea(attrs={"rows": 5}),
                             error_messages={"required": "Vui lòng nhập nội dung trả lời."})
    publish = forms.BooleanField(label="Công khai kết quả trên Cổng ngay sau khi trả lời (chuyển đến bước đọc lại và "
                                       "sửa bản công khai đã ẩn thông tin cá nhân, rồi mới công khai)", required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label="Lý do từ chối xử lý", widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "Vui lòng nêu rõ lý do."})


class InfoForm(forms.Form):
    question = forms.CharField(label="Thông tin cần người gửi bổ sung", widget=forms.Textarea(attrs={"rows": 3}),
                               error_messages={"required": "Vui lòng nêu rõ thông tin cần bổ sung."})


class PublicCopyForm(forms.Form):
    """The public copy (engagement.privacy) the officer reads and edits before it goes out, or corrects after."""
    hint = ("Hệ thống đã tự động viết tắt họ tên người gửi (ví dụ «Võ T. L.») và thay địa chỉ, thư điện tử của người "
            "gửi, mọi số điện thoại, thư điện tử, dãy từ 9 chữ số trở lên bằng «[đã ẩn]». Hệ thống không nhận ra được "
            "mọi thông tin cá nhân: vui lòng đọc lại và xóa họ tên người khác, địa chỉ nhà, biển số xe… trước khi "
            "công khai. Số điện thoại, thư điện tử, số định danh nhập lại sẽ được ẩn tự động khi lưu.")
    public_title = forms.CharField(label=PUBLIC_LABELS["public_title"], required=False)
    public_content = forms.CharField(label=PUBLIC_LABELS["public_content"], required=False,
                                     widget=forms.Textarea(attrs={"rows": 6}))
    public_answer = forms.CharField(label=PUBLIC_LABELS["public_answer"], required=False,
                                    widget=forms.Textarea(attrs={"rows": 5}))


FORMS = {"start": None, "info": InfoForm, "answer": AnswerForm, "publish": PublicCopyForm, "reject": RejectForm,
         "public_copy": PublicCopyForm}
LABELS = {"start": "Chuyển sang xử lý", "info": "Yêu cầu bổ sung thông tin", "answer": "Trả lời",
          "publish": "Công khai kết quả", "reject": "Từ chối xử lý", "public_copy": "Sửa nội dung công khai"}
BY_STATUS = {FeedbackStatus.RECEIVED: ["start", "info", "answer", "reject"],
             FeedbackStatus.PROCESSING: ["info", "answer", "reject"], FeedbackStatus.ANSWERED: ["publish"],
             FeedbackStatus.PUBLISHED: ["public_copy"]}
PUBLISHING = {"publish", "public_copy"}  # the publish_feedback capability's
REVIEW = "cong-khai"  # ?mo=…: the page opens on the publish step (answered with «công khai ngay»)


def _blank_form(action, fb):
    if action == "publish":
        return PublicCopyForm(initial=automatic_copy(fb))
    if action == "public_copy":
        return PublicCopyForm(initial={field: getattr(fb, field) for field in PUBLIC_FIELDS})
    return FORMS[action]() if FORMS[action] else None


def _offered(user, fb):
    for action in BY_STATUS.get(fb.status, []):
        if action == "info" and fb.info_requested_at is not None:
            continue
        if action in PUBLISHING and not engagement.may_handle(user, fb, "publish_feedback"):
            continue
        yield action


def _visible(request):
    return engagement.visible_feedback(request.user).select_related("agency", "procedure", "dossier", "reraises")


@officer_required
def feedback_list(request):
    status = request.GET.get("status") or ""
    # The rows show the item's own columns only: no join (the detail's select_related joined every dossier of the
    # province to the open items before sorting them, a full read of the dossier table per page view).
    qs = engagement.visible_feedback(request.user).order_by("handle_due_at")
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
    actions = [(a, LABELS[a], (bound or {}).get(a) or _blank_form(a, fb)) for a in _offered(request.user, fb)]
    opened = next(iter(bound or {}), None) or ("publish" if request.GET.get("mo") == REVIEW else None)
    return bo_page(request, "backoffice/feedback.html", {"fb": fb, "actions": actions, "nav": "feedback",
                                                          "open_action": opened}, status=status)


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
            if publish := form.cleaned_data["publish"]:
                engagement.may_publish(user, fb)  # refused before the answer is written, as before
            engagement.answer_feedback(user, fb, form.cleaned_data["answer"])
            if publish:
                # Decree 13/2023/ND-CP art. 11: the manager reads the masked copy of the answer before it goes out,
                # in the publish step, open and prefilled (engagement.privacy.automatic_copy)
                messages.success(request, "Đã ghi nhận trả lời. Vui lòng đọc lại bản công khai ở mục «Công khai kết "
                                          "quả» (thông tin cá nhân đã được ẩn tự động), sửa nếu cần rồi bấm «Công "
                                          "khai kết quả».")
                return redirect(reverse("backoffice:feedback", args=[pk]) + f"?mo={REVIEW}#xu-ly-publish")
        elif action in PUBLISHING:
            # a field the request does not send keeps the automatic copy (publish) or the current one (correction)
            texts = {f: form.cleaned_data[f] if f in request.POST else None for f in PUBLIC_FIELDS}
            service = engagement.publish_feedback if action == "publish" else engagement.correct_public_copy
            fb = service(user, fb, **texts)
            if any(_words(text) != _words(getattr(fb, f)) for f, text in texts.items() if text is not None):
                messages.info(request, "Số điện thoại, thư điện tử, số định danh hoặc họ tên người gửi còn trong bản "
                                       "công khai đã được ẩn tự động.")
        else:
            engagement.reject_feedback(user, fb, form.cleaned_data["reason"])
    except DomainError as err:
        if action in PUBLISHING and err.details:
            place_domain_error(form, err)
        else:
            show_domain_error(request, err)
        return feedback_detail(request, pk, bound={action: form} if form else None, status=err.status)
    messages.success(request, f"Đã thực hiện: {LABELS[action]}.")
    return redirect("backoffice:feedback", pk=pk)


def _words(text: str) -> list[str]:
    return unicodedata.normalize("NFC", text).split()
