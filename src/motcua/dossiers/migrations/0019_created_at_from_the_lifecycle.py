"""``Dossier.created_at``: set by the lifecycle to the moment it creates the dossier (``at=``), no longer by
``auto_now_add`` on insert. Nothing changes in the database (neither wrote a column default), so the change is made to
the migration state only: on SQLite altering the field would rebuild the table and drop the search entries' triggers
(migration 0015)."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("dossiers", "0018_successor_handover_moved_to"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name="dossier",
                name="created_at",
                field=models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name="tạo lúc"),
            ),
        ]),
    ]
