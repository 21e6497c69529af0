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
    """Append-only, hash-chained record: each row's hash covers its content and the previous hash.

    The ORM refuses to update or delete a row (save() on an existing row, delete(), QuerySet.update/delete);
    on PostgreSQL a trigger (migration 0002) refuses UPDATE and DELETE in the database as well.
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
    prev_hash = models.CharField("mã băm trước", max_length=64)
    hash = models.CharField("mã băm", max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = "nhật ký"
        verbose_name_plural = "nhật ký hệ thống"
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self):
        return f"#{self.pk} {event_label(self.action)} — {object_type_label(self.object_type)} {self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AuditTamperError("Nhật ký hệ thống chỉ được ghi thêm, không được sửa.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTamperError("Nhật ký hệ thống chỉ được ghi thêm, không được xóa.")
