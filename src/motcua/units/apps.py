from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "motcua.units"
    verbose_name = "Đơn vị hành chính, cơ quan"
    label = "units"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The units' own reorganization steps (open, counters, close, notify) in the steps registry.
        from .reorganization import unit_steps  # noqa: F401
