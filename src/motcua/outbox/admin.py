from django.contrib import admin

from .models import OutboxEvent


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    list_display = ("id", "topic", "aggregate_type", "aggregate_id", "created_at")
    list_filter = ("topic",)
    readonly_fields = [f.name for f in OutboxEvent._meta.fields]
