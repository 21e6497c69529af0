"""The team's last move now lives in ``TeamMove`` (0008): the fields that held only it go (a migration of its own:
on PostgreSQL a table cannot be altered in the transaction that wrote rows referring to it)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("transformation", "0008_team_moves"),
    ]

    operations = [
        migrations.RemoveField(model_name="communityteam", name="former_agency"),
        migrations.RemoveField(model_name="communityteam", name="moved_on"),
    ]
