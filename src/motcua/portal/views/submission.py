"""Online submission (Decree 45/2020): the e-form, one file per component or a document reused from the
citizen's repository, drafts, and the dossier with its files in one transaction."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone

from motcua.audit.services import record_read
from motcua.catalog.models import OnlineLevel, Procedure
from motcua.core.digits import whole_number
from motcua.core.errors import DomainError
from motcua.documents.attachments import attach_held, drop_held, held_for, hold_upload, replace_in_draft
from motcua.documents.consent import UNVERIFIED_MESSAGE
from motcua.documents.vault import reuse_in_dossier, reuse_suggestions
from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier, Status
from motcua.integrations import eid, population
from motcua.integrations.config import target_config
from motcua.reporting.continuity import final_successors
from motcua.units import receiving
from motcua.web.files import (
    attachments_by_component,
    list_attachments,
    store_attachment,
)
from motcua.web.forms import person_prefill, saved_answers
from motcua.web.pages import actor, page

from ..forms import SubmitForm
from .catalog import receiving_agencies


def _draft_for(request, proc):
    draft_id = request.GET.get("nhap") or request.POST.get("draft")
    if not draft_id:
        return None
    if whole_number(draft_id) is None:  # "nhap=2026-13-45" names no draft (and the query would fail on it)
        raise Http404("Không tìm thấy bản nháp hồ sơ.")
    return get_object_or_404(Dossier, pk=whole_number(draft_id), applicant=request.user, status=Status.DRAFT,
                             procedure=proc)


def _initial(user, proc, draft, person=None, agencies=None):
    """What the form starts with: the draft as saved, else the account's facts and the place where they last
    submitted a dossier, when it receives this procedure too (out of a list of about a hundred communes, on a
    phone); the population database's record, when the applicant asked for it, over both (each field stays
    editable)."""
    if draft is not None:
        init = {k: getattr(draft, k) for k in ("applicant_name", "applicant_id_number", "applicant_phone",
                                              "applicant_email", "applicant_address", "return_method")}
        if agencies is None or agencies.filter(pk=draft.agency_id).exists():  # else it no longer receives
            init["agency"] = draft.agency_id
        init.update(saved_answers(proc.form_schema, draft.form_data))
    else:
        init = {"applicant_name": user.full_name or user.get_full_name(), "applicant_id_number": user.id_number,
                "applicant_phone": user.phone, "applicant_email": user.email, "applicant_address": user.address}
        last = (Dossier.objects.filter(applicant=user, agency__isnull=False).exclude(status=Status.DRAFT)
                .order_by("-created_at", "-id").values_list("agency__code", flat=True).first())
        if last is not None and agencies is not None:
            last = final_successors().get(last, last)  # merged into another commune since: that one
            chosen = agencies.filter(code=last).values_list("pk", flat=True).first()
            if chosen is not None:
                init["agency"] = chosen
    if person:
        init["applicant_name"] = person.get("full_name") or init["applicant_name"]
        init["applicant_address"] = person.get("current_address") or person.get("permanent_address") or \
            init["applicant_address"]
        init.update(person_prefill(proc.form_schema, person))
    return init


def _population_record(request) -> dict | None:
    """The applicant's own record in the National Population Database, read because they asked for it (the link
    on the form says what is read and why); None with a Vietnamese message when it cannot be read."""
    number = request.user.id_number
    if not number:
        messages.warning(request, "Tài khoản chưa có số định danh cá nhân nên chưa tra cứu được CSDL quốc gia về "
                                  "dân cư; vui lòng nhập thông tin.")
        return None
    if not request.user.id_number_verified():  # a number typed at sign-up is anyone's claim
        messages.warning(request, f"{UNVERIFIED_MESSAGE} Chưa tra cứu CSDL quốc gia về dân cư; vui lòng nhập thông tin.")
        return None
    try:
        person = population.lookup(number, by=request.user)
    except DomainError as err:
        messages.warning(request, err.message)
        return None
    population.remember_checked(request.user, number)
    record_read(request.user, "person", number, [k for k, v in person.items() if v],
                purpose="online_submission_prefill")
    messages.info(request, "Đã điền sẵn thông tin từ CSDL quốc gia về dân cư. Vui lòng kiểm tra trước khi nộp.")
    return person


@login_required
def submit(request, code):
    proc = get_object_or_404(Procedure, code=code, is_active=True)
    if proc.online_level == OnlineLevel.NONE:
        messages.warning(request, "Thủ tục này chưa cung cấp dịch vụ công trực tuyến; vui lòng nộp tại Bộ phận Một cửa.")
        return redirect("portal:procedure", code=code)
    agencies = receiving_agencies(proc)
    draft = _draft_for(request, proc)
    stored = attachments_by_component(draft) if draft else {}
    vault = _vault_suggestions(proc, actor(request))
    held = {} if draft is not None else _held(request, proc)
    stored = {**{f"tp_{pk}": [att.original_name] for pk, att in held.items()}, **stored}
    if request.method == "POST":
        drafting = request.POST.get("action") == "draft"
        form = SubmitForm(request.POST, request.FILES, procedure=proc, agencies=agencies, stored_files=stored,
                          drafting=drafting, vault=vault)
        # A form that passed its checks and still came back was refused after them (the lifecycle: the place stopped
        # receiving since the page was opened; a draft saved with no place): nothing was written.
        passed = form.is_valid()
        if passed and (result := _save_submission(request, proc, form, draft, drafting, held)) is not None:
            return result
        draft = _keep_uploads(request, proc, form, draft, held, refused=passed) or draft
    else:
        person = _population_record(request) if request.GET.get("dan_cu") == "1" else None
        form = SubmitForm(initial=_initial(request.user, proc, draft, person, agencies), procedure=proc, agencies=agencies,
                          stored_files=stored, vault=vault)
    if not agencies:
        messages.warning(request, "Thủ tục chưa được gán cơ quan tiếp nhận trực tuyến.")
    # A draft whose place no longer receives (its unit closed since): the citizen chooses another; a POST naming it
    # is refused by the form's field in the same words (web.forms.ReceivingAgencyField).
    if request.method != "POST" and draft is not None and draft.agency is not None and \
            (refused := receiving.refusal(draft.agency, timezone.localdate())):
        messages.warning(request, f"Bản nháp này chọn nơi nộp là {draft.agency.name}. {refused.message} Thông tin đã "
                                  "nhập trong bản nháp vẫn được giữ.")
    return page(request, "portal/submit.html", {"p": proc, "form": form, "draft": draft, "nav": "procedures",
                                                "idem": request.POST.get("idem") or uuid.uuid4().hex,
                                                "population_offered": bool(target_config("population").get("url"))},
                status=400 if form.errors or (request.method == "POST") else 200)


def _vault_suggestions(procedure, user) -> dict:
    """component pk -> the person's own valid repository items that fit it (Decree 45/2020: provide once)."""
    if not getattr(user, "id_number", ""):
        return {}
    try:
        rows = reuse_suggestions(procedure, user.id_number, requester=user,
                                 reason=f"Nộp trực tuyến thủ tục {procedure.code}: gợi ý giấy tờ đã có")
    except DomainError:
        return {}
    return {row["component"].pk: row["items"] for row in rows if row["items"]}


def _dossier_fields(request, proc, form, agency) -> dict:
    """What the lifecycle's save_draft and submit_online take from the form (what failed its checks is left out)."""
    applicant_data = form.applicant_data()
    applicant_data.update(vneid_verified=eid.applicant_vouched(eid.verified_in_session(request.session), request.user,
                                                               applicant_data["id_number"]),
                          population_checked=population.checked_by(request.user, applicant_data["id_number"]))
    return {"applicant": actor(request), "procedure": proc, "agency": agency,
            "applicant_data": applicant_data, "form_data": form.form_data()}


HELD_KEY = "portal_held_uploads"  # procedure code -> [Attachment pk]: files held before a place was chosen


def _held(request, proc) -> dict:
    """component pk -> the file this session holds for it (sent before the citizen chose where to submit)."""
    return held_for(request.user, proc, request.session.get(HELD_KEY, {}).get(proc.code, []))


def _remember_held(request, proc, held: dict) -> None:
    remembered = {**request.session.get(HELD_KEY, {}), proc.code: [att.pk for att in held.values()]}
    request.session[HELD_KEY] = {code: pks for code, pks in remembered.items() if pks}


def _unused_held(form, held: dict) -> tuple[list, list]:
    """(held files that go with the dossier, held files replaced): a component chosen again, or taken from the
    repository, replaces its held file."""
    replaced = [att for pk, att in held.items()
                if form.cleaned_data.get(f"tp_{pk}") or form.cleaned_data.get(f"kho_{pk}")]
    return [att for att in held.values() if att not in replaced], replaced


def _hold_uploads(request, proc, form, kept, held) -> None:
    """No place chosen yet, so no draft to keep the files with (a draft names its place, and the portal never
    chooses it for the citizen): they are held for this session, for this procedure, and shown as already sent."""
    holding = dict(held)
    try:
        with transaction.atomic():
            drop_held([holding.pop(form.fields[name].component.pk) for name in kept
                       if form.fields[name].component.pk in holding])
            for name in kept:
                comp = form.fields[name].component
                holding[comp.pk] = hold_upload(form.cleaned_data[name], owner=request.user, component=comp)
    except DomainError:  # not stored after all: asked for again by their names, as before
        return
    held.clear()
    held.update(holding)
    _remember_held(request, proc, held)
    form.keep({f"tp_{pk}": [att.original_name] for pk, att in held.items()}, kept)


def _keep_uploads(request, proc, form, draft, held, *, refused=False):
    """The form came back with a field to fix: the files it carried that passed their checks are kept with the
    draft, as «Lưu nháp» keeps them, so a citizen on 3G never sends them twice; nothing is submitted. A draft being
    edited keeps what it had saved, its files for those components replaced; without one, a draft is saved with what
    passed its checks, with the files held before a place was chosen. No place chosen yet: the files are held
    (_hold_uploads). ``refused``: the form passed its checks and the submission was refused after them (the place no
    longer receives, say: nothing was written); its files are kept the same way, held rather than saved with a new
    draft at the place that refused it. The draft, or None when no draft was kept."""
    kept = [name for name in form.component_names if name not in form.errors and form.cleaned_data.get(name)]
    if draft is None:
        agency = None if refused else form.cleaned_data.get("agency")
        if agency is None:
            if kept:
                _hold_uploads(request, proc, form, kept, held)
            return None
        if not (kept or held):
            return None
    elif not kept:
        return None
    try:
        with transaction.atomic():
            if draft is None:
                dossier = lifecycle.save_draft(**_dossier_fields(request, proc, form, agency))
                drop_held([att for att in held.values() if f"tp_{att.component_id}" in kept])
                attach_held([att for att in held.values() if f"tp_{att.component_id}" not in kept], dossier,
                            by=actor(request))
            else:
                dossier = draft
                for name in kept:
                    replace_in_draft(draft, form.fields[name].component, by=actor(request))
            for name in kept:
                store_attachment(dossier, form.cleaned_data[name], by=actor(request),
                                 component=form.fields[name].component)
    except DomainError:  # the place no longer receives, say: the files are asked for again by their names
        return None
    if held:
        _remember_held(request, proc, {})
    form.keep(attachments_by_component(dossier), kept)
    return dossier


def _replacing(draft, uploads, reused) -> list:
    """The components whose files kept with ``draft`` the citizen's new choice replaces: a file chosen for it, or a
    document of their repository the draft did not already take (as a held file is replaced, _unused_held)."""
    taken = {(att.component_id, att.reused_from_id) for att in list_attachments(draft)}
    return [comp for comp, _ in uploads] + [comp for item, comp in reused if (comp.pk, item.attachment_id) not in taken]


def _save_submission(request, proc, form, draft, drafting, held):
    agency = form.cleaned_data.get("agency") or (draft.agency if draft else None)
    kwargs = _dossier_fields(request, proc, form, agency)
    if drafting and agency is None:
        form.add_error("agency", "Vui lòng chọn nơi nộp hồ sơ.")
        return None
    uploads = [(form.fields[name].component, form.cleaned_data[name]) for name in form.component_names
               if form.cleaned_data.get(name)]
    try:
        with transaction.atomic():  # the dossier and its files, or nothing
            if draft is not None:  # a file chosen again, or the repository's document, replaces the draft's
                for comp in _replacing(draft, uploads, form.reused_items()):
                    replace_in_draft(draft, comp, by=actor(request))
            if drafting:
                dossier = lifecycle.save_draft(**kwargs, dossier=draft)
            else:
                dossier = lifecycle.submit_online(**kwargs, return_method=form.cleaned_data["return_method"],
                                                  idempotency_key=request.POST.get("idem") or None, draft=draft)
            for comp, upload in uploads:
                store_attachment(dossier, upload, by=actor(request), component=comp)
            for item, comp in form.reused_items():
                reuse_in_dossier(item, dossier, actor=actor(request), component=comp)
            going, replaced = _unused_held(form, held)
            drop_held(replaced)
            attach_held(going, dossier, by=actor(request))
    except DomainError as err:
        form.add_error(None, err.message)
        return None
    if held:
        _remember_held(request, proc, {})
    if drafting:
        messages.success(request, "Đã lưu bản nháp. Bạn có thể quay lại hoàn thiện và nộp sau.")
        return redirect(f"{request.path}?nhap={dossier.pk}")
    messages.success(request, f"Đã nộp hồ sơ {dossier.code or ''}. Cơ quan sẽ kiểm tra và tiếp nhận trong 8 giờ làm việc.")
    return redirect("portal:dossier", pk=dossier.pk)
