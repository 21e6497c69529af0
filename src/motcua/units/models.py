import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction

from motcua.core.calendar import TZ

from . import dissolution
from .days import within

# An agency's identity code (mã định danh): groups of capital letters and digits joined by dots (H51, H51.06.01).
# Circular 01/2018/TT-VPCP art. 19: it starts every dossier code, "V1V2V3.Z1Z2.Y1Y2.MX1X2-YYMMDD-XXXX" (unit code per
# QCVN of Circular 10/2016/TT-BTTTT); the code also names the agency in page addresses (/thong-ke/don-vi/H51.06/),
# in the statistics' scopes and moves ("lineage:H51.06", "H51.06@<time>;") and in reports.
AGENCY_CODE = re.compile(r"[A-Z0-9]+(?:\.[A-Z0-9]+)*")
AGENCY_CODE_MESSAGE = ("Mã định danh gồm chữ in hoa không dấu (A–Z) và chữ số, các nhóm cách nhau bởi một dấu chấm, "
                       "không có khoảng trắng (ví dụ H51.06.01).")
# The reorganization step that closes an old unit and records its successor (units.reorganization.unit_steps); its
# progress row (key: the unit's code) is the record that a plan, not an administrator, set the unit's «sáp nhập vào»
# and its agencies' «cơ quan kế thừa».
CLOSE_STEP = "units.close"


def closing_plan(unit_code: str) -> str | None:
    """The resolution number of the plan that closed the unit ``unit_code`` (None: no plan closed it)."""
    return (ReorganizationProgress.objects.filter(step=CLOSE_STEP, outcome="closed", key=unit_code)
            .values_list("plan__resolution_number", flat=True).first())


def _reaches(links: dict[int, int], start: int | None, target: int) -> bool:
    """Whether following ``links`` (pk → the pk it points at: a successor, the unit merged into) from ``start``
    reaches ``target``; each row once, so a loop already stored ends the walk."""
    seen = set()
    while start is not None and start not in seen:
        if start == target:
            return True
        seen.add(start)
        start = links.get(start)
    return False


def _parent_problem(row, itself: str, loop: str) -> str:
    """Why ``row``'s «parent» cannot be saved ("" when it can): not the row itself nor one of the rows under it (at
    any depth), which would make a loop that has no top. ``itself`` is the message for the first, ``loop`` (with
    ``{name}``, the chosen parent) for the second."""
    if row.parent_id is None or not row.pk:
        return ""
    if row.parent_id == row.pk:
        return itself
    links = dict(type(row).objects.filter(parent__isnull=False).exclude(pk=row.pk).values_list("pk", "parent_id"))
    return loop.format(name=row.parent.name) if _reaches(links, row.parent_id, row.pk) else ""


class AdministrativeUnit(models.Model):
    """A province or commune-level unit (xã / phường / đặc khu) of the 2025 two-tier government."""

    PROVINCE = "province"
    COMMUNE = "commune"
    WARD = "ward"
    SPECIAL_ZONE = "special_zone"
    LEVELS = [(PROVINCE, "Tỉnh/Thành phố"), (COMMUNE, "Xã"), (WARD, "Phường"), (SPECIAL_ZONE, "Đặc khu")]

    code = models.CharField("mã", max_length=16, unique=True)
    name = models.CharField("tên", max_length=200)
    level = models.CharField("cấp", max_length=16, choices=LEVELS)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name="thuộc")
    is_active = models.BooleanField("đang hoạt động", default=True)
    replaced_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="replaces", verbose_name="sáp nhập vào")
    valid_from = models.DateField("hiệu lực từ", null=True, blank=True)
    valid_to = models.DateField("hiệu lực đến", null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "đơn vị hành chính"
        verbose_name_plural = "đơn vị hành chính"

    def __str__(self):
        return self.name

    def clean(self):
        """What the admin (any ModelForm) may save of a unit's end. «Sáp nhập vào» recorded by a reorganization plan is
        not changed here (the admin shows it read-only); one given here is not the unit itself nor a unit merged
        (at any depth) into this one, needs the unit's last day («hiệu lực đến») and names a unit that exists the day
        after. A unit closed here (its last day set) while its agencies still hold what nobody would then handle
        (open dossiers: units.dissolution) is refused, under «hiệu lực đến»: closing a unit in the admin moves
        nothing, with or without «sáp nhập vào»; a merger's plan («Sắp xếp đơn vị») moves them."""
        stored = (AdministrativeUnit.objects.filter(pk=self.pk).values("code", "valid_to", "replaced_by_id", "is_active")
                  .first() if self.pk else None) or {}
        errors = {"parent": _parent_problem(
            self, "Đơn vị không thể thuộc chính nó.",
            "Không thể chọn {name}: đơn vị này thuộc (trực tiếp hoặc qua đơn vị khác) chính đơn vị đang sửa, sẽ tạo "
            "thành vòng lặp.")}
        changed = {name for name in ("replaced_by_id", "valid_to") if stored and getattr(self, name) != stored[name]}
        number = closing_plan(stored["code"]) if changed and stored["replaced_by_id"] else None
        if number:
            message = (f"Đơn vị đã sáp nhập theo phương án sắp xếp theo Nghị quyết số {number}: «sáp nhập vào» và "
                       "«hiệu lực đến» do phương án ghi nhận, không sửa ở đây (số liệu thống kê và hồ sơ đã chuyển "
                       "theo phương án này).")
            errors.update({name.removesuffix("_id"): message for name in changed})
        elif self.replaced_by_id and self.replaced_by_id != stored.get("replaced_by_id"):
            errors["replaced_by"] = self._merged_into_problem()
        if self.valid_to and "valid_to" in changed and not any(errors.values()):
            self._lock()  # a submission into the unit meanwhile: its dossier is seen here, or it sees the closing
            found = dissolution.reasons(list(Agency.objects.filter(admin_unit_id=self.pk).values_list("pk", flat=True)))
            if found:
                errors["valid_to"] = found
        if not self.is_active and stored.get("is_active", True) and not self.valid_to:
            # What closes a unit is its last day (units.lifetime: its agencies stop receiving the day after)
            errors["is_active"] = ("Đơn vị ngừng hoạt động từ ngày sau «hiệu lực đến»: hãy ghi ngày cuối cùng đơn vị "
                                   "hoạt động ở «hiệu lực đến» (và «sáp nhập vào» nếu sáp nhập). Chỉ bỏ chọn «đang hoạt "
                                   "động» thì các cơ quan của đơn vị vẫn tiếp nhận hồ sơ.")
        errors = {k: v for k, v in errors.items() if v}
        if errors:
            raise ValidationError(errors)

    def _lock(self) -> None:
        """Hold the unit's row until the caller's transaction ends (FOR NO KEY UPDATE; the admin's save runs in one),
        so that what ``clean`` counts of its agencies' open dossiers is what the closing leaves: a submission reads
        the row FOR SHARE (dossiers.lifecycle.intake_reads) and waits, then reads the closing; one holding it first is
        committed before the count. Nothing to hold outside a transaction (a form checked without saving)."""
        if transaction.get_connection().in_atomic_block:
            list(AdministrativeUnit.objects.select_for_update(no_key=True).filter(pk=self.pk).values_list("pk"))

    def _merged_into_problem(self) -> str:
        """Why «sáp nhập vào» given here cannot be saved ("" when it can)."""
        if self.replaced_by_id == self.pk:
            return "Đơn vị không thể sáp nhập vào chính nó."
        target = self.replaced_by
        if self.pk and _reaches(dict(AdministrativeUnit.objects.filter(replaced_by__isnull=False)
                                     .values_list("pk", "replaced_by_id")), target.pk, self.pk):
            return f"Không thể sáp nhập vào {target.name}: đơn vị này đã sáp nhập (trực tiếp hoặc qua đơn vị khác) " \
                   "vào chính đơn vị đang sửa."
        if self.valid_to is None:
            return "Cần ghi «hiệu lực đến» (ngày cuối cùng đơn vị hoạt động) khi ghi đơn vị sáp nhập vào."
        day = self.valid_to + dt.timedelta(days=1)
        if not within(target.valid_from, target.valid_to, day):
            return (f"{target.name} không hoạt động vào ngày {day:%d/%m/%Y} (ngày sau «hiệu lực đến» của đơn vị "
                    "này): đơn vị sáp nhập vào phải là đơn vị đang hoạt động vào ngày đó.")
        return ""


class Agency(models.Model):
    """A state agency that receives or processes dossiers (cơ quan)."""

    PROVINCIAL_COMMITTEE = "provincial_committee"
    PROVINCIAL_DEPARTMENT = "provincial_department"
    SERVICE_CENTER = "service_center"
    COMMUNE_COMMITTEE = "commune_committee"
    VERTICAL = "vertical"
    KINDS = [
        (PROVINCIAL_COMMITTEE, "UBND tỉnh"),
        (PROVINCIAL_DEPARTMENT, "Sở, ban, ngành tỉnh"),
        (SERVICE_CENTER, "Trung tâm Phục vụ hành chính công"),
        (COMMUNE_COMMITTEE, "UBND xã/phường/đặc khu"),
        (VERTICAL, "Cơ quan ngành dọc"),
    ]

    code = models.CharField("mã định danh", max_length=32, unique=True,
                            help_text="Mã định danh điện tử của cơ quan, dùng làm tiền tố mã hồ sơ.")
    name = models.CharField("tên", max_length=255)
    short_name = models.CharField("tên viết tắt", max_length=64, blank=True)
    kind = models.CharField("loại", max_length=32, choices=KINDS)
    admin_unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="agencies",
                                   verbose_name="đơn vị hành chính")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name="cơ quan cấp trên")
    address = models.CharField("địa chỉ", max_length=255, blank=True)
    phone = models.CharField("điện thoại", max_length=32, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    is_active = models.BooleanField("đang hoạt động", default=True)
    works_saturday_morning = models.BooleanField(
        "làm việc sáng thứ Bảy", default=False,
        help_text="Bộ phận Một cửa tiếp nhận hồ sơ sáng thứ Bảy (Quyết định 127/2007/QĐ-TTg); ngoài giờ đó, tiếp "
                  "nhận vào ngày nghỉ phải xác nhận và nêu lý do. Ngày hẹn trả vẫn tính theo ngày làm việc.")
    successor = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="predecessors", verbose_name="cơ quan kế thừa",
                                  help_text="Cơ quan tiếp nhận công việc khi đơn vị hành chính được sắp xếp.")

    class Meta:
        ordering = ["code"]
        verbose_name = "cơ quan"
        verbose_name_plural = "cơ quan"

    def __str__(self):
        return self.name

    def procedure_codes(self) -> list[str]:
        """The codes of the procedures this agency receives (the catalog's ``Procedure.agencies``), sorted: what the
        national portal lists under its identity code (``units.reorganized``, ``units.successor_recorded``)."""
        return sorted(self.procedures.values_list("code", flat=True))

    def clean(self):
        """What the admin (any ModelForm) may save. A code, once given, never changes (units/services.py): dossier codes,
        code sequences and the statistics keep it as text. A row's code from before this check stays as it is. The
        agency's kind fits its unit's level; its successor follows ``_successor_problem``."""
        errors = {}
        stored = (Agency.objects.filter(pk=self.pk).values("code", "successor_id", "is_active", "admin_unit__code")
                  .first() if self.pk else None) or {}
        if stored and self.code != stored["code"]:
            errors["code"] = (f"Mã định danh đã cấp không đổi được (đang là {stored['code']}): mã hồ sơ, dãy số mã hồ sơ "
                              "và số liệu thống kê đều ghi theo mã này.")
        elif not stored and self.code and not AGENCY_CODE.fullmatch(self.code):  # empty: the field says it
            errors["code"] = AGENCY_CODE_MESSAGE
        if problem := _parent_problem(
                self, "Cơ quan không thể là cơ quan cấp trên của chính nó.",
                "Không thể chọn {name}: cơ quan này trực thuộc (trực tiếp hoặc qua cơ quan khác) chính cơ quan đang "
                "sửa, sẽ tạo thành vòng lặp."):
            errors["parent"] = problem
        if self.kind and self.admin_unit_id and (problem := self._level_problem()):
            errors["admin_unit"] = problem
        if self.successor_id != stored.get("successor_id") or (self.successor_id and self.is_active
                                                                and not stored.get("is_active")):
            field, problem = self._successor_problem(stored)
            if problem:
                errors[field] = problem
        if errors:
            raise ValidationError(errors)

    def _level_problem(self) -> str:
        """Why the kind does not fit the unit's level ("" when it does): the People's Committee of a province and the
        province's departments sit at the province, a commune-level committee (xã, phường, đặc khu) at its commune
        (Law on Organization of Local Government 2025: the two tiers; the labels of KINDS); a service center and a
        vertical agency may sit at either tier."""
        at_province = self.admin_unit.level == AdministrativeUnit.PROVINCE
        if self.kind in (self.PROVINCIAL_COMMITTEE, self.PROVINCIAL_DEPARTMENT) and not at_province:
            return (f"Cơ quan loại «{self.get_kind_display()}» thuộc đơn vị hành chính cấp tỉnh; {self.admin_unit.name} "
                    "là đơn vị cấp xã.")
        if self.kind == self.COMMUNE_COMMITTEE and at_province:
            return (f"Cơ quan loại «{self.get_kind_display()}» thuộc đơn vị hành chính cấp xã (xã, phường, đặc khu); "
                    f"{self.admin_unit.name} là đơn vị cấp tỉnh.")
        return ""

    def _successor_problem(self, stored: dict) -> tuple[str, str]:
        """(field, why) when the successor or «đang hoạt động» cannot be saved as the form gives them ("" when they
        can). Statistics, the portal's choice of commune and the mergers follow successor chains (reporting.continuity,
        units.reorganization.lineage): a successor is recorded by a merger's plan, and then not changed here (the admin
        shows it read-only); one an administrator records (a provincial department merged into another) is for an
        agency that has stopped working, is not the agency itself nor one that succeeded it (no loop), and is an
        agency working the day after this one's unit ended (today, when that day is not recorded)."""
        changed = self.successor_id != stored.get("successor_id")
        if stored.get("successor_id") and (number := closing_plan(stored["admin_unit__code"])):
            field = "successor" if changed else "is_active"
            return field, (f"Cơ quan kế thừa do phương án sắp xếp theo Nghị quyết số {number} ghi nhận: cơ quan này đã "
                           "ngừng hoạt động và không sửa cơ quan kế thừa ở đây.")
        if not self.successor_id:
            return "successor", ""
        field = "successor" if changed else "is_active"
        if self.successor_id == self.pk:
            return field, "Cơ quan không thể là cơ quan kế thừa của chính nó."
        if self.is_active:
            return field, ("Chỉ ghi cơ quan kế thừa cho cơ quan đã ngừng hoạt động (bỏ chọn «đang hoạt động»): cơ quan "
                           "đang hoạt động tự tiếp nhận và giải quyết hồ sơ của mình.")
        if not changed:
            return field, ""
        successor = self.successor
        if self.pk and _reaches(dict(Agency.objects.filter(successor__isnull=False).values_list("pk", "successor_id")),
                                successor.pk, self.pk):
            return field, (f"Không thể chọn {successor.name}: cơ quan này đã kế thừa (trực tiếp hoặc qua cơ quan khác) "
                           "chính cơ quan đang sửa, sẽ tạo thành vòng lặp.")
        end = self.admin_unit.valid_to if self.admin_unit_id else None
        if end is None:
            if not successor.is_active:
                return field, (f"{successor.name} đã ngừng hoạt động: cơ quan kế thừa phải là cơ quan đang hoạt động.")
            return field, ""
        day, unit = end + dt.timedelta(days=1), successor.admin_unit
        if not within(unit.valid_from, unit.valid_to, day) or not (successor.is_active or unit.valid_to):
            return field, (f"{successor.name} không hoạt động vào ngày {day:%d/%m/%Y} (ngày sau ngày cuối cùng của "
                           f"{self.admin_unit.name}): cơ quan kế thừa phải là cơ quan đang hoạt động vào ngày đó.")
        return field, ""


class Department(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="departments", verbose_name="cơ quan")
    code = models.CharField("mã", max_length=32)
    name = models.CharField("tên", max_length=255)

    class Meta:
        unique_together = [("agency", "code")]
        ordering = ["agency", "code"]
        verbose_name = "phòng ban"
        verbose_name_plural = "phòng ban"

    def __str__(self):
        return f"{self.name} — {self.agency.short_name or self.agency.name}"


class Counter(models.Model):
    """A one-stop counter (Bộ phận Một cửa) desk of an agency or service center."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="counters", verbose_name="cơ quan")
    code = models.CharField("mã", max_length=32)
    name = models.CharField("tên", max_length=255)
    is_active = models.BooleanField("đang hoạt động", default=True)

    class Meta:
        unique_together = [("agency", "code")]
        ordering = ["agency", "code"]
        verbose_name = "quầy một cửa"
        verbose_name_plural = "quầy một cửa"

    def __str__(self):
        return self.name


class ReorganizationPlan(models.Model):
    """A reorganization of commune-level units decided by a resolution (sắp xếp đơn vị hành chính): old
    units → one new unit, drafted and approved by a provincial administrator, then applied step by step
    (motcua.units.reorganization)."""

    DRAFT, APPROVED, APPLYING, APPLIED = "draft", "approved", "applying", "applied"
    STATUSES = [(DRAFT, "Bản nháp"), (APPROVED, "Đã phê duyệt"), (APPLYING, "Đang thực hiện"),
                (APPLIED, "Đã thực hiện")]
    COMMUNE_LEVELS = [(AdministrativeUnit.COMMUNE, "Xã"), (AdministrativeUnit.WARD, "Phường"),
                      (AdministrativeUnit.SPECIAL_ZONE, "Đặc khu")]

    resolution_number = models.CharField("số nghị quyết", max_length=64)
    resolution_date = models.DateField("ngày ban hành nghị quyết")
    effective_date = models.DateField("ngày có hiệu lực")
    old_units = models.ManyToManyField(AdministrativeUnit, related_name="reorganization_plans",
                                       verbose_name="các đơn vị được sắp xếp")
    new_code = models.CharField("mã đơn vị mới", max_length=16)
    new_name = models.CharField("tên đơn vị mới", max_length=200)
    new_level = models.CharField("cấp đơn vị mới", max_length=16, choices=COMMUNE_LEVELS,
                                 default=AdministrativeUnit.COMMUNE)
    ended_roles = models.JSONField("phân quyền kết thúc (không chuyển)", default=list, blank=True,
                                   help_text="Mã (id) các phân quyền tại đơn vị cũ sẽ kết thúc thay vì chuyển.")
    note = models.TextField("ghi chú", blank=True)
    status = models.CharField("trạng thái", max_length=16, choices=STATUSES, default=DRAFT)
    new_unit = models.ForeignKey(AdministrativeUnit, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="created_by_plans", verbose_name="đơn vị mới (đã tạo)")
    new_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="cơ quan mới (đã tạo)")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="người lập")
    created_at = models.DateTimeField("ngày lập", auto_now_add=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="người phê duyệt")
    approved_at = models.DateTimeField("ngày phê duyệt", null=True, blank=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="người thực hiện")
    started_at = models.DateTimeField("bắt đầu thực hiện", null=True, blank=True)
    applied_at = models.DateTimeField("hoàn thành", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "phương án sắp xếp đơn vị hành chính"
        verbose_name_plural = "phương án sắp xếp đơn vị hành chính"
        permissions = [("manage_reorganization", "Lập, phê duyệt và thực hiện phương án sắp xếp đơn vị hành chính")]

    def __str__(self):
        return f"{self.resolution_number} — {self.new_name}"

    @property
    def takes_effect_at(self) -> dt.datetime:
        """00:00 local time of the effective date: from then on the new unit answers for the old units' dossiers,
        whenever the plan is applied (the resolution's effective date, LEGAL.md §13: the old units end the day before)."""
        return dt.datetime.combine(self.effective_date, dt.time.min, tzinfo=TZ)


class PlanProcedure(models.Model):
    """Which agency takes over a procedure the old units received (default: the new unit's committee)."""

    plan = models.ForeignKey(ReorganizationPlan, verbose_name="phương án", on_delete=models.CASCADE,
                             related_name="procedure_assignments")
    procedure_code = models.CharField("mã thủ tục", max_length=32)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name="cơ quan tiếp nhận")

    class Meta:
        unique_together = [("plan", "procedure_code")]
        ordering = ["plan", "procedure_code"]
        verbose_name = "thủ tục chuyển giao"
        verbose_name_plural = "thủ tục chuyển giao"


class ReorganizationProgress(models.Model):
    """One item an applied plan has done (a dossier moved, a role moved, a unit closed …), written in the
    same transaction as the item itself: a re-run skips what is here, so nothing is done twice."""

    plan = models.ForeignKey(ReorganizationPlan, verbose_name="phương án", on_delete=models.CASCADE,
                             related_name="progress")
    step = models.CharField("bước", max_length=64)
    key = models.CharField("đối tượng", max_length=64)
    outcome = models.CharField("kết quả", max_length=32)
    detail = models.JSONField("chi tiết", default=dict, blank=True)
    done_at = models.DateTimeField("xong lúc", auto_now_add=True)

    class Meta:
        ordering = ["plan", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "step", "key"], name="reorganization_progress_once")]
        verbose_name = "tiến độ sắp xếp"
        verbose_name_plural = "tiến độ sắp xếp"
