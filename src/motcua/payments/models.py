from django.db import models


class Payment(models.Model):
    """An online payment of a dossier's fees and charges, in whole đồng (VND)."""

    CREATED = "created"
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    STATUSES = [(CREATED, "Mới tạo"), (PENDING, "Chờ thanh toán"), (PAID, "Đã thanh toán"), (FAILED, "Thất bại")]

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="payments",
                                verbose_name="hồ sơ")
    amount_vnd = models.PositiveBigIntegerField("số tiền (đồng)")
    # What the amount was reduced from and why, as the catalog said when the payment was made (catalog/fees.py).
    base_amount_vnd = models.PositiveBigIntegerField("mức phí, lệ phí chưa giảm (đồng)", null=True, blank=True)
    fee_explanation = models.CharField("diễn giải mức phí", max_length=700, blank=True)
    status = models.CharField("trạng thái", max_length=16, choices=STATUSES, default=CREATED, db_index=True)
    merchant_ref = models.CharField("mã giao dịch", max_length=40, unique=True)
    gateway = models.CharField("cổng thanh toán", max_length=32, default="payment")
    gateway_ref = models.CharField("mã giao dịch tại cổng", max_length=64, unique=True, null=True, blank=True)
    payment_url = models.URLField("địa chỉ thanh toán", max_length=500, blank=True)
    paid_at = models.DateTimeField("thời điểm thanh toán", null=True, blank=True, db_index=True)
    confirmed_by = models.CharField("xác nhận qua", max_length=16, blank=True,
                                    help_text="callback: cổng báo về; return: người nộp được cổng chuyển về với "
                                              "kết quả có chữ ký; reconciliation: đối soát cuối ngày")
    returned_at = models.DateTimeField("thời điểm người nộp quay về từ cổng", null=True, blank=True,
                                       help_text="Kết quả có chữ ký chỉ được dùng một lần.")
    created_by = models.ForeignKey("accounts.User", verbose_name="người tạo", on_delete=models.SET_NULL, null=True,
                                   blank=True,
                                   related_name="+")
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "thanh toán trực tuyến"
        verbose_name_plural = "thanh toán trực tuyến"

    def __str__(self):
        return f"{self.merchant_ref} — {self.amount_vnd} đ — {self.status}"


class Reconciliation(models.Model):
    """One run of the daily reconciliation against the gateway's settlement file."""

    day = models.DateField("ngày đối soát", db_index=True)
    gateway_count = models.PositiveIntegerField("số giao dịch theo cổng thanh toán", default=0)
    gateway_total_vnd = models.PositiveBigIntegerField("tổng tiền theo cổng thanh toán (đồng)", default=0)
    ours_count = models.PositiveIntegerField("số giao dịch theo hệ thống", default=0)
    ours_total_vnd = models.PositiveBigIntegerField("tổng tiền theo hệ thống (đồng)", default=0)
    fixed = models.PositiveIntegerField("bổ sung từ đối soát", default=0)
    mismatches = models.JSONField("chênh lệch", default=list, blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        ordering = ["-day", "-id"]
        verbose_name = "đối soát thanh toán"
        verbose_name_plural = "đối soát thanh toán"

    @property
    def balanced(self) -> bool:
        return not self.mismatches and self.gateway_total_vnd == self.ours_total_vnd
