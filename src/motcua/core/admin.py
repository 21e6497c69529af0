from django.contrib import admin

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
