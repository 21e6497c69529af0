"""Back-office forms: one per lifecycle action an officer can take, plus walk-in reception."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from motcua.core.errors import DomainError
from motcua.documents.digitization_flags import components_with_files
from motcua.documents.digitization_rules import receipt_digitization_applies
from motcua.documents.models import EXTRACTED_FIELD_LABELS
from motcua.dossiers import lifecycle
from motcua.dossiers.models import Channel, ReturnMethod
from motcua.units import receiving
from motcua.units.models import Agency
from motcua.web.closing import closing_before_appointment, mark_closing
from motcua.web.forms import (
    REQUIRED,
    ApplicantForm,
    DateField,
    NumberField,
    ReceivingAgencyField,
    checked_upload,
    clean_id_number,
)

REASON = {"required": "Vui lòng nêu rõ lý do."}


class OffDayReception(forms.Form):
    """A reception on a day off of the unit is confirmed (the tick box, this page's own) with its reason (the rule
    the API shares: dossiers.lifecycle.check_off_day_reason)."""

    off_day_confirm = forms.BooleanField(label="Tôi xác nhận tiếp nhận hồ sơ vào ngày nghỉ", required=False)
    off_day_reason = forms.CharField(label="Lý do tiếp nhận vào ngày nghỉ", required=False, max_length=500,
                                     widget=forms.TextInput(attrs={"placeholder": "Ví dụ: trực tiếp nhận theo kế hoạch "
                                                                                 "cao điểm của UBND"}))

    day_off_unit = ""  # the unit that is off, for the page

    def day_off_for(self, agency) -> str:
        off = lifecycle.reception_day_off(agency, self.moment)
        if off:
            self.day_off_unit = agency.name
        return off

    def check_day_off(self, agency) -> None:
        day_off = self.day_off_for(agency)
        if day_off:
            self.day_off = day_off
            if not self.cleaned_data.get("off_day_confirm"):
                self.add_error("off_day_confirm", f"Hôm nay là {day_off}, không phải ngày làm việc của {agency.name}: "
                                                  "xác nhận tiếp nhận vào ngày nghỉ.")
        try:  # required on a day off, dropped on a working day
            self.cleaned_data["off_day_reason"] = lifecycle.check_off_day_reason(
                agency, self.moment, self.cleaned_data.get("off_day_reason"))
        except DomainError as err:
            self.add_error("off_day_reason", err.message)


class ReceiveForm(OffDayReception):
    """Receiving an online dossier: on a day off of the unit, a confirmation and its reason (digitization is
    confirmed scan by scan, documents.digitization_flags)."""

    field_order = ["off_day_confirm", "off_day_reason"]

    def __init__(self, *args, agency=None, moment=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency, self.moment = agency, moment or timezone.now()
        self.day_off = self.day_off_for(agency)
        if not self.day_off:  # a working day: nothing to confirm
            del self.fields["off_day_confirm"], self.fields["off_day_reason"]

    def clean(self):
        data = super().clean()
        if "off_day_reason" in self.fields:
            self.check_day_off(self.agency)
        return data


class SupplementRequestForm(forms.Form):
    items = forms.MultipleChoiceField(label="Giấy tờ cần bổ sung, hoàn thiện", required=False,
                                      widget=forms.CheckboxSelectMultiple)
    other = forms.CharField(label="Giấy tờ khác (mỗi dòng một giấy tờ)", required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label="Lý do, hướng dẫn", error_messages=REASON, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, dossier=None, **kwargs):
        super().__init__(*args, **kwargs)
        comps = list(dossier.procedure.components.all()) if dossier else []
        self.fields["items"].choices = [(c.name, c.name) for c in comps]
        if dossier is not None and not receipt_digitization_applies(dossier):  # online: the required files it lacks
            attached = components_with_files(dossier)
            self.fields["items"].initial = [c.name for c in comps if c.is_required and c.pk not in attached]

    def clean(self):
        data = super().clean()
        items = list(data.get("items") or [])
        items += [line.strip() for line in (data.get("other") or "").splitlines() if line.strip()]
        if not items:
            self.add_error("items", "Chọn ít nhất một giấy tờ cần bổ sung.")
        data["all_items"] = items
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Lý do", error_messages=REASON, widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    note = forms.CharField(label="Ý kiến xử lý", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    assignee = forms.ModelChoiceField(label="Chuyển cho", required=False, queryset=None,
                                      empty_label="— Theo quy trình —")

    def __init__(self, *args, officers=None, **kwargs):
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        self.fields["assignee"].queryset = officers if officers is not None else get_user_model().objects.none()


class HandOverForm(forms.Form):
    """The agency a dossier is handed over to: one that receives today and, for a unit whose dissolution is recorded
    ahead, only while the dossier is due by its last day (units.receiving: ``receiving_on``, ``taking_due``, the
    lifecycle's hand-over check). Those left out for this dossier are named under the choice, with why; one named
    anyway (a page opened before) is refused with why."""

    to_agency = ReceivingAgencyField(label="Cơ quan nhận hồ sơ liên thông", queryset=Agency.objects.none(),
                                     error_messages={**REQUIRED, "invalid_choice": "Lựa chọn không hợp lệ."})
    note = forms.CharField(label="Nội dung chuyển", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, dossier=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["to_agency"]
        today = timezone.localdate()
        due = timezone.localdate(dossier.due_at) if dossier is not None and dossier.due_at else None
        receiving_today = Agency.objects.filter(receiving.receiving_on(today)).select_related("admin_unit")
        offered = receiving_today.filter(receiving.taking_due(due)) if due else receiving_today
        if dossier is not None:  # not the agency holding it: the lifecycle refuses that one (same_agency)
            offered = offered.exclude(pk=dossier.current_agency_id or dossier.agency_id)
        field.queryset = offered.order_by("name")

        def refusal(agency, day):
            return receiving.sending_refusal(agency, day, due)

        field.refusal = refusal
        if due:  # its unit dissolving ahead before this dossier is due: not offered, and why
            left_out = receiving_today.exclude(receiving.taking_due(due)).order_by("name")
            field.help_text = " ".join(refused.message for a in left_out if (refused := refusal(a, today)))


class ApproveForm(forms.Form):
    summary = forms.CharField(label="Nội dung kết quả", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class SignForm(forms.Form):
    result_file = forms.FileField(
        label="Tệp kết quả (PDF) để ký số bằng chứng thư của cơ quan", required=False,
        help_text="Có tệp: kết quả điện tử, được ký số và lưu vào kho dữ liệu của người nộp. Không có tệp: kết quả giấy, "
                  "cần quét và xác nhận số hóa trước khi trả.")

    def __init__(self, *args, electronic_only: bool = False, has_draft: bool = False, signed_on_dossier: bool = False,
                 filed=None, **kwargs):
        """What the help text tells the leader: ``electronic_only``, the procedure's result is an electronic document
        only; ``has_draft``, a result draft made from its template waits to be signed (the view signs it when no file
        is sent); ``signed_on_dossier``, else a validly signed result PDF on the dossier is the result. ``filed``:
        that PDF when there is a draft too — then, without a new file, the leader chooses which one is issued. Whether
        the signing may go ahead is the rule the transition asks (documents.digitization_flags.result_electronic_as_required)."""
        super().__init__(*args, **kwargs)
        if has_draft and filed is not None:
            self.fields["source"] = forms.ChoiceField(
                label="Kết quả ban hành", required=False, widget=forms.RadioSelect,
                choices=[("draft", "Ký số dự thảo kết quả lập từ mẫu"),
                         ("filed", f"Ban hành tệp kết quả đã ký số có trong hồ sơ: {filed.original_name}")],
                error_messages={"invalid_choice": "Lựa chọn không hợp lệ."},
                help_text="Hồ sơ có một kết quả: tệp không được chọn vẫn lưu trong hồ sơ nhưng không ban hành.")
            self.fields["result_file"].help_text = "Hoặc tải lên tệp khác (PDF) để ký số làm kết quả điện tử."
            self.order_fields(["source", "result_file"])
        elif signed_on_dossier:
            self.fields["result_file"].help_text = ("Hồ sơ đã có tệp kết quả (PDF) được ký số hợp lệ: bỏ trống để ban "
                                                    "hành tệp đó làm kết quả điện tử, hoặc tải lên tệp khác để ký số.")
        elif has_draft and not electronic_only:  # the view signs the draft when no file is sent
            self.fields["result_file"].help_text = ("Có tệp: tệp đó được ký số làm kết quả điện tử. Không có tệp: dự thảo "
                                                    "kết quả lập từ mẫu được ký số làm kết quả điện tử. Cả hai được lưu "
                                                    "vào kho dữ liệu của người nộp.")
        elif electronic_only:
            self.fields["result_file"].help_text = ("Thủ tục có kết quả là bản điện tử: tải lên tệp kết quả (PDF) để "
                                                    "ký số" + (", hoặc bỏ trống để ký dự thảo." if has_draft else "."))

    def clean(self):
        data = super().clean()
        if "source" in self.fields and not data.get("result_file") and not data.get("source") \
                and "source" not in self.errors:
            self.add_error("source", "Hồ sơ có cả dự thảo lập từ mẫu và tệp kết quả đã ký số: chọn kết quả sẽ ban "
                                     "hành, hoặc tải lên tệp khác.")
        return data

    def clean_result_file(self):
        upload = self.cleaned_data.get("result_file")
        if upload:
            checked_upload(upload)
            if not upload.read(5).startswith(b"%PDF-"):
                raise forms.ValidationError("Chỉ ký số được tệp PDF.")
            upload.seek(0)
        return upload


SIGNED_RESULT_MAKES_IT_ELECTRONIC = "Trả trực tuyến được nếu đính kèm dưới đây tệp kết quả PDF đã ký số hợp lệ."


class ReturnForm(forms.Form):
    method = forms.ChoiceField(label="Hình thức trả kết quả", choices=ReturnMethod.choices)
    result_file = forms.FileField(label="Tệp kết quả bản quét (nếu có)", required=False)

    def __init__(self, *args, online_refusal=None, held=None, **kwargs):
        """``online_refusal``: why this dossier's result cannot go online now (dossiers.lifecycle.online_return_refusal),
        which the officer reads under the choice. Without an account to receive it, online is not offered; without an
        electronic result it still is, for a validly signed result PDF attached here makes the result electronic.
        ``held``: the ways a hold refuses now (dossiers.lifecycle.hold_refusals: the post office has the paper result),
        not offered, and why under the choice; one chosen on a page loaded before is refused by the return itself."""
        super().__init__(*args, **kwargs)
        if self.offer(held):
            return
        if online_refusal is not None:
            field = self.fields["method"]
            field.help_text = online_refusal.message
            if online_refusal.code == "return_online_needs_account":
                field.choices = lifecycle.return_choices(account=False)
            else:
                field.help_text += " " + SIGNED_RESULT_MAKES_IT_ELECTRONIC
            if self.initial.get("method") == ReturnMethod.ONLINE:
                self.initial["method"] = ReturnMethod.COUNTER

    def offer(self, held) -> bool:
        """Offer only the ways the holds do not refuse (``held``, as ``hold_refusals`` returns them), and say why under
        the choice; also on a form shown again after the return learnt of a hold and was refused. True if any."""
        if not held:
            return False
        field = self.fields["method"]
        offered = [c for c in field.choices if c[0] not in held]
        field.widget.choices = offered  # shown; the return refuses the others with the same words
        field.help_text = next(iter(held.values())).message
        if offered:
            if self.initial.get("method") in held:
                self.initial["method"] = offered[0][0]
            if self.is_bound and self.data.get("method") in held:  # the refused choice: the one left is selected
                self.data = self.data.copy()
                self.data["method"] = offered[0][0]
        return True

    def clean_result_file(self):
        upload = self.cleaned_data.get("result_file")
        if upload:
            checked_upload(upload)
        return upload


class ExtendForm(forms.Form):
    days = NumberField(label="Số ngày làm việc gia hạn", min_value=lifecycle.MIN_EXTENSION_DAYS,
                       max_value=lifecycle.MAX_EXTENSION_DAYS,
                       error_messages={**REQUIRED, "min_value": "Số ngày phải lớn hơn 0."})
    reason = forms.CharField(label="Lý do", error_messages=REASON, widget=forms.Textarea(attrs={"rows": 2}))


class ApologyForm(forms.Form):
    new_due = DateField(label="Ngày hẹn trả mới", widget=forms.DateInput(attrs={"type": "date"}),
                        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                        error_messages={**REQUIRED, "invalid": "Ngày không hợp lệ (dd/mm/yyyy)."})
    reason = forms.CharField(label="Lý do chậm trả kết quả", error_messages=REASON,
                             widget=forms.Textarea(attrs={"rows": 3}))


ACTION_FORMS = {
    "receive": ReceiveForm, "request_supplement": SupplementRequestForm, "refuse": ReasonForm,
    "start_processing": NoteForm, "complete_step": NoteForm, "hand_over": HandOverForm,
    "return_from_agency": NoteForm, "pause": ReasonForm, "resume": None, "extend": ExtendForm,
    "issue_apology": ApologyForm, "approve": ApproveForm, "reject": ReasonForm, "sign_result": SignForm,
    "return_result": ReturnForm, "withdraw": ReasonForm, "stop": ReasonForm,
}


class WalkInForm(OffDayReception, ApplicantForm):
    """Walk-in reception: the person, the e-form, the completeness checklist and the appointment."""

    applicant_id_number = forms.CharField(label="Số định danh cá nhân", max_length=14, required=False,
                                          widget=forms.TextInput(attrs={"inputmode": "numeric"}),
                                          help_text="nhập để tìm thông tin đã có")
    applicant_phone = forms.CharField(label="Số điện thoại", max_length=20, required=False,
                                      widget=forms.TextInput(attrs={"type": "tel"}))
    channel = forms.ChoiceField(label="Hình thức nộp", choices=[(Channel.COUNTER, Channel.COUNTER.label),
                                                                (Channel.POST, Channel.POST.label)])
    # a walk-in dossier is linked to no portal account, so there is no one to download a result online
    return_method = forms.ChoiceField(label="Hình thức nhận kết quả", initial=ReturnMethod.COUNTER,
                                      choices=lifecycle.return_choices(account=False))
    applicant_has_account = False

    def __init__(self, *args, procedure, agencies, moment=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        self.moment = moment or timezone.now()
        self.fields["agency"] = forms.ModelChoiceField(label="Cơ quan tiếp nhận", queryset=agencies,
                                                       empty_label=None, error_messages=REQUIRED)
        # one dissolving ahead before this dossier would be due: told before the whole dossier is typed
        mark_closing(self.fields["agency"],
                     closing_before_appointment(procedure, agencies.select_related("admin_unit"), self.moment))
        # Shown when one of the counter's units is off now; required for the one chosen (clean).
        self.day_off = next((off for off in map(self.day_off_for, agencies) if off), "")
        self.add_eform(procedure)
        self.checklist = []
        for comp in procedure.components.all():
            name = f"tp_{comp.pk}"
            self.fields[name] = forms.BooleanField(label=comp.name, required=False)
            self.fields[name].component = comp
            self.checklist.append(name)

    def checklist_bound(self):
        return [(self[n], self.fields[n].component) for n in self.checklist]

    def clean(self):
        data = super().clean()
        missing = [self.fields[n].component.name for n in self.checklist
                   if self.fields[n].component.is_required and not data.get(n)]
        if missing:
            self.missing = missing
            self.add_error(None, "Hồ sơ chưa đủ thành phần bắt buộc: " + "; ".join(missing)
                           + ". Hướng dẫn người nộp bổ sung một lần bằng Phiếu yêu cầu bổ sung.")
        self.check_day_off(data.get("agency"))
        return data


class TwoFactorForm(forms.Form):
    code = forms.CharField(label="Mã xác thực", max_length=20, error_messages=REQUIRED,
                           help_text="6 chữ số trên ứng dụng xác thực, hoặc một mã khôi phục",
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                                         "autofocus": True}))


class ConfirmFieldsForm(forms.Form):
    """The key fields read from the scan, corrected by the officer before the component counts as digitized."""

    full_name = forms.CharField(label=EXTRACTED_FIELD_LABELS["full_name"], max_length=200, required=False)
    id_number = forms.CharField(label=EXTRACTED_FIELD_LABELS["id_number"], max_length=14, required=False,
                                widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    date_of_birth = DateField(label=EXTRACTED_FIELD_LABELS["date_of_birth"], required=False,
                              input_formats=["%d/%m/%Y"],
                              widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
                              error_messages={"invalid": "Ngày sinh không hợp lệ (dd/mm/yyyy)."})
    document_number = forms.CharField(label=EXTRACTED_FIELD_LABELS["document_number"], max_length=100, required=False)
    address = forms.CharField(label=EXTRACTED_FIELD_LABELS["address"], max_length=500, required=False)

    def clean_id_number(self):
        return clean_id_number(self.cleaned_data.get("id_number"))

    def confirmed(self) -> dict:
        data = dict(self.cleaned_data)
        if data.get("date_of_birth"):
            data["date_of_birth"] = data["date_of_birth"].strftime("%d/%m/%Y")
        return {k: v for k, v in data.items() if v}


class ResultTemplateForm(forms.Form):
    template = forms.FileField(label="Tệp mẫu kết quả (Word .docx, có các trường trộn như {{ applicant_name }})",
                               error_messages={"required": "Chưa chọn tệp mẫu.",
                                               "empty": "Tệp rỗng, không có nội dung."},
                               widget=forms.ClearableFileInput(attrs={"accept": ".docx"}))
