from django.db import models


class FanOut(models.Model):
    """Marks an outbox event whose deliveries have been created (one row per event).

    Kept beside OutboxEvent rather than as a flag on it, so the writer side stays one INSERT; events
    are found by "no FanOut row yet", which is right even when transactions commit out of id order.
    """

    # db_constraint=False, here and on Delivery.event: on PostgreSQL the outbox is partitioned by month and its
    # primary key is (id, created_at), which a foreign key on event_id alone cannot reference. The rows are
    # only written by the dispatcher for events it has read, and leave with their events when an old outbox
    # month is detached (integrations/retention.py); the ORM still cascades a deleted event to them.
    event = models.OneToOneField("outbox.OutboxEvent", verbose_name="sự kiện", on_delete=models.CASCADE,
                                 primary_key=True, related_name="fanout",
                                 db_constraint=False)
    at = models.DateTimeField("thời điểm", auto_now_add=True)

    class Meta:
        verbose_name = "lượt phân phát sự kiện"
        verbose_name_plural = "lượt phân phát sự kiện"


class Delivery(models.Model):
    """One outbox event to one target, with its retry state."""

    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"
    STATUSES = [(PENDING, "Chờ gửi"), (DELIVERED, "Đã gửi"), (DEAD, "Gửi thất bại")]

    event = models.ForeignKey("outbox.OutboxEvent", verbose_name="sự kiện", on_delete=models.CASCADE,
                              related_name="deliveries",
                              db_constraint=False)
    target = models.CharField("đích", max_length=64)
    aggregate_key = models.CharField("khóa thứ tự", max_length=100,
                                     help_text="loại và mã của đối tượng: các lượt gửi cùng khóa đi đúng thứ tự")
    status = models.CharField("trạng thái", max_length=16, choices=STATUSES, default=PENDING)
    attempts = models.PositiveIntegerField("số lần gửi", default=0)
    next_attempt_at = models.DateTimeField("lần gửi tiếp", db_index=True)
    leased_until = models.DateTimeField("giữ đến", null=True, blank=True)
    lease_owner = models.CharField("tiến trình giữ", max_length=64, blank=True)
    last_error = models.TextField("lỗi gần nhất", blank=True)
    delivered_at = models.DateTimeField("gửi xong lúc", null=True, blank=True)
    response = models.JSONField("phản hồi", default=dict, blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "lượt gửi"
        verbose_name_plural = "lượt gửi"
        constraints = [models.UniqueConstraint(fields=["event", "target"], name="delivery_event_target_unique")]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["target", "aggregate_key", "status"]),
        ]

    def __str__(self):
        return f"{self.target} ← #{self.event_id} {self.status}"

    @property
    def idempotency_key(self) -> str:
        return f"{self.event_id}:{self.target}"


class WebhookSubscription(models.Model):
    """A third party that receives signed webhooks (HMAC-SHA256, see integrations/README.md)."""

    name = models.CharField("tên", max_length=200)
    url = models.URLField("địa chỉ nhận", max_length=500)
    secret = models.CharField("khóa bí mật", max_length=200)
    topics = models.CharField("sự kiện", max_length=500, default="dossier.*",
                              help_text="Các mẫu cách nhau bởi dấu phẩy, ví dụ: dossier.*, payment.paid")
    is_active = models.BooleanField("đang hoạt động", default=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "đăng ký webhook"
        verbose_name_plural = "đăng ký webhook"

    def __str__(self):
        return self.name

    @property
    def target(self) -> str:
        return f"webhook:{self.pk}"


class PostalShipment(models.Model):
    """A result sent home by the public postal service (bưu chính công ích)."""

    dossier_id = models.BigIntegerField("mã hồ sơ (số)", db_index=True)
    dossier_code = models.CharField("mã hồ sơ", max_length=64)
    tracking_number = models.CharField("số hiệu bưu gửi", max_length=64, unique=True)
    status = models.CharField("trạng thái", max_length=32, default="pickup_requested")
    status_label = models.CharField("trạng thái bưu gửi", max_length=200, blank=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "bưu gửi kết quả"
        verbose_name_plural = "bưu gửi kết quả"
