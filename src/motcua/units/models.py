from django.db import models


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

    class Meta:
        ordering = ["code"]
        verbose_name = "cơ quan"
        verbose_name_plural = "cơ quan"

    def __str__(self):
        return self.name


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
