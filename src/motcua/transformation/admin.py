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
    list_display = ("title", "year", "deadline", "status")
    list_filter = ("status", "year")
