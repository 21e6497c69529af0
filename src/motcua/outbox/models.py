from django.db import models


class OutboxEvent(models.Model):
    """A domain event written in the same transaction as the change it describes."""

    topic = models.CharField(max_length=64, db_index=True)
    aggregate_type = models.CharField(max_length=32)
    aggregate_id = models.CharField(max_length=64, db_index=True)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        # The table was created by the integrations app, where the model first lived; it keeps its name
        # so that moving the model moved no data (see migrations/0001_initial.py).
        db_table = "integrations_outboxevent"
        ordering = ["id"]

    def __str__(self):
        return f"#{self.pk} {self.topic} {self.aggregate_type}:{self.aggregate_id}"
