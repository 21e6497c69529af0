"""Read-only audit trail for auditors and provincial administrators (the permission audit.view_auditentry,
which motcua.accounts.backends.RoleBackend grants to those roles)."""

from django.contrib import admin

from motcua.core.admin import EventFilter, ViewOnly
from motcua.core.event_labels import event_label, object_type_label

from .models import AuditEntry

VIEW = "audit.view_auditentry"


@admin.register(AuditEntry)
class AuditEntryAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ("id", "seq", "at", "actor_label", "event", "object_kind", "object_id")
    list_filter = (EventFilter.of("action"),)
    search_fields = ("actor_label", "object_id", "action", "hash")
    date_hierarchy = "at"
    readonly_fields = ("at", "actor", "actor_label", "event", "object_kind", "object_id", "data", "content_hash",
                       "seq", "prev_hash", "hash")
    fields = readonly_fields  # the codes of the action and the object type are shown by their names
    list_per_page = 100
    show_full_result_count = False

    @admin.display(description="hành động", ordering="action")
    def event(self, obj):
        return event_label(obj.action, obj.data)

    @admin.display(description="loại đối tượng", ordering="object_type")
    def object_kind(self, obj):
        return object_type_label(obj.object_type)

    def has_module_permission(self, request):
        return request.user.has_perm(VIEW)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(VIEW)
