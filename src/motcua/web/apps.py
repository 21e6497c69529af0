from django.apps import AppConfig


class WebConfig(AppConfig):
    """What the citizen portal and the back office both use: page helpers, shared form fields, file and
    slip downloads, the template filters (motcua_web), and the statistics pages both publics read."""

    name = "motcua.web"
    label = "web"
    verbose_name = "Giao diện web dùng chung"

    def ready(self):
        from django.urls import register_converter

        from . import reorganization  # noqa: F401  (its steps of a reorganization of units)
        from .converters import RowId

        register_converter(RowId, "id")  # before the first request loads the URLconf
