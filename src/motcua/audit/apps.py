from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "motcua.audit"
    verbose_name = "Nhật ký hệ thống"
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The signed anchors travel with every backup (core.backup.folders).
        from . import anchors  # noqa: F401
