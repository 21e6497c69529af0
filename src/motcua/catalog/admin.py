from django.contrib import admin
from django.db.models import Q
from django.utils import timezone

from motcua.core.digits import whole_number
from motcua.units.admin import RECEIVING_PICKERS
from motcua.units.models import Agency
from motcua.units.receiving import receiving_on

from .models import ComponentRequirement, Field, Procedure, ProcessStep

RECEIVING_PICKERS.update({("catalog", "processstep", "agency"), ("catalog", "procedure", "agencies")})


def _assignable(request, kept) -> Q:
    """The agencies a procedure's form offers: those receiving today (units.receiving: a unit whose last day has
    passed receives nothing), and those the procedure being edited already names (``kept``: a lookup on Agency to its
    id), shown as they are so that saving changes nothing unseen."""
    wanted = receiving_on(timezone.localdate())
    object_id = whole_number(request.resolver_match.kwargs.get("object_id")) if request.resolver_match else None
    if object_id is not None:
        wanted |= Q(**{kept: object_id})
    return wanted


def _agencies(request, kept):
    return Agency.objects.filter(pk__in=Agency.objects.filter(_assignable(request, kept)).values("pk"))


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

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agency":
            kwargs["queryset"] = _agencies(request, "process_steps__procedure_id")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


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

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "agencies":
            kwargs["queryset"] = _agencies(request, "procedures")
        return super().formfield_for_manytomany(db_field, request, **kwargs)
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
