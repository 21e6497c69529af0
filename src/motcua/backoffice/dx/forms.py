"""Forms of the digital-transformation screens; the services check everything again (units, years, amounts)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from motcua.transformation import measures, permissions
from motcua.transformation.models import Activity, Plan, Target, Task, TaskGroup
from motcua.transformation.sections import TARGET_AREAS
from motcua.units import lifetime
from motcua.web.forms import REQUIRED, DateField, WholeNumberField, at_most

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


CLOSED_UNITS = "Đơn vị đã sáp nhập/giải thể"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def unit_picker(field: forms.ModelChoiceField, agencies) -> None:
    """`field` picks one of `agencies`; the closed ones (merged or dissolved: only the provincial admin is offered
    them, permissions.plan_agencies) under their own heading, apart from the units working today."""
    field.queryset = agencies
    today = timezone.localdate()
    lives = {a.pk: lifetime.of_unit(a.admin_unit) for a in agencies}
    shut = {a.pk for a in agencies if permissions.is_closed(a)}
    active = [(a.pk, field.label_from_instance(a)) for a in agencies if a.pk not in shut]
    # «Phường A (đã sáp nhập vào Phường B từ ngày …)»: which years its plans may still cover
    closed = [(a.pk, f"{field.label_from_instance(a)} ({_lower_first(lives[a.pk].closure_on(today))})"
               if lives[a.pk].last else field.label_from_instance(a)) for a in agencies if a.pk in shut]
    if closed:
        field.choices = [("", field.empty_label or ""), ("Đơn vị đang hoạt động", active), (CLOSED_UNITS, closed)]


class PlanForm(forms.Form):
    agency = forms.ModelChoiceField(label="Đơn vị", queryset=None, error_messages=REQUIRED)
    year = WholeNumberField(label="Năm", min_value=2000, max_value=2100, error_messages=REQUIRED)
    kind = forms.ChoiceField(label="Loại", choices=Plan.KINDS, initial=Plan.PLAN)
    first_year = WholeNumberField(label="Từ năm (báo cáo nhiều năm)", required=False, min_value=2000, max_value=2100)
    title = forms.CharField(label="Tên", required=False, max_length=500,
                            help_text="Để trống: \u201cKế hoạch chuyển đổi số năm …\u201d")
    number = forms.CharField(label="Số, ký hiệu", required=False, max_length=64)
    legal_basis = forms.CharField(label="Căn cứ", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    parent = forms.ModelChoiceField(label="Thực hiện kế hoạch của cấp trên", queryset=None, required=False,
                                    empty_label="— Không —")

    def __init__(self, *args, agencies=None, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        unit_picker(self.fields["agency"], agencies)
        self.fields["parent"].queryset = parents
        self.fields["parent"].label_from_instance = lambda p: f"{p.agency.name} — {p.title}"


class SectionForm(forms.Form):
    title = forms.CharField(label="Tên nhóm nhiệm vụ", max_length=500, error_messages=REQUIRED)
    group = forms.ModelChoiceField(label="Thuộc nhóm (danh mục)", queryset=None, required=False,
                                   empty_label="— Chưa xếp nhóm —")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = TaskGroup.objects.filter(is_active=True)


class TaskForm(forms.Form):
    number = forms.CharField(label="STT", required=False, max_length=16)
    content = forms.CharField(label="Nội dung nhiệm vụ", error_messages=REQUIRED, widget=forms.Textarea(attrs={"rows": 2}))
    explanation = forms.CharField(label="Diễn giải", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    lead_text = forms.CharField(label="Đơn vị chủ trì", required=False, widget=forms.Textarea(attrs={"rows": 1}))
    cooperating_text = forms.CharField(label="Đơn vị phối hợp", required=False,
                                       widget=forms.Textarea(attrs={"rows": 1}))
    deadline = DateField(label="Thời hạn hoàn thành", required=False, widget=DATE,
                         error_messages={"invalid": "Ngày không hợp lệ."})
    year = WholeNumberField(label="Hoặc năm thực hiện", required=False)
    status = forms.ChoiceField(label="Trạng thái", choices=Task.STATUSES, initial=Task.NOT_STARTED, required=False)
    progress = WholeNumberField(label="Tiến độ (%)", required=False, min_value=0, max_value=100, initial=0,
                                error_messages={"min_value": "Tiến độ từ 0 đến 100.", "max_value": "Tiến độ từ 0 đến 100.",
                                                "invalid": "Tiến độ là số phần trăm."})
    result = forms.CharField(label="Kết quả thực hiện", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ResultForm(forms.Form):
    status = forms.ChoiceField(label="Trạng thái", choices=Task.STATUSES)
    progress = WholeNumberField(label="Tiến độ (%)", min_value=0, max_value=100,
                                error_messages={"min_value": "Tiến độ từ 0 đến 100.", "max_value": "Tiến độ từ 0 đến 100.",
                                                "invalid": "Tiến độ là số phần trăm.", **REQUIRED})
    result = forms.CharField(label="Kết quả thực hiện", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class BudgetLineForm(forms.Form):
    planned = forms.CharField(label="Kinh phí (triệu đồng)", error_messages=REQUIRED, max_length=32,
                              help_text="ví dụ 92,460 hoặc 2.000")
    sources = forms.CharField(label="Nguồn vốn", required=False, max_length=255, help_text="mã hoặc tên: CTX, NSH")
    year = WholeNumberField(label="Năm", required=False)
    disbursed = forms.CharField(label="Đã giải ngân (triệu đồng)", required=False, max_length=32)


class DisbursedForm(forms.Form):
    disbursed = forms.CharField(label="Đã giải ngân (triệu đồng)", required=False, max_length=32,
                                help_text="để trống nếu chưa giải ngân")


class TargetForm(forms.Form):
    measure = forms.ChoiceField(label="Chỉ số", choices=measures.CHOICES)
    comparator = forms.ChoiceField(label="So sánh", choices=Target.COMPARATORS, initial=Target.GTE)
    value = forms.CharField(label="Giá trị chỉ tiêu", max_length=32, error_messages=REQUIRED)
    name = forms.CharField(label="Tên chỉ tiêu (để trống: tên chỉ số)", required=False, max_length=500)
    unit = forms.CharField(label="Đơn vị tính (chỉ tiêu nhập tay)", required=False, max_length=32)
    area = forms.ChoiceField(label="Lĩnh vực", choices=[("", "— Theo chỉ số —"), *TARGET_AREAS], required=False)


class ValueForm(forms.Form):
    value = forms.CharField(label="Giá trị đạt được", max_length=32, error_messages=REQUIRED)
    note = forms.CharField(label="Nguồn số liệu, ghi chú", required=False, max_length=2000,
                           error_messages=at_most(2000, "Ghi chú"))
    evidence = forms.FileField(label="Tệp minh chứng (PDF, ảnh, DOCX)", required=False)


class _UpToToday(forms.Form):
    """The phone's date picker offers no day after today for something that has already happened."""
    past_dates: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.past_dates:
            self.fields[name].widget.attrs["max"] = timezone.localdate().isoformat()


class TeamForm(_UpToToday):
    past_dates = ("founded_on",)

    village = forms.CharField(label="Thôn, tổ dân phố (để trống nếu là tổ của đơn vị)", required=False, max_length=255)
    members = WholeNumberField(label="Số thành viên", min_value=1, error_messages={
        **REQUIRED, "min_value": "Tổ phải có ít nhất một thành viên.", "invalid": "Số thành viên là số nguyên."})
    decision = forms.CharField(label="Quyết định thành lập", required=False, max_length=500)
    founded_on = DateField(label="Ngày thành lập", required=False, widget=DATE)


class ActivityForm(_UpToToday):
    past_dates = ("date",)

    kind = forms.ChoiceField(label="Loại", choices=Activity.KINDS)
    date = DateField(label="Ngày", widget=DATE, error_messages={**REQUIRED, "invalid": "Ngày không hợp lệ."})
    title = forms.CharField(label="Nội dung", max_length=500, error_messages=REQUIRED)
    audience = forms.CharField(label="Đối tượng", required=False, max_length=255)
    participants = WholeNumberField(label="Số người tham gia", min_value=0, error_messages={
        **REQUIRED, "min_value": "Số người không âm.", "invalid": "Số người là số nguyên."})


class RoundForm(forms.Form):
    title = forms.CharField(label="Tên kỳ báo cáo", required=False, max_length=500)
    year = WholeNumberField(label="Năm báo cáo", min_value=2000, max_value=2100, error_messages=REQUIRED)
    deadline = DateField(label="Hạn báo cáo", widget=DATE, error_messages={**REQUIRED, "invalid": "Ngày không hợp lệ."})
    period_end = DateField(label="Số liệu tính đến ngày (để trống: hết năm)", required=False, widget=DATE)
    reminder_days = forms.CharField(label="Nhắc trước hạn (ngày)", initial="7,3,1", max_length=64)
    kinds = forms.MultipleChoiceField(label="Đơn vị phải báo cáo", widget=forms.CheckboxSelectMultiple,
                                      choices=[("commune_committee", "UBND xã, phường, đặc khu"),
                                               ("provincial_department", "Sở, ban, ngành tỉnh")],
                                      initial=["commune_committee", "provincial_department"],
                                      error_messages={"required": "Chọn ít nhất một loại đơn vị."})
