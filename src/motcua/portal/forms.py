"""Citizen portal forms. Every message a person reads is Vietnamese."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from motcua.accounts import lockout
from motcua.catalog.models import Field, OnlineLevel, ProcedureLevel
from motcua.core.digits import ascii_digits
from motcua.core.errors import DomainError
from motcua.dossiers.lifecycle import online_return_note
from motcua.dossiers.models import ReturnMethod
from motcua.engagement.models import RatingCriterion
from motcua.units import receiving
from motcua.units.models import Agency
from motcua.units.reorganization import former_names
from motcua.web.closing import closing_before_appointment, mark_closing
from motcua.web.files import check_upload
from motcua.web.forms import (
    ALLOWED_UPLOAD_EXT,
    EMAIL_INVALID,
    REQUIRED,
    ApplicantForm,
    ReceivingAgencyField,
    at_most,
    checked_upload,
    clean_id_number,
    clean_phone,
)

# On a phone the browser fills in a person's own name, phone and e-mail when a field says what it asks (HTML autofill
# tokens), and a name typed is capitalised word by word; a dossier code is typed as printed on the slip, in capitals,
# never "corrected" by the keyboard's dictionary nor offered from what was typed before.
OWN_DETAILS = {"name": {"autocomplete": "name", "autocapitalize": "words"}, "tel": {"autocomplete": "tel"},
               "email": {"autocomplete": "email"}, "address": {"autocomplete": "street-address"}}
CODE_INPUT = {"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}


def _own_details(form, **fields) -> None:
    """Say what each of `form`'s fields asks (field name → an OWN_DETAILS key)."""
    for name, kind in fields.items():
        form.fields[name].widget.attrs.update(OWN_DETAILS[kind])


class SearchForm(forms.Form):
    q = forms.CharField(label="Tên thủ tục", required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Ví dụ: đăng ký khai sinh"}))
    field = forms.ModelChoiceField(label="Lĩnh vực", required=False, queryset=Field.objects.all(),
                                   empty_label="Tất cả lĩnh vực", to_field_name="code")
    level = forms.ChoiceField(label="Cấp thực hiện", required=False,
                              choices=[("", "Tất cả các cấp"), *ProcedureLevel.choices])
    online_level = forms.ChoiceField(label="Mức độ trực tuyến", required=False,
                                     choices=[("", "Tất cả"), *OnlineLevel.choices])


class LoginForm(forms.Form):
    username = forms.CharField(label="Tên đăng nhập hoặc số định danh", max_length=150, error_messages=REQUIRED,
                               widget=forms.TextInput(attrs={"autocomplete": "username"}))
    password = forms.CharField(label="Mật khẩu", error_messages=REQUIRED,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class PasswordsMatch:
    """A form with a new ``password`` typed twice (``password2``)."""

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", "Hai mật khẩu không khớp.")
        return data


ID_NUMBER_HAS_ACCOUNT = ("Số định danh này đã có tài khoản. Vui lòng đăng nhập bằng số định danh và mật khẩu; nếu quên "
                         "mật khẩu, đăng nhập bằng VNeID rồi đặt lại mật khẩu.")


class SignupForm(PasswordsMatch, forms.Form):
    full_name = forms.CharField(label="Họ và tên", max_length=200, error_messages=REQUIRED,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    id_number = forms.CharField(label="Số định danh cá nhân (CCCD)", max_length=14, error_messages=REQUIRED,
                                widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    phone = forms.CharField(label="Số điện thoại", max_length=20, error_messages=REQUIRED,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    email = forms.EmailField(label="Thư điện tử", required=False, error_messages=EMAIL_INVALID,
                             widget=forms.EmailInput(attrs=OWN_DETAILS["email"]))
    username = forms.CharField(label="Tên đăng nhập", max_length=150, error_messages=REQUIRED,
                               widget=forms.TextInput(attrs={"autocomplete": "username"}))
    password = forms.CharField(label="Mật khẩu", min_length=8, error_messages={
        **REQUIRED, "min_length": "Mật khẩu phải có ít nhất 8 ký tự."},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), help_text="ít nhất 8 ký tự")
    password2 = forms.CharField(label="Nhập lại mật khẩu", error_messages=REQUIRED,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.refused = False  # too many tries with numbers that have an account: the page answers 429

    def clean_id_number(self):
        """The holder of a number that has an account is told so and how to get in; everyone is limited in how often
        a sign-up may hit such a number (accounts.lockout, kind "signup", per address and per number), and an address
        or a number past the limit is refused whatever the number, so a refusal tells nothing either."""
        value = clean_id_number(self.cleaned_data["id_number"])
        if not value:
            return value
        refusal = lockout.lookup_refusal(self.request, "signup", value)
        if refusal:
            self.refused = True
            raise forms.ValidationError(refusal)
        if get_user_model().objects.filter(id_number=value).exists():
            lockout.note_wrong_lookup(self.request, "signup", value)
            raise forms.ValidationError(ID_NUMBER_HAS_ACCOUNT)
        return value

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])

    def clean_username(self):
        value = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=value).exists():
            raise forms.ValidationError("Tên đăng nhập đã được dùng.")
        return value


class SetPasswordForm(PasswordsMatch, forms.Form):
    """A password for an account the national e-ID signed in (portal.views.accounts.set_password); the rules are
    Django's password validators, checked by accounts.services.set_password_after_eid."""

    password = forms.CharField(label="Mật khẩu mới", error_messages=REQUIRED, help_text="ít nhất 8 ký tự",
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label="Nhập lại mật khẩu mới", error_messages=REQUIRED,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class TrackForm(forms.Form):
    code = forms.CharField(label="Mã hồ sơ", max_length=64, error_messages=REQUIRED,
                           help_text="in trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
                           widget=forms.TextInput(attrs=CODE_INPUT))
    secret = forms.CharField(label="4 số cuối số định danh hoặc số điện thoại", min_length=4, max_length=4,
                             error_messages={**REQUIRED, "min_length": "Nhập đúng 4 chữ số.",
                                             "max_length": "Nhập đúng 4 chữ số."},
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()

    def clean_secret(self):
        value = self.cleaned_data["secret"].strip()
        if not ascii_digits(value):
            raise forms.ValidationError("Nhập đúng 4 chữ số.")
        return value


class SubmitForm(ApplicantForm):
    """Applicant data, the procedure's e-form, one upload per component and the return method."""

    def __init__(self, *args, procedure, agencies, stored_files: dict | None = None, drafting=False,
                 vault: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        _own_details(self, applicant_name="name", applicant_phone="tel", applicant_email="email",
                     applicant_address="address")
        self.procedure = procedure
        self.stored_files = stored_files or {}
        self.vault = vault or {}  # component pk -> [VaultItem]: documents the person already has (provide once)
        self.drafting = drafting
        self.kept: set[str] = set()  # component fields whose file, sent with an error elsewhere, the draft keeps
        self.add_eform(procedure)
        self.component_names = []
        for comp in procedure.components.all():
            name = f"tp_{comp.pk}"
            hint = f"{comp.originals} bản chính, {comp.copies} bản sao" if comp.copies else f"{comp.originals} bản chính"
            self.fields[name] = forms.FileField(label=comp.name, required=False, help_text=hint,
                                                widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_UPLOAD_EXT)}))
            self.fields[name].component = comp
            self.component_names.append(name)
            items = self.vault.get(comp.pk)
            if items:  # offered first, unless a file of the citizen's own is kept for it already (theirs wins)
                self.fields[f"kho_{comp.pk}"] = forms.TypedChoiceField(
                    label="Dùng lại giấy tờ đã có trong kho dữ liệu", required=False, coerce=int, empty_value=None,
                    choices=[("", "Không, tôi tải tệp lên"), *[(i.pk, f"{i.title} ({i.attachment.original_name})")
                                                              for i in items]],
                    initial=None if name in self.stored_files else items[0].pk, widget=forms.RadioSelect)
        self.fields["agency"] = ReceivingAgencyField(label="Nơi nộp hồ sơ", queryset=agencies,
                                                     empty_label=None if len(agencies) == 1 else "— Chọn nơi nộp —",
                                                     error_messages={"required": "Vui lòng chọn nơi nộp hồ sơ.",
                                                                     "invalid_choice": "Lựa chọn không hợp lệ."})
        formerly = former_names(agencies)  # a commune merged away: the applicant still knows its name
        if len(agencies) > 1 and self.initial.get("agency") and not self.is_bound:
            self.fields["agency"].help_text = "Đã chọn sẵn nơi bạn nộp hồ sơ lần trước; bạn vẫn chọn được nơi khác."
        mark_closing(self.fields["agency"], closing_before_appointment(procedure, agencies),
                     lambda a: f"{a.name} (trước đây: {formerly[a.pk]})" if a.pk in formerly else a.name)
        self.return_method_note = online_return_note(procedure)  # read beside the choice (web/check_group.html)
        # a paper result comes online only if the agency issues an electronic copy: the counter is the sure choice
        self.fields["return_method"] = forms.ChoiceField(
            label="Hình thức nhận kết quả", choices=ReturnMethod.choices, widget=forms.RadioSelect,
            initial=ReturnMethod.COUNTER if self.return_method_note else ReturnMethod.ONLINE)
        if drafting:  # a draft may be incomplete
            for field in self.fields.values():
                field.required = False

    def component_bound(self):
        """(field, files stored with the draft, the repository's documents to reuse, the name of a file chosen but
        not kept) per component."""
        dropped = self.dropped_uploads()
        out = []
        for n in self.component_names:
            comp = self.fields[n].component
            reuse = self[f"kho_{comp.pk}"] if f"kho_{comp.pk}" in self.fields else None
            if n in dropped:  # "choose it again" is read at the field, after its hint (portal/submit.html: _dropped)
                bound = self[n]
                self.fields[n].widget.attrs["aria-describedby"] = f"{bound.aria_describedby} {bound.auto_id}_dropped".strip()
            out.append((self[n], self.stored_files.get(n), reuse, dropped.get(n)))
        return out

    def dropped_uploads(self) -> dict:
        """component field -> the name of the file chosen for it and sent, but not kept: the form came back with an
        error elsewhere, and a browser never fills a file input again, so the person must choose it again."""
        if not self.is_bound or not self.errors:
            return {}
        return {n: self.files[n].name for n in self.component_names
                if self.files.get(n) and n not in self.errors and n not in self.kept}

    def keep(self, stored_files: dict, names) -> None:
        """The files of ``names`` were kept with the draft (portal.views.submission._keep_uploads): shown as attached,
        not asked for again. Where the repository offers a document for one of them too, the file just sent stays
        the choice («Không, tôi tải tệp lên»): sending the form again never swaps it for the repository's."""
        self.stored_files = stored_files
        self.kept = set(names)
        reuse = [f"kho_{self.fields[n].component.pk}" for n in names]
        if self.is_bound and any(name in self.fields for name in reuse):
            self.data = self.data.copy()
            for name in reuse:
                if name in self.fields:
                    self.data[name] = ""

    def reused_items(self) -> list:
        """[(VaultItem, component)] the person chose to reuse instead of uploading."""
        out = []
        for n in self.component_names:
            comp = self.fields[n].component
            chosen = self.cleaned_data.get(f"kho_{comp.pk}")
            if chosen and not self.cleaned_data.get(n):
                item = next((i for i in self.vault.get(comp.pk, []) if i.pk == chosen), None)
                if item is not None:
                    out.append((item, comp))
        return out

    def clean(self):
        data = super().clean()
        for name in self.component_names:
            upload = data.get(name)
            if upload:
                try:
                    check_upload(upload)
                except DomainError as err:
                    self.add_error(name, err.message)
            elif (not self.drafting and self.fields[name].component.is_required and name not in self.stored_files
                  and not data.get(f"kho_{self.fields[name].component.pk}")):
                self.add_error(name, "Vui lòng đính kèm giấy tờ này.")
        return data


class RatingForm(forms.Form):
    """Overall satisfied or not, plus 0/1/2 per active criterion (Circular 01/2018 scoring)."""

    satisfied = forms.TypedChoiceField(label="Bạn có hài lòng với việc giải quyết hồ sơ?",
                                       choices=[("1", "Hài lòng"), ("0", "Không hài lòng")],
                                       coerce=lambda v: v == "1", widget=forms.RadioSelect,
                                       error_messages={"required": "Vui lòng chọn mức độ hài lòng."})
    comment = forms.CharField(label="Ý kiến thêm", required=False, max_length=2000, error_messages=at_most(2000, "Ý kiến"),
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = []
        for c in RatingCriterion.objects.filter(is_active=True):
            labels = c.options or {}
            choices = [(str(v), labels.get(str(v)) or {2: "Tốt", 1: "Đạt", 0: "Chưa đạt"}[v]) for v in (2, 1, 0)]
            self.fields[f"c_{c.code}"] = forms.ChoiceField(label=c.name, choices=choices, required=False,
                                                          widget=forms.RadioSelect)
            self.criteria.append(f"c_{c.code}")

    def criteria_bound(self):
        return [self[n] for n in self.criteria]

    def scores(self) -> dict[str, int]:
        return {n[2:]: int(self.cleaned_data[n]) for n in self.criteria if self.cleaned_data.get(n) not in (None, "")}


class FeedbackForm(forms.Form):
    name = forms.CharField(label="Họ và tên", max_length=200, error_messages=REQUIRED)
    phone = forms.CharField(label="Số điện thoại", max_length=20, error_messages=REQUIRED,
                            widget=forms.TextInput(attrs={"type": "tel"}))
    email = forms.EmailField(label="Thư điện tử", required=False,
                             error_messages=EMAIL_INVALID)
    classification = forms.ChoiceField(label="Phản ánh về", choices=[
        ("regulation", "Quy định, thủ tục hành chính"), ("conduct", "Hành vi, thái độ của cán bộ, công chức")])
    agency = forms.ModelChoiceField(label="Cơ quan liên quan", required=False, queryset=None,
                                    empty_label="— Không rõ (chuyển cấp tỉnh) —",
                                    error_messages={"invalid_choice": "Lựa chọn không hợp lệ."})
    dossier_code = forms.CharField(label="Mã hồ sơ (nếu có)", max_length=64, required=False,
                                   widget=forms.TextInput(attrs=CODE_INPUT))
    title = forms.CharField(label="Tiêu đề", max_length=255, error_messages=REQUIRED)
    content = forms.CharField(label="Nội dung phản ánh, kiến nghị", max_length=5000,
                              error_messages={**REQUIRED, **at_most(5000)},
                              widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _own_details(self, name="name", phone="tel", email="email")
        receiving_today = receiving.receiving_on(timezone.localdate())  # units.receiving: no agency of a closed unit
        self.fields["agency"].queryset = Agency.objects.filter(receiving_today).order_by("name")

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])


class SupplementForm(forms.Form):
    note = forms.CharField(label="Ghi chú khi bổ sung", required=False, max_length=2000,
                           error_messages=at_most(2000, "Ghi chú"), widget=forms.Textarea(attrs={"rows": 3}))
    files = forms.FileField(label="Tệp bổ sung", required=True,
                            error_messages={"required": "Vui lòng đính kèm ít nhất một tệp."})

    def clean_files(self):
        return checked_upload(self.cleaned_data["files"])
