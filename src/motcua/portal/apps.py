from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "motcua.portal"
    verbose_name = "Cổng dịch vụ công"
    label = "portal"
    default_auto_field = "django.db.models.BigAutoField"
