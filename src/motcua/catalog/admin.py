from django.contrib import admin

from .models import ComponentRequirement, Field, Procedure, ProcessStep


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


class ComponentInline(admin.TabularInline):
    model = ComponentRequirement
    extra = 0


class StepInline(admin.TabularInline):
    model = ProcessStep
    extra = 0
    autocomplete_fields = ("agency",)


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "field", "level", "online_level", "processing_days", "fee_vnd", "is_sample",
                    "is_active")
    list_filter = ("field", "level", "online_level", "agency_kind", "result_type", "is_sample", "is_active")
    search_fields = ("code", "name", "name_folded")
    list_select_related = ("field",)
    autocomplete_fields = ("field",)
    filter_horizontal = ("agencies",)
    inlines = [ComponentInline, StepInline]
    fieldsets = [
        (None, {"fields": ("code", "name", "field", "level", "agency_kind", "competent_authority", "target",
                           "is_active", "is_sample")}),
        ("Thời hạn, phí, lệ phí", {"fields": ("processing_days", "fee_vnd", "fee_online_vnd", "fee_online_basis",
                                               "fee_note", "online_payment")}),
        ("Công bố, công khai", {"fields": ("announcing_decision", "announced_on", "legal_effective_on",
                                           "national_published_on", "certified_copy")}),
        ("Dịch vụ công trực tuyến, kết quả", {"fields": ("online_level", "result_type", "result_name",
                                                          "form_schema")}),
        ("Nội dung", {"classes": ("collapse",), "fields": ("description", "requirements", "legal_basis")}),
        ("Cơ quan tiếp nhận", {"classes": ("collapse",), "fields": ("agencies",)}),
    ]
