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
        from . import handover, handover_save, reorganization  # noqa: F401
        from .lifecycle import ACTION_LABELS
        from .lifecycle.reorganization import SUCCESSION_KIND, SUCCESSION_LABEL

        event_labels.register("dossier", ACTION_LABELS)  # the audit trail's and the outbox's dossier events
        event_labels.register_case("dossier.transfer_agency", by_succession, SUCCESSION_LABEL, kind=SUCCESSION_KIND)

        # a handover paused for a reason (dossiers.handover.blocker: a role lost, the successor switched off or its
        # unit closed) resumes once an agency, a unit or a role saved since removes it
        from django.db.models.signals import post_save

        from motcua.accounts.models import RoleAssignment
        from motcua.units.models import AdministrativeUnit, Agency

        for model in (Agency, AdministrativeUnit, RoleAssignment):
            post_save.connect(_resume_paused, sender=model, dispatch_uid=f"dossiers.handover.resume.{model.__name__}")


def _resume_paused(sender, **kwargs):
    from django.db import transaction

    from .handover import resume_blocked

    transaction.on_commit(resume_blocked)
