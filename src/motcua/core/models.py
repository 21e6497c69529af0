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


def _calendar_changed(**kwargs):
    from . import calendar

    calendar.invalidate_cache()


# Deadlines are computed from a cached copy of this table: drop it whenever a row changes.
models.signals.post_save.connect(_calendar_changed, sender=CalendarException,
                                 dispatch_uid="core.calendar_exception.saved")
models.signals.post_delete.connect(_calendar_changed, sender=CalendarException,
                                   dispatch_uid="core.calendar_exception.deleted")
