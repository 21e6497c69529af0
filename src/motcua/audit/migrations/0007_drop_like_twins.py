from django.db import migrations

from motcua.db.indexes import drop_like_twins


class Migration(migrations.Migration):
    """Each transition inserts an audit entry: no LIKE-prefix index on its hash or action (no query matches a prefix)."""

    dependencies = [("audit", "0006_chainer_triggers")]

    operations = [drop_like_twins(("audit_auditentry", "hash", "audit_auditentry_hash_718ebbcd_like"),
                                  ("audit_auditentry", "action", "audit_auditentry_action_dee621eb_like"))]
