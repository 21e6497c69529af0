"""PostgreSQL: the outbox (integrations_outboxevent, owned by the outbox app) becomes partitioned by month of
``created_at`` (motcua.db.partitions). The fan-out and delivery rows lost their foreign key to it first
(integrations 0004). Nothing happens on SQLite. Going back makes it a plain table again (motcua.db.conversion).
The rows are copied: on a large existing database run this migration in a maintenance window."""

from django.db import migrations

TABLE = "integrations_outboxevent"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from motcua.db.conversion import convert
    from motcua.db.partitions import SPECS

    with schema_editor.connection.cursor() as cur:
        convert(cur, SPECS[TABLE])


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from motcua.db.conversion import revert
    from motcua.db.partitions import SPECS

    with schema_editor.connection.cursor() as cur:
        revert(cur, SPECS[TABLE])


class Migration(migrations.Migration):
    dependencies = [
        ("motcua_db", "0002_partition_by_time"),
        ("outbox", "0001_initial"),
        ("integrations", "0004_events_without_db_constraint"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
