from django.db import models

from motcua.core.event_labels import event_label, object_type_label


class OutboxEvent(models.Model):
    """A domain event written in the same transaction as the change it describes."""

    topic = models.CharField("loại sự kiện", max_length=64, db_index=True)
    aggregate_type = models.CharField("loại đối tượng", max_length=32)
    aggregate_id = models.CharField("mã đối tượng", max_length=64, db_index=True)
    payload = models.JSONField("nội dung", default=dict)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "sự kiện gửi đi"
        verbose_name_plural = "sự kiện gửi đi"
        # The table was created by the integrations app, where the model first lived; it keeps its name
        # so that moving the model moved no data (see migrations/0001_initial.py).
        db_table = "integrations_outboxevent"
        ordering = ["id"]

    def __str__(self):
        return f"#{self.pk} {event_label(self.topic, self.payload)} — {object_type_label(self.aggregate_type)} {self.aggregate_id}"
