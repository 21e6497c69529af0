"""What a merger of administrative units moved from one unit to another: the fields and words its records share."""

from django.db import models


class AgencyMove(models.Model):
    """A merger moved something (the subclass's field named by ``MOVED``) from `from_agency` to `to_agency` on `on`:
    it was `from_agency`'s until the day before. One row per merger that moved it, in order; each subclass's Meta
    orders by it, `on`, id and allows one row per (it, `from_agency`). A subclass may name `to_agency` and `on` its
    own way (TaskHandover), keeping the columns."""

    MOVED = ""  # the field __str__ names the moved thing by (its *_id where naming it would cost a query)

    from_agency = models.ForeignKey("units.Agency", on_delete=models.PROTECT, related_name="+",
                                    verbose_name="đơn vị trước khi sắp xếp")
    to_agency = models.ForeignKey("units.Agency", on_delete=models.PROTECT, related_name="+",
                                  verbose_name="đơn vị sau sắp xếp")
    on = models.DateField("thuộc đơn vị sau sắp xếp từ ngày")

    class Meta:
        abstract = True

    def __str__(self):
        return f"{getattr(self, self.MOVED)}: {self.from_agency} → {self.to_agency} ({self.on:%d/%m/%Y})"
