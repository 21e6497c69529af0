from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "motcua.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Tài khoản và phân quyền"

    def ready(self):
        # sign-in events and lockouts go to the audit trail; checks: the start-up checks of the installation's keys;
        # reorganization: its step of a reorganization of units
        from . import checks, lockout, reorganization, signals  # noqa: F401
