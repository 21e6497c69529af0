from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "motcua.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Tài khoản và phân quyền"

    def ready(self):
        from . import signals  # noqa: F401  (sign-in events go to the audit trail)
