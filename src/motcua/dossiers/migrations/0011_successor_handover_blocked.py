from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("dossiers", "0010_dossier_applicant_name_folded_backfill"),
    ]

    operations = [
        migrations.AddField(
            model_name="successorhandover",
            name="blocked",
            field=models.TextField(blank=True, default="", verbose_name="lý do tạm dừng"),
        ),
    ]
