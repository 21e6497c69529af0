"""PostgreSQL: dossier events, audit entries and statistics counters become tables partitioned by time
(motcua.db.partitions). Nothing happens on SQLite. The rows are copied into the new table: on a large
existing database run this migration in a maintenance window."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from motcua.db.conversion import convert
    from motcua.db.partitions import SPECS

    with schema_editor.connection.cursor() as cur:
        for table in ("dossiers_dossierevent", "audit_auditentry", "reporting_statcounter"):
            convert(cur, SPECS[table])


class Migration(migrations.Migration):
    dependencies = [
        ("motcua_db", "0001_archived_partition"),
        ("dossiers", "0003_data_links"),
        ("audit", "0004_block_truncate"),  # the triggers are copied onto the partitioned table
        ("reporting", "0003_decision766_sources"),
    ]

    # Going back would need the rows copied into plain tables again: not provided (restore a backup).
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)]
