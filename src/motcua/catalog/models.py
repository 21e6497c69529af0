from django.db import models

from motcua.core.text import fold


class Field(models.Model):
    """Lĩnh vực: the sector a procedure belongs to."""

    code = models.CharField("mã", max_length=32, unique=True)
    name = models.CharField("tên", max_length=255)

    class Meta:
        ordering = ["name"]
        verbose_name = "lĩnh vực"
        verbose_name_plural = "lĩnh vực"

    def __str__(self):
        return self.name


class OnlineLevel(models.TextChoices):
    # Decree 42/2022/ND-CP: online public services are full (toàn trình) or partial (một phần).
    FULL = "full", "Toàn trình"
    PARTIAL = "partial", "Một phần"
    NONE = "none", "Không trực tuyến"


class ProcedureLevel(models.TextChoices):
    PROVINCE = "province", "Cấp tỉnh"
    COMMUNE = "commune", "Cấp xã"
    CENTRAL = "central", "Cấp trung ương"


class ResultType(models.TextChoices):
    PAPER = "paper", "Bản giấy"
    ELECTRONIC = "electronic", "Bản điện tử"
    BOTH = "both", "Bản giấy và bản điện tử"


class Target(models.TextChoices):
    CITIZEN = "citizen", "Công dân"
    BUSINESS = "business", "Doanh nghiệp, tổ chức"
    BOTH = "both", "Công dân, doanh nghiệp"


class Procedure(models.Model):
    """Thủ tục hành chính, as published in the National TTHC Database."""

    code = models.CharField("mã thủ tục", max_length=32, unique=True)
    name = models.CharField("tên thủ tục", max_length=500)
    name_folded = models.CharField("tên không dấu (tìm kiếm)", max_length=500, editable=False, db_index=True)
    field = models.ForeignKey(Field, on_delete=models.PROTECT, related_name="procedures", verbose_name="lĩnh vực")
    level = models.CharField("cấp thực hiện", max_length=16, choices=ProcedureLevel.choices)
    agency_kind = models.CharField("loại cơ quan có thẩm quyền", max_length=32,
                                   choices=[("provincial_committee", "UBND tỉnh"),
                                            ("provincial_department", "Sở, ban, ngành tỉnh"),
                                            ("service_center", "Trung tâm Phục vụ hành chính công"),
                                            ("commune_committee", "UBND xã/phường/đặc khu"),
                                            ("vertical", "Cơ quan ngành dọc")])
    competent_authority = models.CharField("cơ quan có thẩm quyền", max_length=255, blank=True)
    processing_days = models.DecimalField("thời hạn giải quyết (ngày làm việc)", max_digits=6, decimal_places=1)
    fee_vnd = models.PositiveBigIntegerField("phí, lệ phí (đồng)", default=0)
    fee_online_vnd = models.PositiveBigIntegerField("phí, lệ phí nộp trực tuyến (đồng)", null=True, blank=True)
    fee_online_basis = models.CharField(
        "căn cứ mức phí nộp trực tuyến", max_length=500, blank=True,
        help_text="Văn bản quy định mức phí, lệ phí khi nộp trực tuyến, ví dụ nghị quyết HĐND tỉnh hoặc thông tư "
                  "của Bộ Tài chính; hiện cho người nộp cùng số tiền được giảm.")
    fee_note = models.CharField("ghi chú phí", max_length=500, blank=True)
    online_level = models.CharField("mức độ trực tuyến", max_length=16, choices=OnlineLevel.choices,
                                    default=OnlineLevel.NONE)
    result_type = models.CharField("loại kết quả", max_length=16, choices=ResultType.choices,
                                   default=ResultType.PAPER)
    result_name = models.CharField("tên kết quả", max_length=255, blank=True)
    target = models.CharField("đối tượng", max_length=16, choices=Target.choices, default=Target.CITIZEN)
    description = models.TextField("trình tự thực hiện", blank=True)
    requirements = models.TextField("yêu cầu, điều kiện", blank=True)
    legal_basis = models.TextField("căn cứ pháp lý", blank=True)
    form_schema = models.JSONField("biểu mẫu điện tử", default=list, blank=True,
                                   help_text="Danh sách trường: name, label, type, required.")
    # Decision 766 indicators 1.1 / 1.2 (LEGAL.md §6): the decision that announced the procedure, the day the legal
    # text it implements takes effect, and the day it was published on the National TTHC Database.
    announcing_decision = models.CharField("quyết định công bố", max_length=64, blank=True,
                                           help_text="Số, ký hiệu quyết định công bố, ví dụ 1234/QĐ-UBND.")
    announced_on = models.DateField("ngày ban hành quyết định công bố", null=True, blank=True)
    legal_effective_on = models.DateField("ngày có hiệu lực của văn bản quy định", null=True, blank=True)
    national_published_on = models.DateField("ngày công khai trên CSDL quốc gia về TTHC", null=True, blank=True)
    online_payment = models.BooleanField(
        "tích hợp thanh toán trực tuyến", default=False,
        help_text="Phí, lệ phí thanh toán được qua nền tảng thanh toán trực tuyến (Cổng DVC quốc gia).")
    certified_copy = models.BooleanField(
        "chứng thực bản sao", default=False,
        help_text="Thủ tục chứng thực bản sao từ bản chính (chứng thực bản sao điện tử, chỉ số 766 mục 4.6).")
    is_sample = models.BooleanField("dữ liệu mẫu", default=False,
                                    help_text="Đánh dấu khi số liệu chưa được đối chiếu với CSDL quốc gia.")
    is_active = models.BooleanField("đang áp dụng", default=True)
    agencies = models.ManyToManyField("units.Agency", blank=True, related_name="procedures",
                                      verbose_name="cơ quan tiếp nhận")
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "thủ tục hành chính"
        verbose_name_plural = "thủ tục hành chính"

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)

    def __str__(self):
        return f"{self.code} — {self.name}"

    def fee_for_channel(self, channel: str) -> int:
        from .fees import quote

        return quote(self, channel).amount_vnd


class ComponentRequirement(models.Model):
    """Thành phần hồ sơ: a document the applicant must provide."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="components",
                                  verbose_name="thủ tục")
    order = models.PositiveSmallIntegerField("thứ tự", default=1)
    name = models.CharField("tên giấy tờ", max_length=500)
    originals = models.PositiveSmallIntegerField("số bản chính", default=1)
    copies = models.PositiveSmallIntegerField("số bản sao", default=0)
    is_required = models.BooleanField("bắt buộc", default=True)
    note = models.CharField("ghi chú", max_length=500, blank=True)

    class Meta:
        ordering = ["procedure", "order"]
        verbose_name = "thành phần hồ sơ"
        verbose_name_plural = "thành phần hồ sơ"

    def __str__(self):
        return self.name


class ProcessStep(models.Model):
    """One step of the internal process (quy trình nội bộ) with its share of the deadline.

    For inter-agency procedures a step names the kind of agency (or the agency) that does it.
    """

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="steps",
                                  verbose_name="thủ tục")
    order = models.PositiveSmallIntegerField("thứ tự")
    name = models.CharField("tên bước", max_length=255)
    role = models.CharField("vai trò thực hiện", max_length=32)
    duration_days = models.DecimalField("thời gian (ngày làm việc)", max_digits=6, decimal_places=1)
    agency_kind = models.CharField("loại cơ quan thực hiện", max_length=32, blank=True,
                                   help_text="Để trống: cơ quan tiếp nhận hồ sơ.")
    agency = models.ForeignKey("units.Agency", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="process_steps", verbose_name="cơ quan thực hiện")

    class Meta:
        ordering = ["procedure", "order"]
        unique_together = [("procedure", "order")]
        verbose_name = "bước xử lý"
        verbose_name_plural = "quy trình nội bộ"

    def __str__(self):
        return f"{self.order}. {self.name}"

    @property
    def is_inter_agency(self) -> bool:
        return bool(self.agency_id or self.agency_kind)
