from django.db import models


class CalendarException(models.Model):
    """A day that departs from the normal week: an extra day off or a make-up working day.

    Labor Code 2019 art. 112 sets the holidays; the yearly schedule (substitute days, make-up
    Saturdays) comes by notice of the Ministry of Home Affairs, so it is data, not a formula.
    """

    DAY_OFF = "off"
    WORKING_DAY = "work"
    KINDS = [(DAY_OFF, "Ngày nghỉ"), (WORKING_DAY, "Ngày làm việc bù")]

    date = models.DateField("ngày", unique=True)
    kind = models.CharField("loại", max_length=8, choices=KINDS)
    note = models.CharField("ghi chú", max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = "ngày nghỉ/làm bù"
        verbose_name_plural = "lịch nghỉ/làm bù"

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.get_kind_display()}"

