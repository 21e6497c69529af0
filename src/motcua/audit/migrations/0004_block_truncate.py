"""PostgreSQL: refuse TRUNCATE of the audit trail too (a statement-level trigger; row triggers do not see it)."""

from django.db import migrations

CREATE = """
DROP TRIGGER IF EXISTS audit_no_truncate ON audit_auditentry;
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION motcua_audit_append_only();
"""

DROP = "DROP TRIGGER IF EXISTS audit_no_truncate ON audit_auditentry;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_append_only_trigger")]

    operations = [migrations.RunPython(forwards, backwards)]
