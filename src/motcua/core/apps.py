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
