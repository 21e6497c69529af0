from django.conf import settings
from django.db import models

from motcua.core.event_labels import event_label, object_type_label


class AuditTamperError(Exception):
    """Raised when code tries to change or delete an audit entry."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditTamperError("Nhật ký hệ thống chỉ được ghi thêm, không được sửa.")

    def delete(self):
        raise AuditTamperError("Nhật ký hệ thống chỉ được ghi thêm, không được xóa.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditTamperError("Nhật ký hệ thống chỉ được ghi thêm, không được sửa.")


class AuditEntry(models.Model):
    """Append-only, hash-chained record.

    The writer inserts the entry with ``content_hash`` (its content's hash, audit.hashing) and nothing else to
    compute: no lock, no other row read. The chainer (audit.chainer) later gives it its place ``seq`` in the
    chain, ``prev_hash`` (the chain hash of entry ``seq - 1``) and ``hash`` (over ``prev_hash`` and the content),
    once each. ``txid`` is the inserting transaction's id (PostgreSQL, set by a trigger): the chainer takes
    only entries of transactions older than every transaction still open.

    The ORM refuses to update or delete a row (save() on an existing row, delete(), QuerySet.update/delete);
    on PostgreSQL a trigger refuses DELETE and every UPDATE except the chainer's: setting the chain columns
    (and, for entries older than the chainer, ``content_hash``) from empty to a value, the content unchanged.
    The actor is kept without a database constraint: deleting an account must not rewrite the trail.
    """

    at = models.DateTimeField("thời điểm", db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
                              null=True, blank=True, related_name="+", verbose_name="người thực hiện")
    actor_label = models.CharField("người thực hiện (tên)", max_length=200, blank=True)
    action = models.CharField("hành động", max_length=64, db_index=True)
    object_type = models.CharField("loại đối tượng", max_length=64)
    object_id = models.CharField("mã đối tượng", max_length=64)
    data = models.JSONField("dữ liệu", default=dict, blank=True)
    content_hash = models.CharField("mã băm nội dung", max_length=64, blank=True, default="")
    txid = models.BigIntegerField("giao dịch ghi", null=True, blank=True, editable=False)
    seq = models.BigIntegerField("số thứ tự trong chuỗi", null=True, blank=True, db_index=True)
    prev_hash = models.CharField("mã băm trước", max_length=64, null=True, blank=True)
    hash = models.CharField("mã băm", max_length=64, unique=True, null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = "nhật ký"
        verbose_name_plural = "nhật ký hệ thống"
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
                   # what the chainer reads, and the window verify_audit reports: entries not chained yet
                   models.Index(fields=["txid", "id"], name="audit_unchained_idx",
                                condition=models.Q(seq__isnull=True))]

    def __str__(self):
        return f"#{self.pk} {event_label(self.action, self.data)} — {object_type_label(self.object_type)} {self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AuditTamperError("Nhật ký hệ thống chỉ được ghi thêm, không được sửa.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTamperError("Nhật ký hệ thống chỉ được ghi thêm, không được xóa.")


class ChainerState(models.Model):
    """One row: whether the chainer sleeps waiting for a NOTIFY, and when it last ran (shown by verify_audit).

    On PostgreSQL the insert trigger sends ``NOTIFY audit_pending`` only while ``waiting`` is true: a NOTIFY
    serializes the commits of the transactions that send one, so a busy chainer (which does not sleep) costs
    the writers nothing, and an idle one is woken by the first entry."""

    waiting = models.BooleanField(default=False)
    seen_at = models.DateTimeField(null=True, blank=True)
    head_seq = models.BigIntegerField(null=True, blank=True)  # the last place the chainer gave, and its hash:
    head_hash = models.CharField(max_length=64, blank=True)   # newest chained entries deleted are not chained over

    class Meta:
        verbose_name = "trạng thái tiến trình nối chuỗi nhật ký"
