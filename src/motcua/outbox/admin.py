from django.contrib import admin

from motcua.core.admin import EventFilter, ViewOnly
from motcua.core.event_labels import event_label, object_type_label

from .models import OutboxEvent


@admin.register(OutboxEvent)
class OutboxEventAdmin(ViewOnly, admin.ModelAdmin):
    """To look at only: the outbox is what the statistics, the national sync and the notifications are built from,
    in order — a row added, changed or removed by hand would change them behind the lifecycle's back."""

    list_display = ("id", "event", "object_kind", "aggregate_id", "created_at")
    list_filter = (EventFilter.of("topic"),)
    readonly_fields = ["id", "event", "object_kind", "aggregate_id", "payload", "created_at"]
    fields = readonly_fields

    @admin.display(description="loại sự kiện", ordering="topic")
    def event(self, obj):
        return event_label(obj.topic, obj.payload)

    @admin.display(description="loại đối tượng", ordering="aggregate_type")
    def object_kind(self, obj):
        return object_type_label(obj.aggregate_type)
