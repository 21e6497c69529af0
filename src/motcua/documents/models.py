"""Files attached to dossiers, digitization jobs, and the citizen data repository (Vault)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from motcua.core import stalled as stalls

from .storage import document_storage


class AttachmentKind(models.TextChoices):
    COMPONENT = "component", "Thành phần hồ sơ"
    RESULT = "result", "Kết quả giải quyết"
    SCAN = "scan", "Bản quét tại quầy"
    DIGITIZED = "digitized", "Bản số hóa (PDF tìm kiếm được)"
    SLIP = "slip", "Phiếu, giấy tờ do cơ quan phát hành"
    EVIDENCE = "evidence", "Minh chứng kết quả, số liệu (chuyển đổi số)"
    RESULT_DRAFT = "result_draft", "Dự thảo kết quả (chưa ký)"
    RESULT_REPLACED = "result_replaced", "Tệp kết quả không ban hành (đã thay bằng kết quả ký sau)"
    TEMPLATE = "template", "Mẫu kết quả (.docx)"
    # A citizen's file sent with a form refused before any place was chosen: no dossier yet (attachments.hold_upload)
    HELD = "held", "Tệp gửi kèm, chờ chọn nơi nộp"


# Kinds only officers see: a draft is not a result until signed; a result file replaced by the one signed was never
# issued; a template belongs to the procedure.
INTERNAL_KINDS = frozenset({AttachmentKind.RESULT_DRAFT, AttachmentKind.RESULT_REPLACED, AttachmentKind.TEMPLATE})


class Attachment(models.Model):
    """One stored file. Its content type is detected from the bytes, never from the name."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="attachments", verbose_name="hồ sơ")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="attachments", verbose_name="chủ sở hữu")
    component = models.ForeignKey("catalog.ComponentRequirement", on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="attachments", verbose_name="thành phần hồ sơ")
    kind = models.CharField("loại", max_length=16, choices=AttachmentKind.choices, default=AttachmentKind.COMPONENT)
    original_name = models.CharField("tên tệp gốc", max_length=255)
    content_type = models.CharField("kiểu nội dung", max_length=100)
    size = models.PositiveBigIntegerField("dung lượng (byte)")
    sha256 = models.CharField("mã băm SHA-256", max_length=64, db_index=True)
    storage_path = models.CharField("đường dẫn lưu trữ", max_length=500)
    # now, unless the upload is recorded after the fact (attachments.save_bytes ``at=``: the demo's history)
    uploaded_at = models.DateTimeField("thời điểm tải lên", default=timezone.now, editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name="người tải lên")
    # Decision 766 metric 4.3: a component taken again from the citizen data repository.
    reused = models.BooleanField("tái sử dụng từ kho dữ liệu", default=False)
    reused_from = models.ForeignKey("self", verbose_name="dùng lại từ tệp", on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="reuses")
    is_signed = models.BooleanField("có chữ ký số", default=False)
    signature = models.JSONField("kết quả kiểm tra chữ ký số", default=dict, blank=True,
                                 help_text="hợp lệ, nguyên vẹn, tin cậy, người ký, thời điểm ký, kết luận — ghi lúc tải lên.")

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = "tệp đính kèm"
        verbose_name_plural = "tệp đính kèm"
        indexes = [models.Index(fields=["dossier", "kind"])]

    def __str__(self):
        return self.original_name

    def read(self) -> bytes:
        with document_storage().open(self.storage_path, "rb") as fh:
            return fh.read()


class ResultTemplate(models.Model):
    """A procedure's result template: a Word file with merge fields ({{ applicant_name }} …) that the
    specialist fills with a dossier's data into the draft result (documents/result_drafts.py)."""

    procedure = models.OneToOneField("catalog.Procedure", on_delete=models.CASCADE, related_name="result_template",
                                     verbose_name="thủ tục")
    file = models.ForeignKey(Attachment, on_delete=models.PROTECT, related_name="+", verbose_name="tệp mẫu (.docx)")
    uploaded_at = models.DateTimeField("thời điểm tải lên", auto_now=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name="người tải lên")

    class Meta:
        verbose_name = "mẫu kết quả"
        verbose_name_plural = "mẫu kết quả của thủ tục"

    def __str__(self):
        return f"Mẫu kết quả: {self.procedure}"


class DigitizationKind(models.TextChoices):
    RECEIPT = "receipt", "Số hóa hồ sơ khi tiếp nhận"
    RESULT = "result", "Số hóa kết quả giải quyết"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Đang chờ"
    RUNNING = "running", "Đang nhận dạng"
    DONE = "done", "Hoàn thành"
    FAILED = "failed", "Lỗi"
    CONFIRMED = "confirmed", "Đã xác nhận"


STALLED_MESSAGE = ("Lượt nhận dạng đã dừng giữa chừng: không có tiến triển từ {at} (máy xử lý có thể đã khởi động "
                   "lại). Bấm “Thử nhận dạng lại”; nếu vẫn không được, quét lại giấy tờ và tải lên từ trang hồ sơ.")

# The key fields read from a scan (documents.ocr.extract_fields), in the order and with the names officers see.
EXTRACTED_FIELD_LABELS = {"full_name": "Họ và tên", "id_number": "Số định danh cá nhân (CCCD)",
                          "date_of_birth": "Ngày sinh", "document_number": "Số giấy tờ", "address": "Địa chỉ"}


class DigitizationJob(models.Model):
    """OCR of counter scans into a searchable PDF and key fields, run by the task worker."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="digitization_jobs", verbose_name="hồ sơ")
    kind = models.CharField("loại số hóa", max_length=16, choices=DigitizationKind.choices,
                            default=DigitizationKind.RECEIPT)
    component = models.ForeignKey("catalog.ComponentRequirement", on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="+", verbose_name="thành phần hồ sơ")
    sources = models.ManyToManyField(Attachment, related_name="digitization_jobs", verbose_name="bản quét")
    status = models.CharField("trạng thái", max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED,
                              db_index=True)
    pages_total = models.PositiveIntegerField("tổng số trang", default=0)
    pages_done = models.PositiveIntegerField("số trang đã xử lý", default=0)
    text = models.TextField("văn bản nhận dạng", blank=True)
    fields = models.JSONField("trường thông tin trích xuất", default=dict, blank=True)
    confirmed_fields = models.JSONField("trường thông tin đã xác nhận", default=dict, blank=True)
    output = models.ForeignKey(Attachment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name="bản số hóa")
    error = models.TextField("lỗi", blank=True, help_text="Lý do và cách xử lý, bằng lời cho cán bộ một cửa.")
    error_detail = models.TextField("chi tiết kỹ thuật", blank=True,
                                    help_text="Lỗi kỹ thuật (cho quản trị viên): lượt bị lỗi, trang không nhận dạng được.")
    pages_unrecognized = models.JSONField("trang không nhận dạng được chữ", default=list, blank=True,
                                          help_text="Số thứ tự các trang chỉ có hình ảnh trong bản số hóa.")
    task_id = models.CharField("mã tác vụ nền", max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người tạo", on_delete=models.SET_NULL,
                                   null=True,
                                   related_name="+")
    # now, unless recorded after the fact (digitization.start_digitization ``at=``: the demo's history)
    created_at = models.DateTimeField("tạo lúc", default=timezone.now, editable=False)
    started_at = models.DateTimeField("bắt đầu lúc", null=True, blank=True)
    progress_at = models.DateTimeField("tiến triển gần nhất lúc", null=True, blank=True,
                                       help_text="Lần cuối lượt đang chạy báo tiến độ (sau mỗi trang).")
    finished_at = models.DateTimeField("kết thúc lúc", null=True, blank=True)
    confirmed_at = models.DateTimeField("xác nhận lúc", null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người xác nhận",
                                     on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "lượt số hóa"
        verbose_name_plural = "lượt số hóa"

    def __str__(self):
        return f"Lượt số hóa {self.pk}: {self.get_kind_display().lower()}"

    @property
    def progress_percent(self) -> int:
        if not self.pages_total:
            return 100 if self.status in (JobStatus.DONE, JobStatus.CONFIRMED) else 0
        return int(100 * self.pages_done / self.pages_total)

    @property
    def stalled(self) -> bool:
        """Running, but with no progress for longer than any page takes: the worker running it was killed (out of
        memory, a restart) and nothing will finish it; the officer may run it again (retry_digitization)."""
        return stalls.is_stalled(self.status == JobStatus.RUNNING, self.progress_at or self.started_at)

    @property
    def officer_error(self) -> str:
        """Why the job stopped and what to do, for the officer: a failed job's message, or the stalled job's."""
        if self.status == JobStatus.FAILED:
            return self.error or "Lượt nhận dạng bị lỗi."
        if self.stalled:
            return STALLED_MESSAGE.format(at=stalls.since(self.progress_at or self.started_at))
        return ""

    @property
    def extracted_rows(self) -> list[tuple[str, str, float | None]]:
        """(name, value, confidence) of each key field read from the scan, named as on the confirmation form."""
        found = self.fields or {}
        return [(label, (found[key] or {}).get("value", ""), (found[key] or {}).get("confidence"))
                for key, label in EXTRACTED_FIELD_LABELS.items() if key in found]

    @property
    def unrecognized_note(self) -> str:
        """What the officer is told when the text of some pages could not be recognised: the digitized copy holds
        those pages as images only, and the fields are typed from the scan."""
        pages = self.pages_unrecognized or []
        if not pages:
            return ""
        if len(pages) >= self.pages_total:
            return ("Không nhận dạng được chữ trên bản quét. Bản số hóa vẫn được lưu (PDF chỉ có hình ảnh, không có "
                    "lớp chữ): đối chiếu bản quét, nhập các thông tin rồi xác nhận.")
        return (f"Không nhận dạng được chữ ở trang {', '.join(str(p) for p in pages)}: trong bản số hóa các trang này "
                "chỉ có hình ảnh. Đối chiếu bản quét, nhập các thông tin còn thiếu rồi xác nhận.")


class VaultItemKind(models.TextChoices):
    RESULT = "result", "Kết quả giải quyết thủ tục"
    COMPONENT = "component", "Thành phần hồ sơ đã số hóa"


class VaultItem(models.Model):
    """A valid result or digitized component kept for a person (Decree 45/2020: provide once)."""

    id_number = models.CharField("số định danh", max_length=12, db_index=True)
    attachment = models.ForeignKey(Attachment, verbose_name="tệp đính kèm", on_delete=models.PROTECT,
                                   related_name="vault_items")
    kind = models.CharField("loại", max_length=16, choices=VaultItemKind.choices)
    title = models.CharField("tên giấy tờ", max_length=500)
    source_dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="+", verbose_name="hồ sơ nguồn")
    component_name = models.CharField("tên thành phần", max_length=500, blank=True)
    fields = models.JSONField("thông tin đã xác nhận", default=dict, blank=True)
    valid_until = models.DateField("hiệu lực đến", null=True, blank=True)
    is_valid = models.BooleanField("còn hiệu lực", default=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người tạo", on_delete=models.SET_NULL,
                                   null=True, blank=True,
                                   related_name="+")

    class Meta:
        ordering = ["id_number", "-created_at", "-id"]
        verbose_name = "giấy tờ trong kho dữ liệu"
        verbose_name_plural = "kho dữ liệu điện tử của tổ chức, cá nhân"

    def __str__(self):
        return f"{self.title} ({self.id_number})"


class ConsentPurpose(models.TextChoices):
    PREFILL = "prefill", "Tái sử dụng để điền sẵn, bổ sung hồ sơ thủ tục hành chính"
    PROCESSING = "processing", "Cơ quan giải quyết hồ sơ tra cứu, đối chiếu"


class VaultConsent(models.Model):
    """A person's consent that the officers handling one dossier use their repository, for one purpose, until
    a set time; revocable. Given by the person (the dossier's applicant) or recorded by an officer of the
    dossier's unit (documents/consent.py has the rules)."""

    id_number = models.CharField("số định danh", max_length=12, db_index=True)
    purpose = models.CharField("mục đích", max_length=16, choices=ConsentPurpose.choices)
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="vault_consents", verbose_name="hồ sơ",
                                help_text="Chỉ cán bộ xử lý hồ sơ này được khai thác. Trống: bản ghi cũ, đã hết hiệu lực.")
    granted_at = models.DateTimeField("thời điểm đồng ý")
    expires_at = models.DateTimeField("hết hiệu lực lúc")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name="người ghi nhận")
    by_applicant = models.BooleanField("công dân tự đồng ý", default=False)
    revoked_at = models.DateTimeField("thời điểm rút lại", null=True, blank=True)
    note = models.CharField("ghi chú", max_length=255, blank=True)

    class Meta:
        ordering = ["id_number", "-granted_at"]
        verbose_name = "sự đồng ý khai thác dữ liệu"
        verbose_name_plural = "sự đồng ý khai thác dữ liệu"
        indexes = [models.Index(fields=["dossier", "purpose"])]

    def is_active_at(self, when) -> bool:
        return self.revoked_at is None and self.dossier_id is not None and self.expires_at > when

    @property
    def is_active(self) -> bool:
        return self.is_active_at(timezone.now())
