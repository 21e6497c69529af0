from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin, named in INSTALLED_APPS, with the project's admin site (audit.admin_site)."""

    default = False
    default_site = "motcua.audit.admin_site.AdminSite"


class AuditConfig(AppConfig):
    name = "motcua.audit"
    verbose_name = "Nhật ký hệ thống"
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from motcua.core import nfc_rewrite

        # anchors: the signed anchors travel with every backup (core.backup.folders)
        from . import anchors, receivers  # noqa: F401

        # Acts of the layers below that the trail shows (they cannot import audit).
        nfc_rewrite.text_normalized.connect(receivers.text_normalized, dispatch_uid="motcua_audit_text_normalized")
