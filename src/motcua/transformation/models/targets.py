"""Targets of a plan, the values entered for them, and the narrative of the annual report."""

from django.conf import settings
from django.db import models

from ..sections import ALL_SECTIONS, TARGET_AREAS


class Target(models.Model):
    """A target (chỉ tiêu) of a plan: a measure, a comparator and a value (70 %, > 90 %, hạng 3)."""

    GTE, GT, LTE, LT, EQ = "gte", "gt", "lte", "lt", "eq"
    COMPARATORS = [(GTE, "≥"), (GT, ">"), (LTE, "≤"), (LT, "<"), (EQ, "=")]

    plan = models.ForeignKey("transformation.Plan", verbose_name="kế hoạch", on_delete=models.CASCADE,
                             related_name="targets")
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    area = models.CharField("lĩnh vực", max_length=32, choices=TARGET_AREAS, default="digital_government")
    measure = models.CharField("chỉ số", max_length=48,
                               help_text="Mã chỉ số (motcua.transformation.measures): tính từ thống kê của "
                                         "hệ thống hoặc nhập tay.")
    name = models.CharField("tên chỉ tiêu", max_length=500)
    comparator = models.CharField("so sánh", max_length=3, choices=COMPARATORS, default=GTE)
    value = models.DecimalField("giá trị chỉ tiêu", max_digits=14, decimal_places=2)
    unit = models.CharField("đơn vị tính", max_length=32, default="%")
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        ordering = ["plan", "order", "id"]
        verbose_name = "chỉ tiêu"
        verbose_name_plural = "chỉ tiêu"

    def __str__(self):
        return self.name


class IndicatorValue(models.Model):
    """A value entered by an officer for a target the system cannot measure, with its evidence."""

    target = models.ForeignKey(Target, verbose_name="chỉ tiêu", on_delete=models.CASCADE, related_name="values")
    period_start = models.DateField("từ ngày")
    period_end = models.DateField("đến ngày")
    value = models.DecimalField("giá trị", max_digits=14, decimal_places=2)
    note = models.TextField("ghi chú, nguồn số liệu", blank=True)
    evidence = models.ForeignKey("documents.Attachment", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name="tệp minh chứng")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="người nhập")
    entered_at = models.DateTimeField("thời điểm nhập", auto_now_add=True)

    class Meta:
        ordering = ["target", "-period_end", "-entered_at", "-id"]
        verbose_name = "giá trị chỉ tiêu"
        verbose_name_plural = "giá trị chỉ tiêu"

    def __str__(self):
        return f"{self.target_id} {self.period_start}–{self.period_end}: {self.value}"


class Narrative(models.Model):
    """What officers typed for one section of a unit's annual report."""

    agency = models.ForeignKey("units.Agency", verbose_name="cơ quan", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("năm")
    section = models.CharField("mục", max_length=32, choices=ALL_SECTIONS)
    text = models.TextField("nội dung", blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người cập nhật", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "year", "section"], name="dx_narrative_unique")]
        verbose_name = "nội dung báo cáo"
        verbose_name_plural = "nội dung báo cáo"
