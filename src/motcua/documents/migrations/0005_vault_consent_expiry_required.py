"""Every consent now has an end (0004 set it on the existing rows); a separate migration because PostgreSQL
refuses to alter a table with pending foreign-key checks from the rows 0004 updated."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("documents", "0004_vault_consent_dossier"),
    ]

    operations = [
        migrations.AlterField(
            model_name="vaultconsent",
            name="expires_at",
            field=models.DateTimeField(verbose_name="hết hiệu lực lúc"),
        ),
        migrations.AddIndex(
            model_name="vaultconsent",
            index=models.Index(fields=["dossier", "purpose"], name="documents_v_dossier_ce29ae_idx"),
        ),
    ]
