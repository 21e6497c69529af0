from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "motcua.dossiers"
    verbose_name = "Hồ sơ"
    label = "dossiers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from motcua.core import event_labels
        from motcua.units.succession import by_succession

        # the steps of a reorganization of units; the follower of a successor recorded in the admin
        from . import handover, reorganization  # noqa: F401
        from .lifecycle import ACTION_LABELS
        from .lifecycle.reorganization import SUCCESSION_KIND, SUCCESSION_LABEL

        event_labels.register("dossier", ACTION_LABELS)  # the audit trail's and the outbox's dossier events
        event_labels.register_case("dossier.transfer_agency", by_succession, SUCCESSION_LABEL, kind=SUCCESSION_KIND)
