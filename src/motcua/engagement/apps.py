from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "motcua.engagement"
    verbose_name = "Đánh giá, phản ánh kiến nghị"
    label = "engagement"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import reorganization  # noqa: F401  (its steps of a reorganization of units)
