from django.apps import AppConfig


class TransformationConfig(AppConfig):
    name = "motcua.transformation"
    label = "transformation"
    default_auto_field = "django.db.models.BigAutoField"
