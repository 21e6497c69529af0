from django.apps import AppConfig


class DbConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "motcua.db"
    label = "motcua_db"
    verbose_name = "Cơ sở dữ liệu: bản sao, phân vùng"
