from django.apps import AppConfig


class TransformationConfig(AppConfig):
    name = "motcua.transformation"
    verbose_name = "Chuyển đổi số"
    label = "transformation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import reorganization  # noqa: F401  (its steps of a reorganization of units)
