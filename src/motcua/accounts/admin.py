"""Accounts admin (Vietnamese labels come from the models' verbose names)."""

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
from django.contrib.auth.models import Group

from motcua.audit.services import record_read

from . import lockout
from .models import ApiToken, FailedSignIn, RoleAssignment, TwoFactorDevice, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1
    autocomplete_fields = ("agency",)
    fields = ("role", "agency", "department")
    verbose_name = "vai trò"
    verbose_name_plural = "vai trò theo cơ quan"


class PasswordChangeForm(AdminPasswordChangeForm):
    # Django appends this warning in English outside its translation catalogue.
    usable_password_help_text = SetUnusablePasswordMixin.usable_password_help_text + (
        '<ul id="id_unusable_warning" class="messagelist"><li class="warning">'
        "Khi tắt, mật khẩu hiện tại của tài khoản này sẽ bị xóa.</li></ul>"
    )


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    change_password_form = PasswordChangeForm
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


def _column(field: str, label: str):
    """A list column for an axes field, under a Vietnamese heading (axes ships no Vietnamese names)."""
    return admin.display(description=label, ordering=field)(lambda obj: getattr(obj, field))


@admin.register(FailedSignIn)
class FailedSignInAdmin(admin.ModelAdmin):
    """Failed sign-ins counted by django-axes; "Mở khóa" clears them early and writes the audit trail."""

    list_display = (_column("username", "tài khoản"), _column("ip_address", "địa chỉ mạng"),
                    _column("failures_since_start", "số lần sai"), _column("attempt_time", "lần sai gần nhất"),
                    _column("path_info", "trang"))
    search_fields = ("username", "ip_address")
    fields = ("username", "ip_address", "user_agent", "failures_since_start", "attempt_time", "path_info")
    readonly_fields = fields
    ordering = ("-attempt_time",)
    actions = ["unlock_accounts", "unlock_addresses"]

    def has_module_permission(self, request):
        return lockout.can_unlock(request.user)

    def has_view_permission(self, request, obj=None):
        return lockout.can_unlock(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # deleting rows would unlock without an audit entry: use the actions

    def has_unlock_permission(self, request):
        return lockout.can_unlock(request.user)

    def _unlock(self, request, values, what: str, keyword: str):
        chosen = sorted({v for v in values if v})
        for value in chosen:
            lockout.unlock(request.user, **{keyword: value})
        self.message_user(request, f"Đã mở khóa {len(chosen)} {what}.", messages.SUCCESS)

    @admin.action(description="Mở khóa các tài khoản đã chọn", permissions=["unlock"])
    def unlock_accounts(self, request, queryset):
        self._unlock(request, queryset.values_list("username", flat=True), "tài khoản", "username")

    @admin.action(description="Mở khóa các địa chỉ mạng đã chọn", permissions=["unlock"])
    def unlock_addresses(self, request, queryset):
        self._unlock(request, queryset.values_list("ip_address", flat=True), "địa chỉ mạng", "address")


VERBS = {"add": "Thêm", "change": "Sửa", "delete": "Xóa", "view": "Xem"}


def permission_label(permission) -> str:
    """«Tài khoản và phân quyền | khóa API | Thêm khóa API»: Django stores its default permissions' names in
    English in the database («Can add …»), so they are named from the model instead."""
    model = permission.content_type.model_class()
    action = permission.codename.split("_", 1)[0]
    if model is None or action not in VERBS or permission.codename != f"{action}_{model._meta.model_name}":
        return str(permission)
    return f"{permission.content_type} | {VERBS[action]} {model._meta.verbose_name}"


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request=request, **kwargs)
        if db_field.name == "permissions":
            field.label_from_instance = permission_label
        return field
