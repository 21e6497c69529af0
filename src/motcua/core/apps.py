from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class CoreConfig(AppConfig):
    name = "motcua.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import calendar
        from .models import CalendarException

        # Deadlines are computed from a cached copy of this table: drop it whenever a row changes.
        post_save.connect(calendar.exceptions_changed, sender=CalendarException,
                          dispatch_uid="core.calendar_exception.saved")
        post_delete.connect(calendar.exceptions_changed, sender=CalendarException,
                            dispatch_uid="core.calendar_exception.deleted")
