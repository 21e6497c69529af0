from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "motcua.engagement"
    label = "engagement"
    default_auto_field = "django.db.models.BigAutoField"
