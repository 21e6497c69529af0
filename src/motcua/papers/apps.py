from django.apps import AppConfig


class PapersConfig(AppConfig):
    """Documents people print: the Decree 30/2020 builder and every paper built on it (slips, reports)."""

    name = "motcua.papers"
    label = "papers"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Văn bản, biểu mẫu in"
