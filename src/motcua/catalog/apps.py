from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "motcua.catalog"
    verbose_name = "Thủ tục hành chính"
    label = "catalog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import reorganization  # noqa: F401  (its steps of a reorganization of units, its successor follower)
