from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "motcua.dossiers"
    verbose_name = "Hồ sơ"
    label = "dossiers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import reorganization  # noqa: F401  (its steps of a reorganization of units)
