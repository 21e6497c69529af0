"""The dossier aggregate. State changes happen only in motcua.dossiers.lifecycle."""

from django.conf import settings
from django.db import models
from django.db.models.query_utils import DeferredAttribute
from django.utils import timezone
from django.utils.timezone import localtime

from motcua.core.text import fold, lowered


class Status(models.TextChoices):
    DRAFT = "draft", "Bản nháp"
    SUBMITTED = "submitted", "Chờ tiếp nhận"
    SUPPLEMENT_REQUESTED = "supplement_requested", "Chờ bổ sung hồ sơ"
    REFUSED = "refused", "Từ chối tiếp nhận"
    RECEIVED = "received", "Đã tiếp nhận"
    PROCESSING = "processing", "Đang giải quyết"
    PAUSED = "paused", "Tạm dừng"
    APPROVED = "approved", "Đã phê duyệt kết quả"
    REJECTED = "rejected", "Không giải quyết"
    READY_FOR_RETURN = "ready_for_return", "Chờ trả kết quả"
    RETURNED = "returned", "Đã trả kết quả"
    WITHDRAWN = "withdrawn", "Đã rút hồ sơ"
    STOPPED = "stopped", "Dừng giải quyết"


class Channel(models.TextChoices):
    ONLINE = "online", "Trực tuyến"
    COUNTER = "counter", "Trực tiếp"
    POST = "post", "Bưu chính công ích"


class ReturnMethod(models.TextChoices):
    COUNTER = "counter", "Tại Bộ phận Một cửa"
    ONLINE = "online", "Trực tuyến"
    POST = "post", "Qua bưu chính công ích"


class Dossier(models.Model):
    code = models.CharField("mã hồ sơ", max_length=64, unique=True, null=True, blank=True)
    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.PROTECT, related_name="dossiers",
                                  verbose_name="thủ tục")
    agency = models.ForeignKey("units.Agency", on_delete=models.PROTECT, related_name="dossiers",
                               verbose_name="cơ quan tiếp nhận", db_index=False)  # Meta.indexes: (agency, status)
    current_agency = models.ForeignKey("units.Agency", on_delete=models.PROTECT, related_name="dossiers_in_hand",
                                       null=True, blank=True, verbose_name="cơ quan đang xử lý",
                                       db_index=False)  # Meta.indexes: (current_agency, status)
    current_step = models.ForeignKey("catalog.ProcessStep", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name="bước hiện tại")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="assigned_dossiers", verbose_name="người xử lý")
    status = models.CharField("trạng thái", max_length=32, choices=Status.choices, default=Status.DRAFT)
    channel = models.CharField("hình thức nộp", max_length=16, choices=Channel.choices)
    rule_version = models.CharField("văn bản áp dụng", max_length=32,
                                    help_text="Quy định có hiệu lực tại ngày tiếp nhận.")

    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="dossiers", verbose_name="tài khoản người nộp")
    # What the back-office search matches (core.text.fold), set with the name by _FoldsName below. Declared before
    # the name: Model.__init__ assigns fields in this order, so a value given or loaded for it is then replaced by
    # the fold of the name.
    applicant_name_folded = models.CharField("họ tên người nộp không dấu (tìm kiếm)", max_length=200, blank=True,
                                             default="", editable=False)
    # The name as written but in small letters (core.text.lowered): a query typed with diacritics is matched against
    # it, the folded one narrowing (set by _FoldsName too).
    applicant_name_lower = models.CharField("họ tên người nộp chữ thường (tìm kiếm)", max_length=200, blank=True,
                                            default="", editable=False)
    applicant_name = models.CharField("họ tên người nộp", max_length=200)
    applicant_id_number = models.CharField("số định danh", max_length=12, blank=True)
    applicant_phone = models.CharField("điện thoại", max_length=20, blank=True)
    applicant_email = models.EmailField("thư điện tử", blank=True)
    applicant_address = models.CharField("địa chỉ", max_length=255, blank=True)
    form_data = models.JSONField("nội dung tờ khai", default=dict, blank=True)

    fee_vnd = models.PositiveBigIntegerField("phí, lệ phí (đồng)", default=0)
    fee_paid_online = models.BooleanField("đã thanh toán trực tuyến", default=False)
    return_method = models.CharField("hình thức nhận kết quả", max_length=16, choices=ReturnMethod.choices,
                                     default=ReturnMethod.COUNTER)

    # the moment the lifecycle created it (``at=``: a dossier recorded afterwards, as the demo's, keeps its own time),
    # which orders the lists newest first
    created_at = models.DateTimeField("tạo lúc", default=timezone.now, editable=False)
    submitted_at = models.DateTimeField("ngày nộp", null=True, blank=True)
    received_at = models.DateTimeField("ngày tiếp nhận", null=True, blank=True, db_index=True)
    due_at = models.DateTimeField("ngày hẹn trả", null=True, blank=True, db_index=True)
    original_due_at = models.DateTimeField("ngày hẹn trả ban đầu", null=True, blank=True)
    paused_at = models.DateTimeField("tạm dừng lúc", null=True, blank=True)
    paused_minutes = models.PositiveIntegerField("thời gian tạm dừng (phút làm việc)", default=0)
    decided_at = models.DateTimeField("ngày có kết quả", null=True, blank=True)
    returned_at = models.DateTimeField("ngày trả kết quả", null=True, blank=True)
    closed_at = models.DateTimeField("ngày kết thúc", null=True, blank=True)

    supplement_count = models.PositiveSmallIntegerField("số lần yêu cầu bổ sung", default=0)
    extension_count = models.PositiveSmallIntegerField("số lần gia hạn", default=0)
    apology_count = models.PositiveSmallIntegerField("số lần xin lỗi, hẹn lại", default=0)
    digitized_at_receipt = models.BooleanField("số hóa khi tiếp nhận", default=False)
    result_digitized = models.BooleanField("kết quả đã số hóa", default=False)
    result_electronic = models.BooleanField("kết quả điện tử", default=False)
    # Decision 766 group 4 (LEGAL.md §5, §6): "provide once" and the population data behind the dossier.
    components_reused = models.BooleanField("có giấy tờ tái sử dụng từ kho dữ liệu", default=False)
    vault_linked = models.BooleanField("đã lưu giấy tờ, kết quả vào kho dữ liệu của người nộp", default=False)
    applicant_vneid = models.BooleanField("người nộp xác thực bằng định danh điện tử (VNeID)", default=False)
    applicant_population = models.BooleanField("thông tin người nộp lấy từ CSDL quốc gia về dân cư", default=False)
    result_summary = models.TextField("nội dung kết quả", blank=True)
    refusal_reason = models.TextField("lý do từ chối", blank=True)

    idempotency_key = models.CharField("khóa chống gửi trùng", max_length=100, null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người gửi", on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+",
                                     db_index=False)  # the idempotency constraint's index starts with it
    version = models.PositiveIntegerField("phiên bản", default=0)
    # The time of the latest event, written by the lifecycle's commit with the event (its one writer): the
    # time-order check reads it with the row lock instead of searching the partitioned event table.
    last_event_at = models.DateTimeField("thao tác gần nhất lúc", null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "hồ sơ"
        verbose_name_plural = "hồ sơ"
        constraints = [
            models.UniqueConstraint(fields=["submitted_by", "idempotency_key"], name="dossier_idempotency_unique"),
        ]
        # Every index here is written on each transition (a status change is never a HOT update), so only those a
        # query uses: no separate index for a foreign key that leads a composite one, and a plain index for status
        # (db_index=True would add a second, LIKE-prefix index on PostgreSQL that no query uses). What the search
        # and the counter's look-up by ID number match is indexed on DossierSearchEntry instead, which a status
        # change does not write.
        # (created_at, id): the back office's dossier list, newest first, page by page (the id makes the order unique);
        # built CONCURRENTLY by migration 0017 on PostgreSQL (bench/backoffice_scale.md: 214 → 0,3 ms at 100.000).
        indexes = [models.Index(fields=["agency", "status"]), models.Index(fields=["current_agency", "status"]),
                   models.Index(fields=["status"], name="dossier_status_idx"),
                   models.Index(fields=["created_at", "id"], name="dossier_created_idx")]

    def __str__(self):
        return self.code or f"Hồ sơ nháp #{self.pk}"


class _FoldsName(DeferredAttribute):
    """``Dossier.applicant_name``: assigning it (intake, the admin, a row loaded) sets ``applicant_name_folded`` and
    ``applicant_name_lower`` too, so every writer — ``Model.save``, bulk_create and the lifecycle's store, whose
    ``commit`` writes the columns that changed since the row was locked — writes the three together, without a
    statement of its own."""

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value
        text = value if isinstance(value, str) else ""
        instance.__dict__["applicant_name_folded"] = fold(text)[:200]
        instance.__dict__["applicant_name_lower"] = lowered(text)[:200]


Dossier.applicant_name = _FoldsName(Dossier._meta.get_field("applicant_name"))


class DossierSearchEntry(models.Model):
    """What the back-office search and the counter's look-up by ID number match, one row per dossier. Database
    triggers (migration 0015) write it when a dossier is inserted or its name, code or ID number changes, whichever
    code writes the row; a status change leaves it alone, so transitions do not write its indexes. On PostgreSQL
    migration 0016 adds a trigram index (pg_trgm, GIN) of the folded name and UPPER(code) for the province-wide
    search (bench/backoffice_scale.md, «Province-wide»); SQLite has none."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, primary_key=True,
                                   related_name="search_entry", verbose_name="hồ sơ")
    name_folded = models.CharField("họ tên không dấu", max_length=200, blank=True, default="")
    name_lower = models.CharField("họ tên chữ thường", max_length=200, blank=True, default="")
    code = models.CharField("mã hồ sơ", max_length=64, null=True, blank=True)
    id_number = models.CharField("số định danh", max_length=12, blank=True, default="")

    class Meta:
        verbose_name = "mục tìm kiếm hồ sơ"
        verbose_name_plural = "mục tìm kiếm hồ sơ"
        indexes = [models.Index(fields=["id_number"], name="dossier_search_id_number_idx")]

    def __str__(self):
        return self.code or str(self.dossier_id)

    @classmethod
    def matching(cls, q: str) -> models.Q:
        """A condition on Dossier: the code contains ``q`` in any case, the ID number is ``q``, or the name matches.
        The name is matched in any case, on SQLite too (whose LIKE folds ASCII letters only): typed without
        diacritics, folded (core.text.fold: «tran thi mai» finds «Trần Thị Mai» and «Trấn Thi Mại»); typed with
        them, as typed (core.text.lowered: «trần thị mai» finds «TRẦN THỊ MAI», not «Trấn Thị Mai»), the folded
        column narrowing (its index)."""
        cond = models.Q(code__icontains=q) | models.Q(id_number=q)
        if folded := fold(q):
            name = models.Q(name_folded__contains=folded)
            if (exact := lowered(q)) != folded:
                name &= models.Q(name_lower__contains=exact)
            cond |= name
        return models.Q(pk__in=cls.objects.filter(cond).values("dossier_id"))

    @classmethod
    def with_id_number(cls, number: str) -> models.Q:
        """A condition on Dossier: its applicant's ID number is ``number`` (through this table's index)."""
        return models.Q(pk__in=cls.objects.filter(id_number=number).values("dossier_id"))


class DossierEvent(models.Model):
    """Every transition of a dossier: the history shown to people and the control sheet (Mẫu 05)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events", verbose_name="hồ sơ")
    action = models.CharField("thao tác", max_length=32)
    from_status = models.CharField("từ trạng thái", max_length=32, blank=True)
    to_status = models.CharField("sang trạng thái", max_length=32)
    at = models.DateTimeField("thời điểm", db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name="người thực hiện")
    agency = models.ForeignKey("units.Agency", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name="cơ quan giao")
    to_agency = models.ForeignKey("units.Agency", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                  verbose_name="cơ quan nhận")
    step = models.ForeignKey("catalog.ProcessStep", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name="bước")
    note = models.TextField("ghi chú", blank=True)
    data = models.JSONField("dữ liệu", default=dict, blank=True)

    class Meta:
        ordering = ["dossier", "at", "id"]
        verbose_name = "diễn biến hồ sơ"
        verbose_name_plural = "diễn biến hồ sơ"

    def __str__(self):
        return f"Diễn biến lúc {localtime(self.at):%H:%M %d/%m/%Y}"


class StepRun(models.Model):
    """One pass of a dossier through a process step, with its own deadline and outcome."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="step_runs", verbose_name="hồ sơ")
    step = models.ForeignKey("catalog.ProcessStep", on_delete=models.PROTECT, related_name="+", verbose_name="bước")
    agency = models.ForeignKey("units.Agency", on_delete=models.PROTECT, related_name="+", verbose_name="cơ quan")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="step_runs", verbose_name="người xử lý")
    started_at = models.DateTimeField("bắt đầu")
    due_at = models.DateTimeField("hạn xử lý")
    finished_at = models.DateTimeField("hoàn thành", null=True, blank=True)
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        ordering = ["dossier", "started_at", "id"]
        verbose_name = "bước xử lý hồ sơ"
        verbose_name_plural = "bước xử lý hồ sơ"

    def __str__(self):
        return f"Bước xử lý bắt đầu lúc {localtime(self.started_at):%H:%M %d/%m/%Y}"


class SupplementRequest(models.Model):
    dossier = models.ForeignKey(Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE,
                                related_name="supplement_requests")
    items = models.JSONField("giấy tờ cần bổ sung", default=list)
    reason = models.TextField("lý do")
    requested_at = models.DateTimeField("ngày yêu cầu")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+", verbose_name="người yêu cầu")
    fulfilled_at = models.DateTimeField("ngày bổ sung", null=True, blank=True)

    class Meta:
        ordering = ["dossier", "requested_at"]
        verbose_name = "yêu cầu bổ sung"
        verbose_name_plural = "yêu cầu bổ sung"


class Slip(models.Model):
    """A numbered paper issued for a dossier (receipt, supplement, refusal, apology, control sheet)."""

    RECEIPT = "receipt"
    SUPPLEMENT = "supplement"
    REFUSAL = "refusal"
    APOLOGY = "apology"
    CONTROL_SHEET = "control_sheet"
    KINDS = [(RECEIPT, "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
             (SUPPLEMENT, "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
             (REFUSAL, "Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
             (APOLOGY, "Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
             (CONTROL_SHEET, "Phiếu kiểm soát quá trình giải quyết hồ sơ")]

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="slips", verbose_name="hồ sơ")
    kind = models.CharField("loại phiếu", max_length=32, choices=KINDS)
    issued_at = models.DateTimeField("ngày phát hành")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                  related_name="+", verbose_name="người ký/phát hành")
    data = models.JSONField("nội dung", default=dict, blank=True)

    class Meta:
        ordering = ["dossier", "issued_at"]
        verbose_name = "phiếu"
        verbose_name_plural = "phiếu"

    def __str__(self):
        return f"{self.get_kind_display()} ngày {localtime(self.issued_at):%d/%m/%Y}"


class DossierCodeSequence(models.Model):
    """Per receiving-agency, per-day counter behind the XXXX part of the dossier code."""

    prefix = models.CharField("tiền tố", max_length=40)
    day = models.DateField("ngày")
    last_value = models.PositiveIntegerField("số cuối đã cấp", default=0)

    class Meta:
        verbose_name = "dãy số mã hồ sơ"
        verbose_name_plural = "dãy số mã hồ sơ"
        unique_together = [("prefix", "day")]


class SuccessorHandover(models.Model):
    """The open dossiers of a department an administrator recorded a successor for, moving to it in the background
    (dossiers.handover: too many to move in the admin's request). One per department; the dossiers themselves say
    what is left (those still at the department), ``moved`` counts what the batches committed."""

    agency = models.OneToOneField("units.Agency", on_delete=models.CASCADE, related_name="+",
                                  verbose_name="cơ quan ngừng hoạt động")
    successor = models.ForeignKey("units.Agency", on_delete=models.CASCADE, related_name="+",
                                  verbose_name="cơ quan kế thừa")
    on = models.DateField("ngày cơ quan kế thừa tiếp nhận")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name="người ghi nhận")
    total = models.PositiveIntegerField("số hồ sơ lúc ghi nhận", default=0)
    moved = models.PositiveIntegerField("số hồ sơ đã chuyển", default=0)
    # ``moved`` by successor, in the order they took dossiers: [{"agency": pk, "moved": count}], more than one entry
    # when a paused move was re-pointed to a switched-off successor's own successor (dossiers.handover_save._redirected).
    moved_to = models.JSONField("số hồ sơ đã chuyển theo cơ quan kế thừa", default=list, blank=True)
    started_at = models.DateTimeField("ghi nhận lúc", auto_now_add=True)
    finished_at = models.DateTimeField("chuyển xong lúc", null=True, blank=True)
    # The dossiers whose move the lifecycle refused (dossiers.handover.run): {pk: {"code", "reason"}}, the reason in
    # the refusal's Vietnamese words; the handover is not finished while they wait at the department.
    stuck = models.JSONField("hồ sơ không chuyển được", default=dict, blank=True)
    # Why no dossier can move for now (dossiers.handover.blocker: the recording administrator lost the role, the
    # successor stopped taking dossiers), in Vietnamese; "" while the move runs. Cleared when it resumes.
    blocked = models.TextField("lý do tạm dừng", blank=True, default="")

    class Meta:
        verbose_name = "chuyển hồ sơ sang cơ quan kế thừa"
        verbose_name_plural = "chuyển hồ sơ sang cơ quan kế thừa"

    def __str__(self):
        return f"{self.agency_id} → {self.successor_id}"
