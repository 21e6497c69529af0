from django.db import models


class ArchivedPartition(models.Model):
    """A time partition detached from its table (``manage.py partitions detach``), kept for the record.

    For the audit trail it is also the chain's new starting point: ``last_hash`` is the hash of the last
    detached entry, which the first entry still in the table must point to (audit.services.verify_chain), and
    ``seal`` is the record's signature by the audit anchor key (audit.segments), without which verify_audit
    does not accept it.
    """

    table = models.CharField("bảng", max_length=63)
    partition = models.CharField("phân vùng", max_length=63, unique=True)
    range_from = models.CharField("từ", max_length=40)
    range_to = models.CharField("đến (không gồm)", max_length=40)
    rows = models.BigIntegerField("số bản ghi")
    first_id = models.BigIntegerField("mã đầu", null=True)
    last_id = models.BigIntegerField("mã cuối", null=True)
    last_hash = models.CharField("mã băm cuối", max_length=64, blank=True)
    seal = models.TextField("dấu niêm phong", blank=True)
    detached_at = models.DateTimeField("tách lúc", auto_now_add=True)

    class Meta:
        ordering = ["table", "last_id"]
        verbose_name = "phân vùng đã tách"
        verbose_name_plural = "phân vùng đã tách"

    def __str__(self):
        return f"{self.partition} ({self.range_from} – {self.range_to}, {self.rows} bản ghi)"
