"""Read models of the statistics engine, fed only by outbox events (see consumer.py)."""

from django.conf import settings
from django.db import models

from motcua.core.builds import BuildQuerySet

from .metrics import METRICS


class ConsumerCursor(models.Model):
    """The last outbox event a consumer applied; saved in the same transaction as its effects."""

    name = models.CharField("tên", max_length=64, unique=True)
    last_event_id = models.BigIntegerField("sự kiện cuối đã đọc", default=0)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "vị trí đọc sự kiện"
        verbose_name_plural = "vị trí đọc sự kiện"

    def __str__(self):
        return f"{self.name} @ {self.last_event_id}"


class DossierFact(models.Model):
    """One row per dossier: its current classification keys and timestamps."""

    dossier = models.OneToOneField("dossiers.Dossier", verbose_name="hồ sơ", on_delete=models.DO_NOTHING,
                                   primary_key=True,
                                   db_constraint=False, related_name="fact")
    code = models.CharField("mã hồ sơ", max_length=64, blank=True)
    status = models.CharField("trạng thái", max_length=32, blank=True)
    rule_version = models.CharField("phiên bản quy tắc", max_length=32, blank=True)
    agency_code = models.CharField("mã cơ quan", max_length=32, blank=True)
    current_agency_code = models.CharField("mã cơ quan đang giữ", max_length=32, blank=True)
    procedure_code = models.CharField("mã thủ tục", max_length=32, blank=True)
    field_code = models.CharField("mã lĩnh vực", max_length=32, blank=True)
    online_level = models.CharField("mức độ trực tuyến", max_length=16, blank=True)
    channel = models.CharField("kênh", max_length=16, blank=True)
    submitted_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    received_at = models.DateTimeField("tiếp nhận lúc", null=True, blank=True)
    due_at = models.DateTimeField("hạn trả", null=True, blank=True)
    decided_at = models.DateTimeField("quyết định lúc", null=True, blank=True)
    returned_at = models.DateTimeField("trả kết quả lúc", null=True, blank=True)
    closed_at = models.DateTimeField("kết thúc lúc", null=True, blank=True)
    fee_vnd = models.BigIntegerField("phí, lệ phí (đồng)", default=0)
    fee_paid_online = models.BooleanField("nộp phí trực tuyến", default=False)
    digitized_at_receipt = models.BooleanField("số hóa khi tiếp nhận", default=False)
    result_digitized = models.BooleanField("kết quả được số hóa", default=False)
    result_electronic = models.BooleanField("kết quả điện tử", default=False)
    supplement_count = models.IntegerField("số lần bổ sung", default=0)
    apology_count = models.IntegerField("số lần xin lỗi", default=0)
    rated_at = models.DateTimeField("đánh giá lúc", null=True, blank=True)
    satisfied = models.BooleanField("hài lòng", null=True, blank=True)
    rated_for = models.CharField("cơ quan được tính đánh giá", max_length=32, blank=True, default="",
                                 help_text="Cơ quan kế thừa khi đơn vị của hồ sơ đã kết thúc trước ngày đánh giá")
    components_reused = models.BooleanField("thành phần dùng lại", default=False)
    vault_linked = models.BooleanField("liên kết kho dữ liệu", default=False)
    applicant_vneid = models.BooleanField("người nộp dùng VNeID", default=False)
    applicant_population = models.BooleanField("đối chiếu CSDL dân cư", default=False)
    sync_status = models.CharField("tình trạng đồng bộ", max_length=16, blank=True)
    storage_synced = models.BooleanField("đã đồng bộ lưu trữ", default=False)
    agency_moves = models.TextField("cơ quan trước khi sắp xếp đơn vị", blank=True, default="",
                                    help_text="Mã cơ quan@thời điểm chuyển đi; …")
    last_event_id = models.BigIntegerField("sự kiện cuối đã đọc", default=0)

    class Meta:
        verbose_name = "số liệu hồ sơ"
        verbose_name_plural = "số liệu hồ sơ"
        indexes = [
            models.Index(fields=["agency_code", "received_at"]),
            models.Index(fields=["received_at"]),
            models.Index(fields=["decided_at"]),
            models.Index(fields=["due_at"]),
            models.Index(fields=["closed_at"]),
            # a drill-down's code filter is checked against the figures' history (indicators._check_filters): an
            # unknown code must not read every dossier's row to find it is not there
            models.Index(fields=["procedure_code"]),
            models.Index(fields=["field_code"]),
        ]

    def __str__(self):
        return self.code or str(self.pk)


def _metric_columns():
    return {name: models.BigIntegerField(label, default=0) for name, label in METRICS.items()}


class StatCounterBase(models.Model):
    DAY, MONTH, YEAR = "d", "m", "y"
    GRAINS = [(DAY, "ngày"), (MONTH, "tháng"), (YEAR, "năm")]

    grain = models.CharField("chu kỳ", max_length=1, choices=GRAINS)
    period_start = models.DateField("đầu kỳ")
    agency_code = models.CharField("mã cơ quan", max_length=32)
    procedure_code = models.CharField("mã thủ tục", max_length=32)
    field_code = models.CharField("mã lĩnh vực", max_length=32)
    online_level = models.CharField("mức độ trực tuyến", max_length=16)
    channel = models.CharField("kênh", max_length=16)

    class Meta:
        abstract = True


StatCounter = type("StatCounter", (StatCounterBase,), {
    "__module__": __name__,
    "__doc__": "Flow counters per day / month / year and (agency, procedure, field, online level, channel).",
    "__str__": lambda self: f"{self.grain}:{self.period_start} {self.agency_code} {self.procedure_code}",
    "Meta": type("Meta", (), {
        "constraints": [models.UniqueConstraint(
            fields=["grain", "period_start", "agency_code", "procedure_code", "field_code", "online_level",
                    "channel"], name="statcounter_key")],
        # The second index serves the statistics (indicators._aggregate): the per-agency roll-up rows
        # (procedure_code = "*") of a grain and period range, without reading the procedure-detail rows.
        "indexes": [models.Index(fields=["grain", "period_start"]),
                    models.Index(fields=["procedure_code", "grain", "period_start"], name="statcounter_rollup_idx")],
        "verbose_name": "bộ đếm thống kê", "verbose_name_plural": "bộ đếm thống kê",
    }),
    **_metric_columns(),
})


class ReportJob(models.Model):
    """A report being built in the background; the page polls its progress."""

    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATES = [(QUEUED, "Đang chờ"), (RUNNING, "Đang tạo"), (DONE, "Hoàn thành"), (FAILED, "Lỗi")]
    KINDS = [("docx", "Báo cáo .docx"), ("xlsx", "Bảng số liệu .xlsx")]

    kind = models.CharField("loại", max_length=8, choices=KINDS, default="docx")
    # an agency's code has up to 32 characters, and its lineage is asked for as ``lineage:<code>``
    scope = models.CharField("phạm vi", max_length=64,
                             help_text="Phạm vi như API: mã cơ quan, lineage:<mã>, unit:<mã>, hoặc 'province'.")
    start = models.DateField("từ ngày")
    end = models.DateField("đến ngày")
    state = models.CharField("tình trạng", max_length=16, choices=STATES, default=QUEUED)
    progress = models.PositiveSmallIntegerField("tiến độ", default=0)
    message = models.CharField("thông báo", max_length=255, blank=True)
    file = models.FileField("tệp", upload_to="reports/", blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người yêu cầu", null=True, blank=True,
                                     on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    finished_at = models.DateTimeField("kết thúc lúc", null=True, blank=True)
    progress_at = models.DateTimeField("tiến triển gần nhất lúc", null=True, blank=True,
                                       help_text="Lần cuối lượt đang chạy báo tiến độ (papers.jobs, core.stalled).")

    # the API's Idempotency-Key (api/report_builds.py): the same key from the same account is the same build
    idempotency_key = models.CharField("khóa chống gửi trùng", max_length=100, null=True, blank=True)

    objects = BuildQuerySet.as_manager()  # .settled(): a build whose worker died is read failed

    class Meta:
        verbose_name = "lượt lập báo cáo"
        verbose_name_plural = "lượt lập báo cáo"
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["requested_by", "idempotency_key"],
                                               condition=models.Q(idempotency_key__isnull=False),
                                               name="report_job_idempotency_key")]

    def __str__(self):
        return f"{self.kind} {self.scope} {self.start}–{self.end} ({self.state})"
