from django.contrib import admin, messages

from motcua.core.admin import SystemRecords, ViewOnly

from . import dispatcher
from .models import Delivery, PostalShipment, WebhookSubscription


@admin.action(description="Gửi lại các lượt gửi thất bại đã chọn")
def resend_dead(modeladmin, request, queryset):
    count = dispatcher.resend(queryset.filter(status=Delivery.DEAD).values_list("pk", flat=True))
    modeladmin.message_user(request, f"Đã đưa {count} lượt gửi vào hàng đợi.", messages.SUCCESS)


@admin.register(Delivery)
class DeliveryAdmin(SystemRecords, admin.ModelAdmin):
    list_display = ("id", "target", "event", "aggregate_key", "status", "attempts", "next_attempt_at", "last_error")
    list_filter = ("status", "target")
    search_fields = ("aggregate_key", "last_error")
    actions = [resend_dead]
    readonly_fields = [f.name for f in Delivery._meta.fields]


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("name", "url", "topics", "is_active")


@admin.register(PostalShipment)
class PostalShipmentAdmin(ViewOnly, admin.ModelAdmin):
    """The postal service's word on a result sent home: the dispatcher polls it until it is delivered or failed,
    so a status set by hand would stop the tracking; shown, not edited."""

    list_display = ("tracking_number", "dossier_code", "status_label", "updated_at")
