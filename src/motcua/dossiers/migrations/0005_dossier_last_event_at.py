from django.db import migrations, models

BATCH = 10_000


def backfill(apps, schema_editor):
    """Each dossier's latest event time, from its events (the lifecycle's commit keeps it from now on): one
    set-based UPDATE per range of ids, each committed on its own (the migration is not atomic), so that no
    transition waits long for a dossier row on a large installation."""
    Dossier = apps.get_model("dossiers", "Dossier")
    DossierEvent = apps.get_model("dossiers", "DossierEvent")
    dossiers, events = Dossier._meta.db_table, DossierEvent._meta.db_table
    qn = schema_editor.quote_name
    sql = (f"UPDATE {qn(dossiers)} SET last_event_at = e.latest FROM (SELECT dossier_id, MAX(at) AS latest "
           f"FROM {qn(events)} WHERE dossier_id >= %s AND dossier_id < %s GROUP BY dossier_id) e "
           f"WHERE e.dossier_id = {qn(dossiers)}.id")
    top = Dossier.objects.aggregate(top=models.Max("id"))["top"] or 0
    with schema_editor.connection.cursor() as cur:
        for start in range(0, top + 1, BATCH):
            cur.execute(sql, [start, start + BATCH])


class Migration(migrations.Migration):
    atomic = False  # the column first (no rewrite), then the backfill in batches, each its own transaction

    dependencies = [
        ('dossiers', '0004_vietnamese_labels'),
    ]

    operations = [
        migrations.AddField(
            model_name='dossier',
            name='last_event_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='thao tác gần nhất lúc'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
