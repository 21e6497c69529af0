from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "motcua.documents"
    label = "documents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The PKI folder travels with every backup (core.backup.folders).
        from . import pki  # noqa: F401
