"""Read-only audit trail for auditors and provincial administrators (the permission audit.view_auditentry,
which motcua.accounts.backends.RoleBackend grants to those roles)."""

from django.contrib import admin

from .models import AuditEntry

VIEW = "audit.view_auditentry"


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("id", "seq", "at", "actor_label", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "object_id", "action", "hash")
    date_hierarchy = "at"
    readonly_fields = ("at", "actor", "actor_label", "action", "object_type", "object_id", "data", "content_hash",
                       "seq", "prev_hash", "hash")
    list_per_page = 100
    show_full_result_count = False

    def has_module_permission(self, request):
        return request.user.has_perm(VIEW)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(VIEW)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
