"""Index housekeeping shared by the apps' migrations."""

from __future__ import annotations

from django.db import migrations


def drop_like_twins(*indexes: tuple[str, str, str]):
    """A migration operation dropping PostgreSQL's LIKE-prefix twins (``varchar_pattern_ops``) that Django adds to
    an indexed or unique CharField, where no query matches a prefix of the column; ``indexes``: (table, column,
    index name). A table written on every transition pays for each index on each insert. Nothing happens on
    other databases (they have no such twin); going back recreates them."""

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            # Dropping an index of a partitioned table locks it and every partition: fail after a short wait rather
            # than queue every transition's insert behind a long query (the migration can be run again).
            schema_editor.execute("SET LOCAL lock_timeout = '10s'")
            for _table, _column, name in indexes:
                schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for table, column, name in indexes:
                schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}" varchar_pattern_ops)')

    return migrations.RunPython(forward, backward)
