"""Plans (kế hoạch / báo cáo), their sections, tasks and budget lines."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .moves import AgencyMove


class Plan(models.Model):
    """A unit's digital-transformation plan (or report) for a year.

    ``agency`` is the owner: the People's Committee of a province or commune-level unit, or a
    department. A report may cover several years (first_year … year), e.g. spending 2021–2023."""

    PLAN, REPORT = "plan", "report"
    KINDS = [(PLAN, "Kế hoạch"), (REPORT, "Báo cáo")]
    DRAFT, APPROVED = "draft", "approved"
    STATUSES = [(DRAFT, "Dự thảo"), (APPROVED, "Đã phê duyệt")]

    agency = models.ForeignKey("units.Agency", on_delete=models.PROTECT, related_name="dx_plans",
                               verbose_name="đơn vị")
    year = models.PositiveSmallIntegerField("năm")
    first_year = models.PositiveSmallIntegerField("từ năm", help_text="Bằng năm của kế hoạch, trừ báo cáo nhiều năm.")
    kind = models.CharField("loại", max_length=8, choices=KINDS, default=PLAN)
    title = models.CharField("tên", max_length=500)
    number = models.CharField("số, ký hiệu", max_length=64, blank=True)
    legal_basis = models.TextField("căn cứ", blank=True,
                                   help_text="Ví dụ: Kế hoạch số 02-KH/BCĐTW ngày 19/6/2025")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name="thực hiện kế hoạch của cấp trên")
    status = models.CharField("trạng thái", max_length=16, choices=STATUSES, default=DRAFT)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="người phê duyệt")
    approved_at = models.DateTimeField("thời điểm phê duyệt", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người tạo", null=True, blank=True,
                                   on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        ordering = ["-year", "agency__code", "kind"]
        verbose_name = "kế hoạch chuyển đổi số"
        verbose_name_plural = "kế hoạch chuyển đổi số"
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "kind"], name="dx_plan_unit_year_kind"),
            models.CheckConstraint(condition=Q(first_year__lte=models.F("year")), name="dx_plan_years_ordered"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_approved(self) -> bool:
        return self.status == self.APPROVED


class PlanSection(models.Model):
    """A group heading of a plan's table (I, II, … or "Năm 2023"), linked to a catalogue group."""

    plan = models.ForeignKey(Plan, verbose_name="kế hoạch", on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField("thứ tự")
    numeral = models.CharField("số thứ tự nhóm", max_length=16, blank=True, help_text="I, II, III, …")
    title = models.CharField("tên nhóm", max_length=500)
    group = models.ForeignKey("transformation.TaskGroup", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="sections", verbose_name="thuộc nhóm (danh mục)")

    class Meta:
        ordering = ["plan", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "order"], name="dx_section_order")]
        verbose_name = "nhóm nhiệm vụ của kế hoạch"
        verbose_name_plural = "nhóm nhiệm vụ của kế hoạch"

    def __str__(self):
        return f"{self.numeral} {self.title}".strip()


class Task(models.Model):
    NOT_STARTED, IN_PROGRESS, DONE = "not_started", "in_progress", "done"
    STATUSES = [(NOT_STARTED, "Chưa thực hiện"), (IN_PROGRESS, "Đang thực hiện"), (DONE, "Hoàn thành")]

    plan = models.ForeignKey(Plan, verbose_name="kế hoạch", on_delete=models.CASCADE, related_name="tasks")
    section = models.ForeignKey(PlanSection, on_delete=models.CASCADE, related_name="tasks", verbose_name="nhóm")
    order = models.PositiveIntegerField("thứ tự")
    number = models.CharField("STT", max_length=16, blank=True)
    content = models.TextField("nội dung nhiệm vụ")
    explanation = models.TextField("diễn giải", blank=True)
    lead_agencies = models.ManyToManyField("units.Agency", blank=True, related_name="dx_led_tasks",
                                           verbose_name="đơn vị chủ trì (trong hệ thống)")
    lead_text = models.TextField("đơn vị chủ trì", blank=True)
    cooperating_text = models.TextField("đơn vị phối hợp", blank=True)
    # A merger of administrative units hands an unfinished task to the new unit; the plan's text and lead units
    # stay as written (approved). Each part of the lead a merger moved is a ``TaskHandover`` (``handovers``); the
    # unit the task counts for is recorded here (services/merger.py, transformation/reorganization.py).
    handed_over_to = models.ForeignKey("units.Agency", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="dx_handed_over_tasks",
                                       verbose_name="chuyển giao cho đơn vị (sắp xếp đơn vị hành chính)")
    handed_over_on = models.DateField("ngày chuyển giao", null=True, blank=True)
    deadline = models.DateField("thời hạn hoàn thành", null=True, blank=True)
    year = models.PositiveSmallIntegerField("năm thực hiện", null=True, blank=True)
    status = models.CharField("trạng thái", max_length=16, choices=STATUSES, default=NOT_STARTED)
    progress = models.PositiveSmallIntegerField("tiến độ (%)", default=0)
    result = models.TextField("kết quả thực hiện", blank=True)
    note = models.TextField("ghi chú", blank=True)
    evidence = models.ManyToManyField("documents.Attachment", blank=True, related_name="+",
                                      verbose_name="tệp minh chứng")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người cập nhật", null=True, blank=True,
                                   on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        ordering = ["plan", "order"]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="dx_task_progress_pct")]
        verbose_name = "nhiệm vụ"
        verbose_name_plural = "nhiệm vụ"

    def __str__(self):
        return self.content[:80]


class TaskHandover(AgencyMove):
    """A merger moved the part of a task's lead that `from_agency` carried (a lead unit as written, or the plan's
    unit for a task naming none, or the unit an earlier merger had moved it to) to `to_agency` on `on`; `reason`
    says which: a reorganization plan's resolution, or a successor an administrator recorded (units.succession)."""

    MOVED = "task_id"

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="handovers", verbose_name="nhiệm vụ")
    # AgencyMove's to_agency and on, named as a handover says them (the same columns)
    to_agency = models.ForeignKey("units.Agency", on_delete=models.PROTECT, related_name="dx_task_handovers",
                                  verbose_name="đơn vị nhận chuyển giao")
    on = models.DateField("ngày chuyển giao")
    reason = models.CharField("lý do", max_length=500, blank=True)  # "" before 12/2026: a plan's merger

    class Meta:
        ordering = ["task", "on", "id"]
        constraints = [models.UniqueConstraint(fields=["task", "from_agency"], name="dx_task_handover_once")]
        verbose_name = "chuyển giao nhiệm vụ (sắp xếp đơn vị hành chính)"
        verbose_name_plural = "chuyển giao nhiệm vụ (sắp xếp đơn vị hành chính)"

    @property
    def why(self) -> str:
        """What happened, as the plan page says it beside the task: the reason recorded (before it was, a merger's
        plan was the only way a task was handed over)."""
        return self.reason or "sắp xếp đơn vị hành chính"


class BudgetLine(models.Model):
    """Money for a task in one year, in đồng; shown in triệu đồng with the decimals it was entered with."""

    task = models.ForeignKey(Task, verbose_name="nhiệm vụ", on_delete=models.CASCADE, related_name="budget_lines")
    year = models.PositiveSmallIntegerField("năm")
    planned_vnd = models.BigIntegerField("kinh phí (đồng)")
    disbursed_vnd = models.BigIntegerField("đã giải ngân (đồng)", null=True, blank=True)
    decimals = models.PositiveSmallIntegerField("số chữ số thập phân khi hiển thị (triệu đồng)", default=0)
    sources = models.ManyToManyField("transformation.FundingSource", blank=True, related_name="budget_lines",
                                     verbose_name="nguồn vốn")
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        ordering = ["task", "year", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(planned_vnd__gte=0), name="dx_budget_planned_nonneg"),
            models.CheckConstraint(condition=Q(disbursed_vnd__isnull=True) | Q(disbursed_vnd__gte=0),
                                   name="dx_budget_disbursed_nonneg"),
            models.CheckConstraint(condition=Q(decimals__lte=6), name="dx_budget_decimals"),
        ]
        verbose_name = "dòng kinh phí"
        verbose_name_plural = "dòng kinh phí"

    def __str__(self):
        return f"{self.task_id} {self.year}: {self.planned_vnd}"
