from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "motcua.documents"
    verbose_name = "Tài liệu, kho dữ liệu điện tử"
    label = "documents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The PKI folder travels with every backup (core.backup.folders); backups and restores check that every
        # file a row names is stored (core.backup.checks).
        from . import orphans, pki  # noqa: F401
