"""PostgreSQL triggers of the chainer (audit.chainer), then the entries already chained get their place.

- the append-only trigger now lets one kind of UPDATE through: chain columns (``seq``, ``prev_hash``,
  ``hash``) and ``content_hash`` going from empty to a value, nothing else changed; everything else
  (and DELETE, TRUNCATE) is still refused;
- a BEFORE INSERT row trigger stores the inserting transaction's id in ``txid``;
- an AFTER INSERT statement trigger sends ``NOTIFY audit_pending`` while the chainer sleeps.

Existing entries (written under the old province-wide lock, already chained in id order) keep their
``prev_hash`` and ``hash``; they get ``seq`` = their rank in id order after the archived partitions' rows,
and their ``content_hash``. Nothing is recomputed that the chain depends on, so old anchors still hold.
"""

from django.db import migrations

from motcua.audit.hashing import content_hash

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION motcua_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF (NEW.id, NEW.at, NEW.actor_id, NEW.actor_label, NEW.action, NEW.object_type, NEW.object_id, NEW.data,
            NEW.txid) IS NOT DISTINCT FROM (OLD.id, OLD.at, OLD.actor_id, OLD.actor_label, OLD.action,
            OLD.object_type, OLD.object_id, OLD.data, OLD.txid)
           AND (OLD.content_hash = '' OR NEW.content_hash = OLD.content_hash)
           AND (OLD.seq IS NULL OR NEW.seq IS NOT DISTINCT FROM OLD.seq)
           AND (OLD.prev_hash IS NULL OR NEW.prev_hash IS NOT DISTINCT FROM OLD.prev_hash)
           AND (OLD.hash IS NULL OR NEW.hash IS NOT DISTINCT FROM OLD.hash) THEN
            RETURN NEW;  -- the chainer giving an entry its place, once
        END IF;
    END IF;
    RAISE EXCEPTION USING MESSAGE = 'audit_auditentry is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

OLD_APPEND_ONLY = """
CREATE OR REPLACE FUNCTION motcua_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'audit_auditentry is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

STAMP = """
CREATE OR REPLACE FUNCTION motcua_audit_stamp() RETURNS trigger AS $$
BEGIN
    IF NEW.txid IS NULL THEN
        NEW.txid := pg_current_xact_id()::text::bigint;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_stamp ON audit_auditentry;
CREATE TRIGGER audit_stamp BEFORE INSERT ON audit_auditentry FOR EACH ROW EXECUTE FUNCTION motcua_audit_stamp();

CREATE OR REPLACE FUNCTION motcua_audit_wake() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM audit_chainerstate WHERE waiting) THEN
        PERFORM pg_notify('audit_pending', '');
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_wake ON audit_auditentry;
CREATE TRIGGER audit_wake AFTER INSERT ON audit_auditentry FOR EACH STATEMENT EXECUTE FUNCTION motcua_audit_wake();
"""

# CASCADE: partitions made after this migration carry their own copy of the statement trigger audit_wake
# (db/partitions.copy_statement_triggers), which dropping the parent's trigger leaves in place.
DROP = """
DROP TRIGGER IF EXISTS audit_wake ON audit_auditentry;
DROP FUNCTION IF EXISTS motcua_audit_wake() CASCADE;
DROP TRIGGER IF EXISTS audit_stamp ON audit_auditentry;
DROP FUNCTION IF EXISTS motcua_audit_stamp();
"""


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    postgres = connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute(APPEND_ONLY, params=None)
        schema_editor.execute(STAMP, params=None)
    entry_model = apps.get_model("audit", "AuditEntry")
    segments = apps.get_model("motcua_db", "ArchivedPartition").objects.filter(
        table="audit_auditentry", last_id__isnull=False)
    seq = sum(s.rows for s in segments)
    rows = (entry_model.objects.filter(seq__isnull=True, hash__isnull=False).order_by("id")
            .values_list("id", "at", "actor_id", "actor_label", "action", "object_type", "object_id", "data"))
    batch = []
    with connection.cursor() as cur:
        for pk, *content in rows.iterator(chunk_size=2000):
            seq += 1
            batch.append((seq, content_hash(*content), pk))
            if len(batch) == 2000:
                cur.executemany("UPDATE audit_auditentry SET seq = %s, content_hash = %s WHERE id = %s", batch)
                batch = []
        if batch:
            cur.executemany("UPDATE audit_auditentry SET seq = %s, content_hash = %s WHERE id = %s", batch)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)
        schema_editor.execute(OLD_APPEND_ONLY, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_chainer")]

    operations = [migrations.RunPython(forwards, backwards)]
