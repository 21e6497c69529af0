"""Catalogues the provincial admin edits: task groups and funding sources."""

from django.db import models

from motcua.core.text import fold


class CatalogueEntry(models.Model):
    """A named entry, recognised in spreadsheets by its name or one of its other names (aliases)."""

    name = models.CharField("tên", max_length=255)
    aliases = models.TextField("cách gọi khác", blank=True,
                               help_text="Mỗi dòng một cách gọi, dùng để nhận ra mục này khi nhập bảng tính.")
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    is_active = models.BooleanField("đang dùng", default=True)

    class Meta:
        abstract = True
        ordering = ["order", "code"]

    def folded_names(self) -> list[str]:
        return [fold(self.code), fold(self.name), *(fold(a) for a in (self.aliases or "").splitlines() if a.strip())]


class TaskGroup(CatalogueEntry):
    """A group of tasks (chính quyền số, kinh tế số, … or a national plan's Nhóm I–V)."""

    code = models.SlugField("mã", max_length=32, unique=True)
    framework = models.CharField("thuộc khung", max_length=100, blank=True,
                                 help_text="Ví dụ: Kế hoạch 02-KH/BCĐTW; để trống nếu là nhóm chung.")

    class Meta(CatalogueEntry.Meta):
        verbose_name = "nhóm nhiệm vụ"
        verbose_name_plural = "nhóm nhiệm vụ"

    def __str__(self):
        return self.name


class FundingSource(CatalogueEntry):
    """A funding source (nguồn vốn): CTX, NSH, NST, …"""

    code = models.CharField("mã", max_length=16, unique=True)

    class Meta(CatalogueEntry.Meta):
        verbose_name = "nguồn vốn"
        verbose_name_plural = "nguồn vốn"

    def __str__(self):
        return f"{self.code} — {self.name}"
