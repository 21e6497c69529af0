"""Dossiers in the Django admin: for looking up and correcting contact data, never for changing state.

Every state field is read-only here; transitions go through motcua.dossiers.lifecycle only.
"""

from django.contrib import admin
from django.db.models import Q

from .lifecycle import event_label
from .models import Dossier, DossierEvent, DossierSearchEntry, Slip, Status, StepRun, SupplementRequest

LIFECYCLE_FIELDS = (
    "code", "procedure", "agency", "current_agency", "current_step", "assignee", "status", "channel",
    "rule_version", "applicant", "submitted_by", "fee_vnd", "fee_paid_online", "return_method", "created_at",
    "submitted_at", "received_at", "due_at", "original_due_at", "paused_at", "paused_minutes", "decided_at",
    "returned_at", "closed_at", "supplement_count", "extension_count", "apology_count", "digitized_at_receipt",
    "result_digitized", "result_electronic", "result_summary", "refusal_reason", "idempotency_key", "version",
    "form_data",
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _status(value: str) -> str:
    return Status(value).label if value in Status.values else "—"


class DossierEventInline(ReadOnlyInline):
    model = DossierEvent
    fields = ("at", "action_name", "from_status_name", "to_status_name", "actor", "agency", "to_agency", "step",
              "note")
    readonly_fields = fields
    verbose_name = "diễn biến"
    verbose_name_plural = "quá trình xử lý"

    @admin.display(description="thao tác")
    def action_name(self, obj):
        return event_label(obj.action, obj.data)

    @admin.display(description="từ trạng thái")
    def from_status_name(self, obj):
        return _status(obj.from_status)

    @admin.display(description="sang trạng thái")
    def to_status_name(self, obj):
        return _status(obj.to_status)


class StepRunInline(ReadOnlyInline):
    model = StepRun
    fields = ("step", "agency", "assignee", "started_at", "due_at", "finished_at", "note")
    readonly_fields = fields
    verbose_name = "bước xử lý"
    verbose_name_plural = "các bước xử lý"


class SupplementRequestInline(ReadOnlyInline):
    model = SupplementRequest
    fields = ("requested_at", "requested_by", "items", "reason", "fulfilled_at")
    readonly_fields = fields
    verbose_name = "yêu cầu bổ sung"
    verbose_name_plural = "yêu cầu bổ sung"


class SlipInline(ReadOnlyInline):
    model = Slip
    fields = ("kind", "issued_at", "issued_by")
    readonly_fields = fields
    verbose_name = "phiếu"
    verbose_name_plural = "phiếu đã phát hành"


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    list_display = ("code", "applicant_name", "procedure", "agency", "status", "channel", "received_at", "due_at")
    list_filter = ("status", "channel", "rule_version", "agency")
    search_fields = ("applicant_phone",)  # and, in get_search_results, what the back office's search matches

    def get_search_results(self, request, queryset, search_term):
        """The back office's search (code, ID number, the name with or without diacritics, through the search entries'
        indexes: DossierSearchEntry.matching), or the phone number typed in full."""
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(DossierSearchEntry.matching(term) | Q(applicant_phone=term)), False
    date_hierarchy = "received_at"
    list_select_related = ("procedure", "agency")
    readonly_fields = LIFECYCLE_FIELDS
    fieldsets = (
        ("Hồ sơ", {"fields": ("code", "procedure", "agency", "status", "channel", "rule_version", "version")}),
        ("Người nộp", {"fields": ("applicant", "applicant_name", "applicant_id_number", "applicant_phone",
                                  "applicant_email", "applicant_address")}),
        ("Xử lý", {"fields": ("current_agency", "current_step", "assignee", "submitted_at", "received_at",
                              "due_at", "original_due_at", "paused_at", "paused_minutes", "decided_at",
                              "returned_at", "closed_at")}),
        ("Kết quả", {"fields": ("result_summary", "refusal_reason", "result_electronic", "result_digitized",
                                "digitized_at_receipt", "return_method")}),
        ("Thống kê", {"fields": ("supplement_count", "extension_count", "apology_count", "fee_vnd",
                                 "fee_paid_online")}),
        ("Khác", {"classes": ("collapse",), "fields": ("form_data", "submitted_by", "idempotency_key",
                                                       "created_at")}),
    )
    inlines = (StepRunInline, SupplementRequestInline, SlipInline, DossierEventInline)

    def has_add_permission(self, request):
        return False  # dossiers are created by submission or receipt only

    def save_model(self, request, obj, form, change):
        # Only the applicant's details are editable here: write those columns alone, so that a transition
        # committed while the page was being saved (status, version, time of the last event) is not written back.
        if change and form.changed_data:
            obj.save(update_fields=form.changed_data)
        elif not change:
            obj.save()

    def has_delete_permission(self, request, obj=None):
        return False
