from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from . import succession
from .models import (
    AdministrativeUnit,
    Agency,
    Counter,
    Department,
    ReorganizationPlan,
    ReorganizationProgress,
    closing_plan,
)
from .receiving import receiving_on

# The pickers (app label, model, field) whose autocomplete offers only the agencies receiving today
# (units.receiving): the apps that assign work to an agency add theirs (catalog.admin).
RECEIVING_PICKERS: set[tuple[str, str, str]] = set()


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "is_active", "replaced_by", "valid_from", "valid_to")
    list_filter = ("level", "is_active", "parent")
    search_fields = ("code", "name")
    autocomplete_fields = ("parent", "replaced_by")
    list_select_related = ("parent", "replaced_by")

    def get_readonly_fields(self, request, obj=None):
        """A unit a reorganization plan closed keeps the end the plan recorded (AdministrativeUnit.clean)."""
        if obj is not None and obj.replaced_by_id and closing_plan(obj.code):
            return ("replaced_by", "valid_to")
        return ()


class DepartmentInline(admin.TabularInline):
    model = Department
    extra = 0


class CounterInline(admin.TabularInline):
    model = Counter
    extra = 0


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "admin_unit", "is_active", "works_saturday_morning", "successor")
    list_filter = ("kind", "is_active", "works_saturday_morning")
    search_fields = ("code", "name", "short_name", "admin_unit__name")
    autocomplete_fields = ("admin_unit", "parent", "successor")
    list_select_related = ("admin_unit",)
    inlines = [DepartmentInline, CounterInline]

    def get_search_results(self, request, queryset, search_term):
        """An autocomplete assigning work (RECEIVING_PICKERS) offers no agency of a unit whose last day has passed."""
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        picker = tuple(request.GET.get(k, "") for k in ("app_label", "model_name", "field_name"))
        if picker in RECEIVING_PICKERS:
            queryset = queryset.filter(receiving_on(timezone.localdate()))
        return queryset, duplicates

    def get_readonly_fields(self, request, obj=None):
        """An agency a reorganization plan closed keeps the successor the plan recorded (Agency.clean). One whose
        successor was recorded here shows what of its work is still moving there in the background, or finished
        moving (``handover_progress``)."""
        fields = ("successor",) if obj is not None and obj.successor_id and closing_plan(obj.admin_unit.code) else ()
        if obj is not None and obj.successor_id and self._progress(obj):
            fields += ("handover_progress",)
        return fields

    @staticmethod
    def _progress(obj) -> list[str]:
        """The followers' sentences (units.succession ``progress``), worked out once per page: the admin asks for the
        read-only fields several times while building it, then shows them (``handover_progress``), all on the one
        instance it loaded."""
        if not hasattr(obj, "_handover_progress"):
            obj._handover_progress = succession.progress(obj)
        return obj._handover_progress

    @admin.display(description="Tiến độ chuyển sang cơ quan kế thừa")
    def handover_progress(self, obj):
        """The followers' sentences (units.succession ``progress``): how many moved, how many remain."""
        return format_html_join("", "<p>{}</p>", ((said,) for said in self._progress(obj)))

    def get_form(self, request, obj=None, change=False, **kwargs):
        """The form refuses a successor the apps could not hand the agency's work to safely (units.succession
        ``refusals``: e.g. an open dossier due after the successor's unit closes), before anything is saved, and a
        change to (or clearing of) a successor whose followers have already moved the work (``change_refusal``)."""
        form = super().get_form(request, obj, change, **kwargs)
        actor = request.user

        class SuccessionForm(form):
            def clean(self):
                data = super().clean()
                successor = data.get("successor")
                if self.instance.pk and "successor" in self.changed_data and self.initial.get("successor"):
                    # one recorded here before: its followers have moved the work (units.succession)
                    if refused := succession.change_refusal(Agency.objects.get(pk=self.instance.pk)):
                        self.add_error("successor", refused)
                        return data
                if self.instance.pk and successor and "successor" in self.changed_data and not data.get("is_active"):
                    reasons = succession.refusals(actor, self.instance, successor)  # under the agency's lock
                    # The form was read before that lock: a save of this agency that committed meanwhile (the
                    # «Lưu» button pressed twice) recorded a successor already and its followers moved the work;
                    # following again would hand it over twice.
                    if refused := succession.change_refusal(Agency.objects.get(pk=self.instance.pk)):
                        reasons = [refused]
                    for why in reasons:
                        self.add_error("successor", why)
                return data

        return SuccessionForm

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A save the followers refuse when it comes to moving the work (``succession.Refused``: a dossier received
        since the form checked it, which the successor could not keep) is undone whole, agency included (the admin's
        transaction), and the administrator is shown why on the agency's page again, as the form would have."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except succession.Refused as refused:
            for why in refused.reasons:
                self.message_user(request, f"Chưa lưu thay đổi: {why}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        """A successor recorded here (no reorganization plan: a department merged into another) takes over the work
        the apps hand it (units.succession), in the same transaction and under the lock the form's check took (the
        followers check again before moving); the administrator is told what moved. A page read before another
        administrator's successor took the work (saved since) would save over it: refused, as the form refuses it."""
        if change:
            succession.lock(obj)
            stored = Agency.objects.get(pk=obj.pk)
            if stored.successor_id not in (form.initial.get("successor"), obj.successor_id) and (
                    why := succession.change_refusal(stored)):
                raise succession.Refused([why])
        super().save_model(request, obj, form, change)
        if obj.successor_id and "successor" in form.changed_data:
            for said in succession.follow(request.user, obj, obj.successor):
                level = messages.WARNING if isinstance(said, succession.Caution) else messages.INFO
                self.message_user(request, said, level)


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


class ProgressInline(admin.TabularInline):
    model = ReorganizationProgress
    extra = 0
    fields = ("step", "key", "outcome", "detail", "done_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReorganizationPlan)
class ReorganizationPlanAdmin(admin.ModelAdmin):
    """Read-only record of plans and of what applying them did; plans are drafted, previewed, approved and
    applied on the back-office pages (Cán bộ → Sắp xếp đơn vị), which show the preview first."""

    list_display = ("id", "resolution_number", "effective_date", "new_code", "new_name", "status", "applied_at",
                    "back_office")
    list_filter = ("status",)
    search_fields = ("resolution_number", "new_code", "new_name")
    inlines = [ProgressInline]

    @admin.display(description="trang thực hiện")
    def back_office(self, obj):
        return format_html('<a href="{}">mở</a>', reverse("backoffice:reorganization", args=[obj.pk]))

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + ["old_units"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
