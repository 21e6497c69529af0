"""Consent to read a citizen's repository is tied to a dossier and ends at a set time.

Rows written before this migration named only an ID number and a purpose, and let any officer read. Each
existing row is settled once, here:

- revoked: it ends when it was revoked (``expires_at = revoked_at``); nothing else changes.
- still active, and exactly ONE open dossier (not closed) of that person fits it: tied to that dossier,
  ending ``MOTCUA_VAULT_CONSENT_DAYS`` days after it was given (so an old row may already be over). A dossier
  fits a row recorded by an officer when it was created before the consent and is received by, or in the
  hands of, an agency where that officer held an acting role (an officer without agency: any of the
  person's dossiers); it fits a row the person gave themself (``granted_by`` carries their ID number) when it
  was created before the consent. ``by_applicant`` is set for the latter.
- otherwise (no fitting dossier, several, or nobody recorded it): expired now, with no dossier. Officers
  ask again, for a dossier; the row stays for the audit trail.
"""

import datetime as dt

from django.conf import settings
from django.db import migrations, models
from django.db.models import Q
from django.utils import timezone

ACTING = {"counter_officer", "specialist", "department_head", "leader", "unit_admin", "provincial_admin"}


def settle_existing_consents(apps, schema_editor):
    VaultConsent = apps.get_model("documents", "VaultConsent")
    Dossier = apps.get_model("dossiers", "Dossier")
    RoleAssignment = apps.get_model("accounts", "RoleAssignment")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    now = timezone.now()
    days = dt.timedelta(days=getattr(settings, "MOTCUA_VAULT_CONSENT_DAYS", 30))
    for consent in VaultConsent.objects.all().iterator():
        if consent.revoked_at is not None:
            consent.expires_at = consent.revoked_at
            consent.save(update_fields=["expires_at"])
            continue
        granter = User.objects.filter(pk=consent.granted_by_id).first() if consent.granted_by_id else None
        candidates = Dossier.objects.filter(applicant_id_number=consent.id_number, closed_at__isnull=True,
                                            created_at__lte=consent.granted_at)
        by_applicant = granter is not None and granter.id_number == consent.id_number
        if granter is None:
            candidates = candidates.none()
        elif not by_applicant:
            roles = RoleAssignment.objects.filter(user_id=granter.pk, role__in=ACTING)
            if not roles.filter(agency__isnull=True).exists():
                agencies = list(roles.values_list("agency_id", flat=True))
                candidates = candidates.filter(Q(agency_id__in=agencies) | Q(current_agency_id__in=agencies))
        found = list(candidates.values_list("pk", flat=True)[:2])
        if len(found) == 1:
            consent.dossier_id = found[0]
            consent.expires_at = consent.granted_at + days
            consent.by_applicant = by_applicant
        else:
            consent.expires_at = now
        consent.save(update_fields=["dossier", "expires_at", "by_applicant"])


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_failedsignin"),
        ("documents", "0003_attachment_kind_evidence"),
        ("dossiers", "0002_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="vaultconsent",
            name="by_applicant",
            field=models.BooleanField(default=False, verbose_name="công dân tự đồng ý"),
        ),
        migrations.AddField(
            model_name="vaultconsent",
            name="dossier",
            field=models.ForeignKey(blank=True, help_text="Chỉ cán bộ xử lý hồ sơ này được khai thác. Trống: bản ghi cũ, đã hết hiệu lực.", null=True, on_delete=models.deletion.CASCADE, related_name="vault_consents", to="dossiers.dossier", verbose_name="hồ sơ"),
        ),
        migrations.AddField(
            model_name="vaultconsent",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="hết hiệu lực lúc"),
        ),
        migrations.RunPython(settle_existing_consents, migrations.RunPython.noop),
    ]
