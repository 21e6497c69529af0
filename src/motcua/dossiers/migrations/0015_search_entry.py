"""DossierSearchEntry: what the search and the counter's look-up by ID number match, moved off the dossier row so
that a status change (never a HOT update) does not write their indexes (issue H1, bench/lifecycle.md). Triggers on
both databases write an entry when a dossier is inserted and when its name, code or ID number changes; existing
dossiers are copied in. Migration 0016 moves the trigram index over."""

import django.db.models.deletion
from django.db import migrations, models

COLUMNS = "(dossier_id, name_folded, name_lower, code, id_number)"
VALUES = "(NEW.id, NEW.applicant_name_folded, NEW.applicant_name_lower, NEW.code, NEW.applicant_id_number)"
UPSERT = (f"INSERT INTO dossiers_dossiersearchentry {COLUMNS} VALUES {VALUES} ON CONFLICT (dossier_id) DO UPDATE SET "
          "name_folded = excluded.name_folded, name_lower = excluded.name_lower, code = excluded.code, "
          "id_number = excluded.id_number")
WATCHED = ("applicant_name_folded", "applicant_name_lower", "code", "applicant_id_number")
BACKFILL = (f"INSERT INTO dossiers_dossiersearchentry {COLUMNS} SELECT id, applicant_name_folded, "
            "applicant_name_lower, code, applicant_id_number FROM dossiers_dossier")


def changed(distinct: str) -> str:
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in WATCHED)


POSTGRESQL = [
    f"CREATE FUNCTION dossier_search_entry_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {UPSERT}; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER dossier_search_entry_insert AFTER INSERT ON dossiers_dossier FOR EACH ROW "
    "EXECUTE FUNCTION dossier_search_entry_write()",
    f"CREATE TRIGGER dossier_search_entry_update AFTER UPDATE OF {', '.join(WATCHED)} ON dossiers_dossier "
    f"FOR EACH ROW WHEN ({changed('IS DISTINCT FROM')}) EXECUTE FUNCTION dossier_search_entry_write()",
]
SQLITE = [
    f"CREATE TRIGGER dossier_search_entry_insert AFTER INSERT ON dossiers_dossier FOR EACH ROW BEGIN {UPSERT}; END",
    f"CREATE TRIGGER dossier_search_entry_update AFTER UPDATE OF {', '.join(WATCHED)} ON dossiers_dossier "
    f"FOR EACH ROW WHEN {changed('IS NOT')} BEGIN {UPSERT}; END",
]
DROP = ["DROP TRIGGER IF EXISTS dossier_search_entry_insert{on}", "DROP TRIGGER IF EXISTS dossier_search_entry_update{on}"]


def forward(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for sql in POSTGRESQL if postgres else SQLITE:
        schema_editor.execute(sql, params=None)
    schema_editor.execute(BACKFILL, params=None)


def backward(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for sql in DROP:
        schema_editor.execute(sql.format(on=" ON dossiers_dossier" if postgres else ""), params=None)
    if postgres:
        schema_editor.execute("DROP FUNCTION IF EXISTS dossier_search_entry_write()", params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('dossiers', '0014_dossier_search_trigram_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='DossierSearchEntry',
            fields=[
                ('dossier', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='search_entry', serialize=False, to='dossiers.dossier', verbose_name='hồ sơ')),
                ('name_folded', models.CharField(blank=True, default='', max_length=200, verbose_name='họ tên không dấu')),
                ('name_lower', models.CharField(blank=True, default='', max_length=200, verbose_name='họ tên chữ thường')),
                ('code', models.CharField(blank=True, max_length=64, null=True, verbose_name='mã hồ sơ')),
                ('id_number', models.CharField(blank=True, default='', max_length=12, verbose_name='số định danh')),
            ],
            options={
                'verbose_name': 'mục tìm kiếm hồ sơ',
                'verbose_name_plural': 'mục tìm kiếm hồ sơ',
            },
        ),
        migrations.RemoveIndex(
            model_name='dossier',
            name='dossier_id_number_idx',
        ),
        migrations.AddIndex(
            model_name='dossiersearchentry',
            index=models.Index(fields=['id_number'], name='dossier_search_id_number_idx'),
        ),
        migrations.RunPython(forward, backward),
    ]
