"""Form pieces the portal and the back office share: required-field message, ID number and phone checks,
fields built from a procedure's e-form, and the applicant block both submission forms start with."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone

from motcua.catalog.io.format import APPLICANT_FACTS
from motcua.core.cccd import is_valid_id_number
from motcua.core.digits import ascii_digits, read_otherwise, whole_number
from motcua.core.errors import DomainError
from motcua.core.money import format_number, format_typed_number
from motcua.dossiers.lifecycle import check_return_method
from motcua.units import receiving
from motcua.units.models import Agency

from .files import check_upload

ALLOWED_UPLOAD_EXT = (".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff", ".docx")

REQUIRED = {"required": "Vui lòng nhập mục này."}
EMAIL_INVALID = {"invalid": "Địa chỉ thư điện tử không hợp lệ."}


def at_most(limit: int, what: str = "Nội dung") -> dict:
    """The message of a text longer than ``limit`` characters, the limit written as people read it (Django's own
    says «tối đa 5000 kí tự»)."""
    return {"max_length": f"{what} không được dài quá {format_number(limit)} ký tự."}


def _ascii_number(field: forms.Field, value):
    """Typed text of 0–9 only (core.digits): Django's int() and Decimal() also read "２０２４", "٢٠٢٤" and "2_024", and
    strptime() "01/01/٢٠٢٦" as 01/01/2026."""
    if read_otherwise(value):
        raise forms.ValidationError(field.error_messages["invalid"], code="invalid")
    return value


class WholeNumberField(forms.IntegerField):
    """Django's IntegerField, with 0–9 only (and a message in plain Vietnamese: Django's says "số tổng thể")."""

    default_error_messages = {"invalid": "Vui lòng nhập một số nguyên."}

    def to_python(self, value):
        return super().to_python(_ascii_number(self, value))


class NumberField(forms.DecimalField):
    """Django's DecimalField, with 0–9 only, read as Vietnamese write numbers (the ``vi`` formats): «125,5», «1.500.000»,
    «0,5»; a single dot not followed by three digits is a decimal point («12.5», Django's sanitize_separators). A text
    box with the numeric keyboard: a browser's number box takes the browser's language, not the page's («0,5» in an
    English browser is sent empty)."""

    default_error_messages = {"invalid": "Vui lòng nhập một số."}

    def __init__(self, **kwargs):
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "decimal"}

    def to_python(self, value):
        return super().to_python(_ascii_number(self, value))


class DateField(forms.DateField):
    """Django's DateField, with 0–9 only: strptime() reads "01/01/٢٠٢٦" as 01/01/2026, which this field refuses with
    its «invalid» message, as any date it cannot read; the date stored is the one shown."""

    def to_python(self, value):
        return super().to_python(_ascii_number(self, value))


APPLICANT_FIELDS = ("applicant_name", "applicant_id_number", "applicant_phone", "applicant_email",
                    "applicant_address")

# Decree 45/2020 (LEGAL.md §5): no one is asked again for what the state already holds. An e-form field may
# declare ``"bind": key`` (catalog.io.format.BIND_KEYS). ``applicant.*`` facts are typed in the applicant block
# only: the e-form does not ask them again, its answer is the block's. ``person.*`` facts stay e-form fields,
# pre-filled from the population database once the applicant agreed, and editable.
APPLICANT_BINDS = {f"applicant.{fact}": field for fact, field in zip(APPLICANT_FACTS, APPLICANT_FIELDS, strict=True)}


def saved_answers(schema: list, form_data: dict) -> dict:
    """The e-form's initial values from a saved draft: a number as a number, so that its box shows it as typed
    (1.500,25), not as stored ("1500.250", which the field would read back as 1.500.250)."""
    numbers = {f.get("name") for f in schema or [] if isinstance(f, dict) and f.get("type") == "number"}
    out = {}
    for key, value in (form_data or {}).items():
        if key in numbers and isinstance(value, str) and format_typed_number(value) is not None:
            value = Decimal(value.strip())
        out[f"f_{key}"] = value
    return out


def person_prefill(schema: list, person: dict) -> dict:
    """Initial values of the e-form fields bound to ``person.*`` facts, from a population-database record."""
    out = {}
    for item in schema or []:
        bind = item.get("bind", "") if isinstance(item, dict) else ""
        if bind.startswith("person.") and item.get("name") and person.get(bind[7:]):
            out[f"f_{item['name']}"] = person[bind[7:]]
    return out


def clean_id_number(value: str) -> str:
    value = (value or "").replace(" ", "")
    if value and not is_valid_id_number(value):
        raise forms.ValidationError("Số định danh cá nhân phải gồm đúng 12 chữ số.")
    return value


def clean_phone(value: str) -> str:
    value = (value or "").replace(" ", "").replace(".", "")
    if value and (not ascii_digits(value.lstrip("+")) or not 9 <= len(value.lstrip("+")) <= 12):
        raise forms.ValidationError("Số điện thoại không hợp lệ.")
    return value


def checked_upload(upload):
    """The upload, or a form error with the documents app's Vietnamese reason for refusing it."""
    try:
        check_upload(upload)
    except DomainError as err:
        raise forms.ValidationError(err.message) from err
    return upload


class ReceivingAgencyField(forms.ModelChoiceField):
    """An agency among those receiving today (units.receiving): one that no longer does (a citizen's draft's, a page
    opened before its unit closed) is refused with why and where to go instead, not as an unknown choice.
    ``refusal`` says it: to a citizen choosing where to file (``receiving.refusal``, the default) or to an officer
    sending a dossier on to another agency (``receiving.handover_refusal``)."""

    def __init__(self, *args, refusal=receiving.refusal, **kwargs):
        super().__init__(*args, **kwargs)
        self.refusal = refusal

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError:
            pk = whole_number(value)
            agency = Agency.objects.select_related("admin_unit").filter(pk=pk).first() if pk is not None else None
            refused = self.refusal(agency, timezone.localdate()) if agency is not None else None
            if refused is not None:
                raise forms.ValidationError(refused.message, code=refused.code) from None
            raise


def eform_fields(schema: list) -> dict[str, forms.Field]:
    """Build form fields from Procedure.form_schema: [{name, label, type, required, choices?, help?}]; the types
    are those the catalog import accepts (motcua.catalog.io.format.FORM_FIELD_TYPES)."""
    fields: dict[str, forms.Field] = {}
    for item in schema or []:
        if not isinstance(item, dict) or not item.get("name"):
            continue
        kind = item.get("type", "text")
        common = {"label": item.get("label") or item["name"], "required": bool(item.get("required")),
                  "help_text": item.get("help", ""), "error_messages": REQUIRED}
        if kind == "textarea":
            field = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, **common)
            field.error_messages.update(at_most(4000))
        elif kind == "date":
            field = DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                              input_formats=["%Y-%m-%d", "%d/%m/%Y"], **common)
            field.error_messages["invalid"] = "Ngày không hợp lệ (dd/mm/yyyy)."
        elif kind == "number":
            field = NumberField(**common)
        elif kind == "email":
            field = forms.EmailField(**common)
            field.error_messages["invalid"] = EMAIL_INVALID["invalid"]
        elif kind == "select":
            choices = [(c, c) if isinstance(c, str) else (c[0], c[1]) for c in item.get("choices") or item.get("options") or []]
            field = forms.ChoiceField(choices=[("", "— Chọn —"), *choices], **common)
            field.error_messages["invalid_choice"] = "Lựa chọn không hợp lệ."
        elif kind == "checkbox":
            field = forms.BooleanField(**common)
        elif kind == "id_number":
            field = forms.CharField(max_length=14, validators=[clean_id_number],
                                    widget=forms.TextInput(attrs={"inputmode": "numeric"}), **common)
        elif kind == "tel":
            field = forms.CharField(max_length=20, validators=[clean_phone],
                                    widget=forms.TextInput(attrs={"type": "tel"}), **common)
        else:
            field = forms.CharField(max_length=500, **common)
        fields[f"f_{item['name']}"] = field
    return fields


class ApplicantForm(forms.Form):
    """The applicant block and the procedure's e-form, in the lifecycle's shapes (online and at the counter)."""

    applicant_name = forms.CharField(label="Họ và tên người nộp", max_length=200, error_messages=REQUIRED)
    applicant_id_number = forms.CharField(label="Số định danh cá nhân", max_length=14, error_messages=REQUIRED,
                                          widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    applicant_phone = forms.CharField(label="Số điện thoại", max_length=20, error_messages=REQUIRED,
                                      widget=forms.TextInput(attrs={"type": "tel"}))
    applicant_email = forms.EmailField(label="Thư điện tử", required=False, error_messages=EMAIL_INVALID)
    applicant_address = forms.CharField(label="Địa chỉ", max_length=255, required=False,
                                        help_text="bắt buộc khi nhận kết quả qua bưu chính công ích")
    applicant_has_account = True  # submitted from the applicant's own account (the portal): a result online reaches it

    def clean(self):
        data = super().clean()
        if "return_method" in data and not getattr(self, "drafting", False):  # a draft may be incomplete
            try:
                check_return_method(data["return_method"], {"address": data.get("applicant_address")},
                                    account=self.applicant_has_account)
            except DomainError as err:
                self.add_error("applicant_address" if err.code == "return_address_required" else "return_method",
                               err.message)
        return data

    def add_eform(self, procedure) -> None:
        self.eform_names = []
        self.bound_to_applicant = {}  # e-form name → the applicant-block field that answers it
        self.bound_labels = []  # the e-form's questions the applicant block answers, for the page to say so
        for item in procedure.form_schema or []:
            if isinstance(item, dict) and item.get("bind") in APPLICANT_BINDS and item.get("name"):
                self.bound_to_applicant[item["name"]] = APPLICANT_BINDS[item["bind"]]
                self.bound_labels.append(item.get("label") or item["name"])
        for name, field in eform_fields(procedure.form_schema).items():
            if name[2:] in self.bound_to_applicant:
                if field.required:  # the applicant block is where it is asked, so there it is required
                    self.fields[self.bound_to_applicant[name[2:]]].required = True
                continue
            self.fields[name] = field
            self.eform_names.append(name)

    def eform_bound(self):
        return [self[n] for n in self.eform_names]

    def clean_applicant_id_number(self):
        return clean_id_number(self.cleaned_data["applicant_id_number"])

    def clean_applicant_phone(self):
        return clean_phone(self.cleaned_data["applicant_phone"])

    def form_data(self) -> dict:
        out = {key: self.cleaned_data.get(field) for key, field in self.bound_to_applicant.items()
               if self.cleaned_data.get(field)}
        for name in self.eform_names:
            value = self.cleaned_data.get(name)
            if value is None or value == "":
                continue
            out[name[2:]] = value.isoformat() if hasattr(value, "isoformat") else (
                value if isinstance(value, bool | str) else str(value))
        return out

    def applicant_data(self) -> dict:
        """In the lifecycle's shape: name, id_number, phone, email, address."""
        return {k[len("applicant_"):]: self.cleaned_data.get(k, "") or "" for k in APPLICANT_FIELDS}
