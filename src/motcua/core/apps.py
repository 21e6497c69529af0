from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class CoreConfig(AppConfig):
    name = "motcua.core"
    verbose_name = "Lịch làm việc"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.apps import apps

        from . import calendar
        from .models import CalendarException

        # Deadlines are computed from a cached copy of this table: drop it whenever a row changes.
        post_save.connect(calendar.exceptions_changed, sender=CalendarException,
                          dispatch_uid="core.calendar_exception.saved")
        post_delete.connect(calendar.exceptions_changed, sender=CalendarException,
                            dispatch_uid="core.calendar_exception.deleted")
        # The library of background tasks names its app in English; the admin shows this name.
        apps.get_app_config("django_tasks_database").verbose_name = "Tác vụ nền"
        _name_link_tables_in_vietnamese(apps)


def _name_link_tables_in_vietnamese(apps) -> None:
    """Django names the hidden table of each many-to-many field in English ("Procedure-agency relationship", its
    rows "Procedure_agencies object (97)"), and the admin lists those rows when something is deleted. Name them
    in Vietnamese: "liên kết thủ tục hành chính – cơ quan #97". (Auto-created tables have no migration state.)"""
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.auto_created:
            continue
        ends = [f.related_model._meta.verbose_name for f in meta.fields if f.is_relation]
        meta.verbose_name = meta.verbose_name_plural = "liên kết " + " – ".join(str(e) for e in ends)
        model.__str__ = lambda self: f"{self._meta.verbose_name} #{self.pk}"
