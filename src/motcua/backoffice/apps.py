from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "motcua.backoffice"
    verbose_name = "Cán bộ xử lý hồ sơ"
    label = "backoffice"
    default_auto_field = "django.db.models.BigAutoField"
