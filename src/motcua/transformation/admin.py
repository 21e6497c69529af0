from django.contrib import admin

from .models import FundingSource, Plan, ReportingRound, TaskGroup


@admin.register(TaskGroup)
class TaskGroupAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "framework", "order", "is_active")
    list_filter = ("framework", "is_active")
    search_fields = ("code", "name", "aliases")


@admin.register(FundingSource)
class FundingSourceAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "order", "is_active")
    search_fields = ("code", "name", "aliases")


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("title", "agency", "year", "kind", "status")
    list_filter = ("year", "kind", "status")
    search_fields = ("title", "agency__name", "agency__code")
    readonly_fields = ("approved_by", "approved_at", "created_by", "created_at", "updated_at")
    raw_id_fields = ("agency", "parent")


@admin.register(ReportingRound)
class ReportingRoundAdmin(admin.ModelAdmin):
    """A round is opened on the back-office page (Chuyển đổi số › Kỳ báo cáo: services.rounds.open_round), which asks
    each unit for its answer and tells its administrators and leaders; a round added here would ask nobody. Its
    wording, deadline, period and reminder days may be corrected here; its year, status and opener may not (closing
    is done on the back-office page, which records it)."""

    readonly_fields = ("year", "status", "opened_by", "opened_at")

    def has_add_permission(self, request):
        return False

    list_display = ("title", "year", "deadline", "status")
    list_filter = ("status", "year")
