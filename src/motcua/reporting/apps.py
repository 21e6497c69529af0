from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "motcua.reporting"
    verbose_name = "Thống kê, báo cáo"
    label = "reporting"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import reorganization  # noqa: F401  (its steps of a reorganization of units)
