from django.apps import AppConfig


class WebConfig(AppConfig):
    """What the citizen portal and the back office both use: page helpers, shared form fields, file and
    slip downloads, the template filters (motcua_web), and the statistics pages both publics read."""

    name = "motcua.web"
    label = "web"
    verbose_name = "Giao diện web dùng chung"

    def ready(self):
        from . import reorganization  # noqa: F401  (its steps of a reorganization of units)
