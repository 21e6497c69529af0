"""One dossier in the back office: its page, the lifecycle actions the officer may take, slips and files, the
applicant's consent to read their data repository (recorded by an officer handling the dossier)."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from motcua.accounts.models import Role
from motcua.accounts.permissions import has_role
from motcua.audit.services import record_dossier_read
from motcua.core import calendar
from motcua.core.errors import DomainError
from motcua.documents.digitization_flags import (
    filed_signed_result,
    issue_filed_result,
    mark_result_electronic,
    receipt_digitized,
    result_digitized,
    result_electronic_as_required,
    result_electronic_only,
)
from motcua.documents.result_drafts import latest_draft
from motcua.documents.results import issue_signed_result
from motcua.dossiers import lifecycle
from motcua.dossiers.access import can_view_dossier, handles_dossier
from motcua.dossiers.models import Channel, Dossier, ReturnMethod
from motcua.integrations.adapters import postal
from motcua.web.consent import consent_section, post_consent
from motcua.web.display import TIMELINESS, form_rows
from motcua.web.files import attachment_of, attachment_response, list_attachments, slip_response, store_attachment
from motcua.web.pages import actor, show_domain_error

from ..forms import ACTION_FORMS
from .common import bo_page, officer_required
from .scan_panel import digitization_panel, result_panel


def _officer_dossier(request, pk):
    dossier = get_object_or_404(Dossier.objects.select_related("procedure", "agency", "current_agency",
                                                               "current_step", "assignee"), pk=pk)
    if not can_view_dossier(request.user, dossier):
        raise Http404("Không tìm thấy hồ sơ.")
    return dossier


def _officers_for(dossier):
    agency = dossier.current_agency or dossier.agency
    return get_user_model().objects.filter(role_assignments__agency=agency,
                                           role_assignments__role__in=[Role.SPECIALIST, Role.DEPARTMENT_HEAD, Role.LEADER]
                                           ).distinct().order_by("full_name")


def _action_form(action, dossier, data=None, files=None):
    cls = ACTION_FORMS.get(action)
    if cls is None:
        return None
    # Ids of its own: the page holds several actions' forms (a "reason" for pausing, refusing, stopping), and a
    # label tapped in one panel must reach its own field, not the first of that name in a closed panel above.
    kwargs = {"auto_id": f"{action}-%s"}
    if action in ("request_supplement", "hand_over"):
        kwargs["dossier"] = dossier
    if cls.__name__ == "NoteForm":
        kwargs["officers"] = _officers_for(dossier)
    if action == "return_result":
        kwargs["initial"] = {"method": dossier.return_method}
        kwargs["online_refusal"] = lifecycle.online_return_refusal(dossier)
        kwargs["held"] = lifecycle.hold_refusals(dossier)
    if action == "receive":
        kwargs["agency"] = dossier.agency
    if action == "sign_result":
        kwargs["electronic_only"] = result_electronic_only(dossier.procedure)
        kwargs["has_draft"] = latest_draft(dossier) is not None
        # Without a file or a draft, a validly signed result PDF already on the dossier is the result; with a draft
        # too, the leader chooses.
        filed = filed_signed_result(dossier)
        kwargs["signed_on_dossier"] = not kwargs["has_draft"] and filed is not None
        kwargs["filed"] = filed if kwargs["has_draft"] else None
    return cls(data, files, **kwargs) if data is not None else cls(**kwargs)


# The action the dossier waits for, first among the panels of the person who may take it: the leader's approval once
# the process steps are done or the last one (the leader's approval step, closed by the decision) is open — the only
# times lifecycle offers "approve". It was the 6th of 8 panels, below hand-over, pause, extension and apology.
EXPECTED_FIRST = ("approve",)


def _expected_first(actions: list[str]) -> list[str]:
    """``actions`` in lifecycle's order, the one the dossier's current step expects moved to the front."""
    return sorted(actions, key=lambda a: a not in EXPECTED_FIRST)  # stable: the others keep their order


@officer_required
def dossier_detail(request, pk, forms_override=None, status=None, consent_form=None):
    dossier = _officer_dossier(request, pk)
    record_dossier_read(request.user, dossier, purpose="backoffice_view")
    actions = _expected_first([a for a in lifecycle.allowed_actions(dossier, request.user) if a in ACTION_FORMS])
    forms = forms_override or {}
    action_forms = [(a, lifecycle.ACTION_LABELS.get(a, a), forms.get(a) or _action_form(a, dossier)) for a in actions]
    return bo_page(request, "backoffice/dossier.html", {
        "d": dossier, "events": dossier.events.select_related("actor", "to_agency"),
        "attachments": list_attachments(dossier, officer=True), "slips": dossier.slips.all(),
        "action_forms": action_forms, "open_action": next(iter(forms), None),
        "step_runs": dossier.step_runs.select_related("step", "agency", "assignee"),
        "timeliness": TIMELINESS.get(lifecycle.timeliness(dossier) or "", ""), "nav": "list",
        "form_rows": form_rows(dossier.procedure, dossier.form_data), **digitization_panel(request.user, dossier),
        **result_panel(request.user, dossier), **_consent_panel(request.user, dossier, consent_form),
        "can_collect_parcel": _collects_parcels(request.user, dossier),
    }, status=status or (400 if forms else 200))


def _collects_parcels(user, dossier) -> bool:
    """The counter of the agency that returned the result hands it over when the post brings it back."""
    return dossier.return_method == ReturnMethod.POST and has_role(user, Role.COUNTER_OFFICER, dossier.agency)


@officer_required
@require_POST
def parcel_collected(request, pk):
    """The applicant collected at the counter a result the post office could not deliver."""
    dossier = _officer_dossier(request, pk)
    if not _collects_parcels(request.user, dossier):
        messages.error(request, "Chỉ cán bộ Bộ phận Một cửa của cơ quan trả kết quả ghi nhận được việc này.")
        return dossier_detail(request, pk, status=403)
    try:
        postal.record_collected(dossier, officer=actor(request))
    except DomainError as err:
        show_domain_error(request, err)
        return dossier_detail(request, pk, status=err.status)
    messages.success(request, "Đã ghi nhận người nộp nhận lại kết quả tại Bộ phận Một cửa.")
    return redirect(reverse("backoffice:dossier", args=[pk]) + "#noi-dung")


def _consent_panel(user, dossier, form) -> dict:
    """Only an officer handling the dossier records or withdraws the applicant's consent (documents.consent)."""
    if not handles_dossier(user, dossier):
        return {"consent_rows": None}
    return consent_section(dossier, officer=True, form=form)


def _apply(action, dossier, user, form):
    c = form.cleaned_data if form is not None else {}
    if action == "receive":
        # Digitized at receipt only when the officer confirmed the scans of every required component.
        return lifecycle.receive(dossier, officer=user, digitized=receipt_digitized, at=form.moment,
                                 off_day_reason=c.get("off_day_reason", ""))
    if action == "request_supplement":
        return lifecycle.request_supplement(dossier, officer=user, items=c["all_items"], reason=c["reason"])
    if action in ("refuse", "reject", "pause", "stop"):
        return getattr(lifecycle, action)(dossier, officer=user, reason=c["reason"])
    if action == "withdraw":
        return lifecycle.withdraw(dossier, by=user, reason=c["reason"])
    if action == "start_processing":
        return lifecycle.start_processing(dossier, officer=user, assignee=c.get("assignee"))
    if action == "complete_step":
        return lifecycle.complete_step(dossier, officer=user, note=c.get("note", ""), assignee=c.get("assignee"))
    if action == "return_from_agency":
        return lifecycle.return_from_agency(dossier, officer=user, note=c.get("note", ""))
    if action == "hand_over":
        return lifecycle.hand_over(dossier, officer=user, to_agency=c["to_agency"], note=c.get("note", ""))
    if action == "resume":
        return lifecycle.resume(dossier, officer=user)
    if action == "extend":
        return lifecycle.extend(dossier, officer=user, days=c["days"], reason=c["reason"])
    if action == "issue_apology":
        new_due = calendar.end_of_working_day(c["new_due"])  # the chosen day, at the end of its office hours
        return lifecycle.issue_apology(dossier, officer=user, reason=c["reason"], new_due_at=new_due)
    if action == "approve":
        return lifecycle.approve(dossier, officer=user, summary=c.get("summary", ""))
    if action == "sign_result":
        # The transition checks the leader's right first; then the result PDF is signed (PAdES) with the
        # agency's certificate and filed in the applicant's repository — both or neither.
        # A result signed here is born electronic (so is a signed result already filed); a paper result counts as
        # digitized once its scan was confirmed. An electronic-only procedure's result is refused without one of
        # these, as over the API (result_electronic_as_required).
        # The file or draft signed here replaces a result PDF filed before (documents.results); the filed one, when
        # it is the result, goes into the applicant's repository as a result signed here does.
        draft = None if c.get("result_file") or c.get("source") == "filed" else latest_draft(dossier)
        born = bool(c.get("result_file") or draft)
        signed = lifecycle.sign_result(dossier, officer=user,
                                       electronic=functools.partial(result_electronic_as_required, born_electronic=born),
                                       digitized=functools.partial(result_digitized, born_electronic=born))
        if c.get("result_file"):
            issue_signed_result(signed, c["result_file"].read(), officer=user)
        elif draft is not None:  # the draft made from the procedure's template, reviewed on this page
            issue_signed_result(signed, draft.read(), officer=user)
        else:
            issue_filed_result(signed, officer=user)
        return signed
    if action == "return_result":
        if c.get("result_file"):  # a validly signed PDF makes a result signed as paper electronic after all
            mark_result_electronic(store_attachment(dossier, c["result_file"], by=user, kind="result"), actor=user)
        # asked where the result is before this transaction (dossier_action), so that a refusal keeps the answer
        return lifecycle.return_result(dossier, officer=user, method=c["method"], prepared=True)
    raise Http404("Thao tác không tồn tại.")


SUCCESS = {
    "receive": "Đã tiếp nhận hồ sơ; in Giấy tiếp nhận và hẹn trả kết quả.",
    "request_supplement": "Đã gửi Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ.",
    "refuse": "Đã từ chối tiếp nhận; in Phiếu từ chối.",
    "issue_apology": "Đã lập Phiếu xin lỗi và hẹn lại ngày trả kết quả.",
}


def _success(action, dossier) -> str:
    """What the officer is told once the action is done, and what comes next."""
    if action == "receive" and dossier is not None and dossier.channel == Channel.ONLINE:
        # An online applicant is not at the counter: the slip is on their dossier page on the portal.
        return ("Đã tiếp nhận hồ sơ. Người nộp xem và tải Giấy tiếp nhận và hẹn trả kết quả trên trang hồ sơ của "
                "mình ở Cổng dịch vụ công; không cần in.")
    if action == "sign_result" and dossier is not None:
        if dossier.result_electronic:
            return ("Đã ký số, ban hành kết quả điện tử; tệp kết quả đã lưu vào hồ sơ và kho dữ liệu của người nộp. "
                    "Hồ sơ chờ trả kết quả.")
        return ("Đã ký, ban hành kết quả giấy. Quét và xác nhận số hóa bản kết quả trước khi trả; hồ sơ chờ trả "
                "kết quả.")
    return SUCCESS.get(action) or f"Đã thực hiện: {lifecycle.ACTION_LABELS.get(action, action)}."


# A transition's refusal that one field of the action's form answers.
FIELD_OF_REFUSAL = {"result_file_required": "result_file", "result_not_electronic": "method",
                    "return_address_required": "method", "result_with_post": "method"}


@officer_required
@require_POST
def dossier_action(request, pk, action):
    dossier = _officer_dossier(request, pk)
    if action not in ACTION_FORMS:
        raise Http404("Thao tác không tồn tại.")
    form = _action_form(action, dossier, request.POST, request.FILES)
    if form is not None and not form.is_valid():
        messages.error(request, "Vui lòng sửa các mục được đánh dấu.")
        return dossier_detail(request, pk, forms_override={action: form})
    if action == "return_result":  # outside the transaction below: what the holds learn stays, refused or not
        lifecycle.return_result.prepare(dossier, officer=actor(request), method=form.cleaned_data["method"])
    try:
        with transaction.atomic():  # the transition and any file it carries, or nothing
            done = _apply(action, dossier, actor(request), form)
    except DomainError as err:
        show_domain_error(request, err)
        if action == "return_result":  # the choices as the holds now say (what the post office answered just now)
            form.offer(lifecycle.hold_refusals(dossier))
        if form is not None and err.code in FIELD_OF_REFUSAL:  # also by the field the officer fills to go ahead
            form.add_error(FIELD_OF_REFUSAL[err.code], err.message)
        return dossier_detail(request, pk, forms_override={action: form} if form is not None else None,
                              status=err.status)
    else:
        messages.success(request, _success(action, done))
    # Its own fragment: without one the browser keeps the form's #tt-… and opens the page at a closed panel,
    # the message saying what was done out of sight.
    return redirect(reverse("backoffice:dossier", args=[pk]) + "#noi-dung")


@officer_required
def dossier_slip(request, pk, kind, fmt):
    dossier = _officer_dossier(request, pk)
    if fmt not in ("pdf", "docx"):
        raise Http404("Định dạng không hỗ trợ.")
    if kind != "control_sheet" and not dossier.slips.filter(kind=kind).exists():
        raise Http404("Hồ sơ chưa có phiếu này.")
    return slip_response(request, dossier, kind, fmt)


@officer_required
def attachment(request, pk, att_id):
    dossier = _officer_dossier(request, pk)
    att = attachment_of(dossier, att_id, officer=True)
    record_dossier_read(request.user, dossier, purpose="backoffice_attachment")
    return attachment_response(att)


@officer_required
@require_POST
def consent(request, pk, action):
    """Record a consent the applicant gave at the counter (``grant``), or withdraw it (``revoke``)."""
    dossier = _officer_dossier(request, pk)
    return post_consent(request, dossier, action, officer=True, done=reverse("backoffice:dossier", args=[pk]),
                        show_page=lambda form, status: dossier_detail(request, pk, status=status, consent_form=form))
