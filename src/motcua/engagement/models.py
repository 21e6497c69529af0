"""Satisfaction ratings (đánh giá mức độ hài lòng) and feedback (phản ánh, kiến nghị). Rules in rules.py."""

from django.conf import settings
from django.db import models


class RatingCriterion(models.Model):
    """One indicator of the satisfaction form, scored 0/1/2 (Circular 01/2018/TT-VPCP); configurable."""

    code = models.SlugField("mã", max_length=40, unique=True)
    name = models.CharField("tiêu chí", max_length=255)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    options = models.JSONField("nhãn theo điểm", default=dict, blank=True,
                               help_text='Ví dụ: {"2": "Sớm hơn quy định", "1": "Đúng quy định", "0": "Muộn hơn"}')
    is_active = models.BooleanField("đang sử dụng", default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = "tiêu chí đánh giá"
        verbose_name_plural = "tiêu chí đánh giá"

    def __str__(self):
        return self.name


class SatisfactionRating(models.Model):
    """The applicant's rating of one returned dossier: overall satisfied or not + 0/1/2 per criterion."""

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.CASCADE, related_name="rating",
                                   verbose_name="hồ sơ")
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="ratings", verbose_name="người đánh giá")
    satisfied = models.BooleanField("hài lòng")
    scores = models.JSONField("điểm theo tiêu chí", default=dict, blank=True)
    total_score = models.PositiveSmallIntegerField("tổng điểm", default=0)
    max_score = models.PositiveSmallIntegerField("điểm tối đa", default=0)
    comment = models.TextField("ý kiến", blank=True)
    created_at = models.DateTimeField("thời điểm đánh giá", db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "đánh giá mức độ hài lòng"
        verbose_name_plural = "đánh giá mức độ hài lòng"

    def __str__(self):
        return f"{self.dossier} — {'hài lòng' if self.satisfied else 'không hài lòng'}"


class FeedbackClassification(models.TextChoices):
    # LEGAL.md §8 / Decision 766 spec: feedback about regulations/procedures vs about officials' conduct.
    REGULATION = "regulation", "Về quy định hành chính, thủ tục hành chính"
    CONDUCT = "conduct", "Về hành vi, thái độ của cán bộ, công chức"


class FeedbackStatus(models.TextChoices):
    RECEIVED = "received", "Đã tiếp nhận"
    PROCESSING = "processing", "Đang xử lý"
    INFO_REQUESTED = "info_requested", "Chờ người gửi bổ sung thông tin"
    ANSWERED = "answered", "Đã có kết quả, chờ công khai"
    PUBLISHED = "published", "Đã công khai kết quả"
    REJECTED = "rejected", "Từ chối xử lý"


class Feedback(models.Model):
    """Phản ánh, kiến nghị (Decree 20/2008/ND-CP) about a procedure, an agency or a dossier."""

    code = models.CharField("mã phản ánh", max_length=32, unique=True)
    classification = models.CharField("phân loại", max_length=16, choices=FeedbackClassification.choices)
    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="feedback", verbose_name="thủ tục")
    agency = models.ForeignKey("units.Agency", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="feedback", verbose_name="cơ quan xử lý")
    # The agency that received the item; ``agency`` changes when a reorganization moves an open item, this does not,
    # so a merged commune's past figures (Decision 766 group 5) keep the items it received.
    received_agency = models.ForeignKey("units.Agency", on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="+", verbose_name="cơ quan tiếp nhận")
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="feedback", verbose_name="hồ sơ")
    title = models.CharField("tiêu đề", max_length=255)
    content = models.TextField("nội dung")

    submitter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="feedback", verbose_name="tài khoản gửi")
    submitter_name = models.CharField("họ tên người gửi", max_length=200)
    submitter_phone = models.CharField("điện thoại", max_length=20, blank=True)
    submitter_email = models.EmailField("thư điện tử", blank=True)
    submitter_address = models.CharField("địa chỉ", max_length=255, blank=True)

    status = models.CharField("trạng thái", max_length=16, choices=FeedbackStatus.choices,
                              default=FeedbackStatus.RECEIVED, db_index=True)
    received_at = models.DateTimeField("ngày tiếp nhận", db_index=True)
    reject_due_at = models.DateTimeField("hạn từ chối xử lý")
    handle_due_at = models.DateTimeField("hạn xử lý")
    processing_at = models.DateTimeField("ngày bắt đầu xử lý", null=True, blank=True)
    answered_at = models.DateTimeField("ngày có kết quả", null=True, blank=True)
    publish_due_at = models.DateTimeField("hạn công khai", null=True, blank=True)
    published_at = models.DateTimeField("ngày công khai", null=True, blank=True)
    rejected_at = models.DateTimeField("ngày từ chối", null=True, blank=True)
    reject_reason = models.TextField("lý do từ chối", blank=True)
    answer = models.TextField("kết quả xử lý", blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name="người trả lời")
    is_public = models.BooleanField("công khai", default=False,
                                    help_text="Kết quả được công khai trên Cổng (không kèm thông tin người gửi).")
    # What the public reads and searches once published: the text without the sender's personal data
    # (engagement.privacy.public_copy, Decree 13/2023/ND-CP art. 11); title, content and answer stay for the officers.
    public_title = models.CharField("tiêu đề công khai", max_length=300, blank=True)
    public_content = models.TextField("nội dung công khai", blank=True)
    public_answer = models.TextField("kết quả xử lý công khai", blank=True)
    submitter_satisfied = models.BooleanField("người gửi hài lòng với kết quả", null=True, blank=True)
    # Decision 766 5.3 (LEGAL.md §6, §8): a feedback raised again after its answer counts against the agency; the
    # agency may ask the sender once for more information (within the deadline of rules.FEEDBACK_DEADLINES).
    reraises = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reraised_by",
                                 verbose_name="phản ánh lại phản ánh")
    info_request = models.TextField("nội dung yêu cầu bổ sung thông tin", blank=True)
    info_requested_at = models.DateTimeField("ngày yêu cầu bổ sung thông tin", null=True, blank=True)
    info_request_due_at = models.DateTimeField("hạn yêu cầu bổ sung thông tin", null=True, blank=True)
    info_reply = models.TextField("thông tin người gửi bổ sung", blank=True)
    info_provided_at = models.DateTimeField("ngày người gửi bổ sung thông tin", null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = "phản ánh, kiến nghị"
        verbose_name_plural = "phản ánh, kiến nghị"
        indexes = [models.Index(fields=["agency", "status"])]

    def __str__(self):
        return f"{self.code} — {self.title}"
