from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "motcua.api"
    verbose_name = "Giao diện lập trình (API)"
    label = "api"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import tokencache

        tokencache.connect_signals()  # a revoked token or changed role is refused at once in this process
