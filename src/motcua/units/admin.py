from django.contrib import admin

from .models import AdministrativeUnit, Agency, Counter, Department


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "is_active", "replaced_by", "valid_from", "valid_to")
    list_filter = ("level", "is_active", "parent")
    search_fields = ("code", "name")
    autocomplete_fields = ("parent", "replaced_by")
    list_select_related = ("parent", "replaced_by")


class DepartmentInline(admin.TabularInline):
    model = Department
    extra = 0


class CounterInline(admin.TabularInline):
    model = Counter
    extra = 0


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "admin_unit", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name", "short_name", "admin_unit__name")
    autocomplete_fields = ("admin_unit", "parent")
    list_select_related = ("admin_unit",)
    inlines = [DepartmentInline, CounterInline]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "agency")
    list_filter = ("agency__kind",)
    search_fields = ("code", "name", "agency__name", "agency__code")
    autocomplete_fields = ("agency",)
    list_select_related = ("agency",)


@admin.register(Counter)
class CounterAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "agency", "is_active")
    list_filter = ("is_active", "agency__kind")
    search_fields = ("code", "name", "agency__name", "agency__code")
    autocomplete_fields = ("agency",)
    list_select_related = ("agency",)
