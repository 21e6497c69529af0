from django.db import migrations

from motcua.db.indexes import drop_like_twins


class Migration(migrations.Migration):
    """Each transition inserts an outbox event: no LIKE-prefix index on its topic or object id (no query matches a
    prefix)."""

    dependencies = [("outbox", "0002_vietnamese_labels")]

    operations = [drop_like_twins(("integrations_outboxevent", "topic", "integrations_outboxevent_topic_23ed132e_like"),
                                  ("integrations_outboxevent", "aggregate_id",
                                   "integrations_outboxevent_aggregate_id_49f82c4c_like"))]
