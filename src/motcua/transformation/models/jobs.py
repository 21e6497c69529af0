"""Papers (appendices, annual report) built in the background; the page polls their progress."""

from django.conf import settings
from django.db import models

from motcua.core.builds import BuildQuerySet


class PaperJob(models.Model):
    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATES = [(QUEUED, "Đang chờ"), (RUNNING, "Đang tạo"), (DONE, "Hoàn thành"), (FAILED, "Lỗi")]
    KINDS = [
        ("task_results", "Phụ lục kết quả thực hiện nhiệm vụ"),
        ("budget_list", "Danh mục nhiệm vụ, kinh phí"),
        ("spending", "Phụ lục kinh phí đã bố trí theo năm"),
        ("plan_budget", "Phụ lục nội dung, nhiệm vụ và kinh phí"),
        ("annual", "Báo cáo chuyển đổi số năm"),
    ]
    FORMATS = [("docx", ".docx"), ("xlsx", ".xlsx")]

    kind = models.CharField("loại", max_length=16, choices=KINDS)
    fmt = models.CharField("định dạng", max_length=4, choices=FORMATS, default="docx")
    plan = models.ForeignKey("transformation.Plan", verbose_name="kế hoạch", null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("units.Agency", verbose_name="cơ quan", null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("năm", null=True, blank=True)
    state = models.CharField("tình trạng", max_length=16, choices=STATES, default=QUEUED)
    progress = models.PositiveSmallIntegerField("tiến độ", default=0)
    message = models.CharField("thông báo", max_length=255, blank=True)
    file = models.FileField("tệp", upload_to="dx-papers/", blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người yêu cầu", null=True, blank=True,
                                     on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    finished_at = models.DateTimeField("kết thúc lúc", null=True, blank=True)
    progress_at = models.DateTimeField("tiến triển gần nhất lúc", null=True, blank=True,
                                       help_text="Lần cuối lượt đang chạy báo tiến độ (papers.jobs, core.stalled).")

    objects = BuildQuerySet.as_manager()  # .settled(): a build whose worker died is read failed

    class Meta:
        verbose_name = "lượt lập văn bản chuyển đổi số"
        verbose_name_plural = "lượt lập văn bản chuyển đổi số"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.kind}.{self.fmt} ({self.state})"
