from django.contrib import admin
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from .models import CalendarException


@admin.register(CalendarException)
class CalendarExceptionAdmin(admin.ModelAdmin):
    list_display = ("date_display", "kind", "note")
    list_filter = ("kind",)
    search_fields = ("note",)
    date_hierarchy = "date"
    ordering = ("-date",)

    @admin.display(description="ngày", ordering="date")
    def date_display(self, obj):
        return f"{obj.date:%d/%m/%Y}"


class TaskResultAdmin(DBTaskResultAdmin):
    """The library's admin of background-task results, with Vietnamese column and field names."""

    list_display = ("id", "task", "status", "enqueued_at", "started_at", "finished_at", "priority", "queue_name")

    @admin.display(description="tác vụ")
    def task(self, obj):
        return obj.task_name

    @admin.display(description="chi tiết lỗi")
    def formatted_traceback(self, obj):
        return super().formatted_traceback(obj)

    @admin.display(description="chạy sau thời điểm")
    def display_run_after(self, obj):
        return super().display_run_after(obj)


admin.site.unregister(DBTaskResult)
admin.site.register(DBTaskResult, TaskResultAdmin)
