from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "motcua.integrations"
    verbose_name = "Kết nối hệ thống khác"
    label = "integrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Register every adapter, and the HTTP payment gateway, in their registries; checks: the start-up check of
        # the e-ID secret.
        from . import adapters, checks, reorganization  # noqa: F401  (and its step of a reorganization of units)
