"""PostgreSQL: a trigram index (pg_trgm, GIN) over the folded applicant name and the upper-cased code, the columns
the back-office dossier search matches with LIKE '%…%' (backoffice.views.queues.dossier_list). It serves the
province-wide roles (provincial administrator, auditor), whose search has no agency to narrow it and read the
whole dossier table (bench/backoffice_scale.md: «Province-wide search»). SQLite: nothing.

pg_trgm is a trusted extension (PostgreSQL ≥ 13): the database's owner may create it. The index is built
CONCURRENTLY (the migration is not atomic), so intake and transitions go on writing the table meanwhile; one left
invalid by an interrupted build is dropped and built again."""

from django.db import migrations

INDEX = "dossier_search_trgm"
CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}",
    f"CREATE INDEX CONCURRENTLY {INDEX} ON dossiers_dossier USING gin "
    "(applicant_name_folded gin_trgm_ops, UPPER(code) gin_trgm_ops)",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in CREATE:
            schema_editor.execute(sql, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}", params=None)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("dossiers", "0013_dossier_applicant_name_lower_backfill"),
    ]

    operations = [migrations.RunPython(forward, backward)]
