"""Read-only audit trail for auditors and provincial administrators."""

from django.contrib import admin

from motcua.accounts.permissions import can

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("id", "at", "actor_label", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "object_id", "action", "hash")
    date_hierarchy = "at"
    readonly_fields = ("at", "actor", "actor_label", "action", "object_type", "object_id", "data", "prev_hash",
                       "hash")
    list_per_page = 100
    show_full_result_count = False

    def has_module_permission(self, request):
        return can(request.user, "view_audit")

    def has_view_permission(self, request, obj=None):
        return can(request.user, "view_audit")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
