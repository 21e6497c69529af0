"""Reporting rounds: the province asks every unit for its figures by a deadline."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from motcua.core.digits import whole_number

REMINDER_DAYS_MAX = 60  # a reminder more than two months ahead of the deadline reminds nobody
REMINDER_DAYS_MESSAGE = (f"Số ngày nhắc trước hạn là các số từ 0 đến {REMINDER_DAYS_MAX}, cách nhau bởi dấu phẩy "
                         "(ví dụ 7,3,1).")


def normalized_reminder_days(text) -> str | None:
    """``reminder_days`` as stored ("7,3,1": whole days before the deadline, 0 to REMINDER_DAYS_MAX, each once, the
    earliest first), or None when ``text`` is not such a list (empty, "-1", "7;3", "một", "٧")."""
    parts = [p.strip() for p in str(text or "").split(",") if p.strip()]
    days = [whole_number(p, high=REMINDER_DAYS_MAX) for p in parts]
    if not days or None in days:
        return None
    return ",".join(str(n) for n in sorted(set(days), reverse=True))


class ReportingRound(models.Model):
    OPEN, CLOSED = "open", "closed"
    STATUSES = [(OPEN, "Đang mở"), (CLOSED, "Đã đóng")]

    title = models.CharField("tên kỳ báo cáo", max_length=500)
    year = models.PositiveSmallIntegerField("năm")
    period_start = models.DateField("số liệu từ ngày")
    period_end = models.DateField("số liệu đến ngày")
    deadline = models.DateField("hạn báo cáo")
    reminder_days = models.CharField("nhắc trước hạn (ngày)", max_length=64, default="7,3,1",
                                     help_text="Số ngày trước hạn gửi nhắc, cách nhau bởi dấu phẩy.")
    status = models.CharField("trạng thái", max_length=8, choices=STATUSES, default=OPEN)
    note = models.TextField("yêu cầu", blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người mở kỳ", null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField("mở kỳ lúc", auto_now_add=True)

    class Meta:
        ordering = ["-deadline", "-id"]
        constraints = [models.CheckConstraint(condition=Q(period_start__lte=models.F("period_end")),
                                              name="dx_round_period")]
        verbose_name = "kỳ báo cáo chuyển đổi số"
        verbose_name_plural = "kỳ báo cáo chuyển đổi số"

    def __str__(self):
        return self.title

    def clean(self):
        """What the admin (any ModelForm) may save; services.rounds.open_round checks the same."""
        errors = {}
        reminder_days = normalized_reminder_days(self.reminder_days)
        if reminder_days is None:
            errors["reminder_days"] = REMINDER_DAYS_MESSAGE
        else:
            self.reminder_days = reminder_days
        if self.period_start and self.period_end and self.period_start > self.period_end:  # the dx_round_period check
            errors["period_end"] = "Ngày kết thúc kỳ số liệu phải sau ngày bắt đầu."
        if errors:
            raise ValidationError(errors)

    def reminder_offsets(self) -> list[int]:
        out = []
        for part in (self.reminder_days or "").split(","):
            part = part.strip()
            if whole_number(part) is not None:
                out.append(whole_number(part))
        return sorted(set(out), reverse=True)


class RoundResponse(models.Model):
    """One unit's answer to a round. ``merged``: the unit was merged into ``merged_into`` (a reorganization of
    administrative units, transformation/reorganization.py) before it answered; the row stays for history
    and the unit is no longer expected (the successor answers instead)."""

    PENDING, SUBMITTED, MERGED = "pending", "submitted", "merged"
    STATUSES = [(PENDING, "Chưa báo cáo"), (SUBMITTED, "Đã báo cáo"), (MERGED, "Đã sáp nhập")]

    round = models.ForeignKey(ReportingRound, verbose_name="kỳ báo cáo", on_delete=models.CASCADE,
                              related_name="responses")
    agency = models.ForeignKey("units.Agency", on_delete=models.PROTECT, related_name="+", verbose_name="đơn vị")
    status = models.CharField("trạng thái", max_length=16, choices=STATUSES, default=PENDING)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người gửi", null=True, blank=True,
                                     on_delete=models.SET_NULL,
                                     related_name="+")
    submitted_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    snapshot = models.JSONField("số liệu đã gửi", default=dict, blank=True)
    merged_into = models.ForeignKey("units.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="sáp nhập vào")

    class Meta:
        ordering = ["round", "agency__code"]
        constraints = [models.UniqueConstraint(fields=["round", "agency"], name="dx_response_unique")]
        verbose_name = "báo cáo của đơn vị"
        verbose_name_plural = "báo cáo của đơn vị"

    def __str__(self):
        return f"{self.round_id}/{self.agency_id}: {self.status}"


class RoundReminder(models.Model):
    """A reminder sent to one person for one round, so a daily job never sends it twice."""

    round = models.ForeignKey(ReportingRound, verbose_name="kỳ báo cáo", on_delete=models.CASCADE,
                              related_name="reminders")
    agency = models.ForeignKey("units.Agency", verbose_name="cơ quan", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="tài khoản", on_delete=models.CASCADE,
                             related_name="+")
    days_before = models.IntegerField("số ngày trước hạn")
    outbox_event_id = models.BigIntegerField("mã sự kiện gửi đi", null=True, blank=True)
    sent_at = models.DateTimeField("gửi lúc", auto_now_add=True)

    class Meta:
        verbose_name = "lượt nhắc báo cáo"
        verbose_name_plural = "lượt nhắc báo cáo"
        constraints = [models.UniqueConstraint(fields=["round", "agency", "user", "days_before"],
                                               name="dx_reminder_once")]
