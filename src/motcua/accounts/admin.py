"""Accounts admin (Vietnamese labels come from the models' verbose names)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from motcua.audit.services import record_read

from .models import ApiToken, RoleAssignment, TwoFactorDevice, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1
    autocomplete_fields = ("agency",)
    fields = ("role", "agency", "department")
    verbose_name = "vai trò"
    verbose_name_plural = "vai trò theo cơ quan"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [RoleAssignmentInline]
    list_display = ("username", "full_name", "id_number", "phone", "email", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "role_assignments__role")
    search_fields = ("username", "full_name", "id_number", "phone", "email")
    ordering = ("username",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Thông tin cá nhân", {"fields": ("full_name", "id_number", "phone", "email", "address")}),
        ("Quyền hệ thống", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Thời gian", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "full_name", "password1", "password2")}),
    )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200 and str(request.user.pk) != str(object_id):
            record_read(request.user, "user", object_id, ["full_name", "id_number", "phone", "email", "address"],
                        purpose="admin")
        return response


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "agency", "department")
    list_filter = ("role",)
    search_fields = ("user__username", "user__full_name", "agency__name")
    autocomplete_fields = ("user", "agency")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_hash", "prefix", "created_at", "last_used_at")
    search_fields = ("name", "user__username", "prefix")


@admin.register(TwoFactorDevice)
class TwoFactorDeviceAdmin(admin.ModelAdmin):
    list_display = ("user", "confirmed_at", "locked_until")
    readonly_fields = ("user", "confirmed_at", "last_used_step", "created_at", "failed_attempts", "locked_until")
    exclude = ("secret", "recovery_codes")
    search_fields = ("user__username",)

    def has_add_permission(self, request):
        return False
