"""PostgreSQL: the trigram index of the back-office search (migration 0014's, pg_trgm GIN over the folded name and
UPPER(code)) built on DossierSearchEntry, and the one on the dossier table dropped: a status change wrote every new
row version into it (bench/lifecycle.md: PostgreSQL's CPU per transition 1,38 ms with it, 1,26 ms without).
SQLite: nothing. Built and dropped CONCURRENTLY (the migration is not atomic), so intake and transitions go on
meanwhile; an index left invalid by an interrupted build is dropped and built again."""

from django.db import migrations

INDEX, OLD = "dossier_search_entry_trgm", "dossier_search_trgm"
GIN = (f"CREATE INDEX CONCURRENTLY {{name}} ON {{table}} USING gin "
       f"({{name_column}} gin_trgm_ops, UPPER(code) gin_trgm_ops)")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm", params=None)
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}", params=None)
        schema_editor.execute(GIN.format(name=INDEX, table="dossiers_dossiersearchentry", name_column="name_folded"),
                              params=None)
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {OLD}", params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {OLD}", params=None)
        schema_editor.execute(GIN.format(name=OLD, table="dossiers_dossier", name_column="applicant_name_folded"),
                              params=None)
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}", params=None)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("dossiers", "0015_search_entry"),
    ]

    operations = [migrations.RunPython(forward, backward)]
