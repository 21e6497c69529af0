from django.contrib import admin
from django.contrib.admin.templatetags import admin_list
from django.templatetags.static import static
from django.utils.html import format_html
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from .event_labels import kind_label
from .models import CalendarException


class ViewOnly:
    """ModelAdmin mixin for a log only the system appends to (audit trail, outbox) and for records written only
    through their services (a dossier's files, a person's repository and consents, ratings, feedback): shown,
    never added to, changed or removed by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SystemRecords:
    """ModelAdmin mixin for rows only the system writes (deliveries, payments, reconciliations): no "add" page,
    where a row made by hand would lack what it records and fail to save."""

    def has_add_permission(self, request, obj=None):
        return False


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


class EventFilter(admin.SimpleListFilter):
    """The admin's filter by event, listing the events present by their Vietnamese names: one option per code, named
    to fit all its cases (core.event_labels.kind_label)."""

    title = "loại sự kiện"
    field = ""

    @classmethod
    def of(cls, field: str) -> type:
        return type(f"EventFilter_{field}", (cls,), {"field": field, "parameter_name": field})

    def lookups(self, request, model_admin):
        codes = model_admin.get_queryset(request).order_by().values_list(self.field, flat=True).distinct()
        return sorted(((c, kind_label(c)) for c in codes), key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        return queryset.filter(**{self.field: self.value()}) if self.value() else queryset


def _boolean_icon(value):
    """The admin's yes/no icon, its text alternative in Vietnamese: Django writes the Python value (True,
    False, None) as the alt text a screen reader reads. Django's admin looks the function up in admin_list at
    each call, so replacing it there is enough."""
    icon = {True: "yes", False: "no", None: "unknown"}[value]
    text = {True: "Có", False: "Không", None: "Chưa rõ"}[value]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{icon}.svg"), text)


admin_list._boolean_icon = _boolean_icon
