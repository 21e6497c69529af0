"""Community digital-technology teams and training / communication activities."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .moves import AgencyMove


class CommunityTeam(models.Model):
    """A community digital-technology team (tổ công nghệ số cộng đồng) of a unit or one of its villages."""

    agency = models.ForeignKey("units.Agency", on_delete=models.PROTECT, related_name="dx_teams",
                               verbose_name="đơn vị")
    village = models.CharField("thôn, tổ dân phố", max_length=255, blank=True,
                               help_text="Để trống nếu là tổ của cả xã, phường hoặc cấp tỉnh.")
    members = models.PositiveIntegerField("số thành viên")
    decision = models.CharField("quyết định thành lập", max_length=500, blank=True)
    founded_on = models.DateField("ngày thành lập", null=True, blank=True)
    dissolved_on = models.DateField("ngày giải thể", null=True, blank=True)
    # A merger moves a team to the new unit: each move is a ``TeamMove`` (``moves``); before a move's day the team
    # counts for the unit it moved from (services/community.py).
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người tạo", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        ordering = ["agency", "village"]
        verbose_name = "tổ công nghệ số cộng đồng"
        verbose_name_plural = "tổ công nghệ số cộng đồng"

    def __str__(self):
        return self.village or str(self.agency)


class TeamMove(AgencyMove):
    """A merger of administrative units moved `team` from `from_agency` to `to_agency` on `on`: the team belonged to
    `from_agency` until the day before. A team that several mergers moved has one row per merger, in order."""

    MOVED = "team"

    team = models.ForeignKey(CommunityTeam, on_delete=models.CASCADE, related_name="moves", verbose_name="tổ")

    class Meta:
        ordering = ["team", "on", "id"]
        constraints = [models.UniqueConstraint(fields=["team", "from_agency"], name="dx_team_move_once")]
        verbose_name = "lần chuyển tổ công nghệ số (sắp xếp đơn vị hành chính)"
        verbose_name_plural = "các lần chuyển tổ công nghệ số (sắp xếp đơn vị hành chính)"


class Activity(models.Model):
    """A training or communication activity (tập huấn, tuyên truyền) and how many took part."""

    TRAINING, COMMUNICATION = "training", "communication"
    KINDS = [(TRAINING, "Tập huấn, hướng dẫn"), (COMMUNICATION, "Tuyên truyền, truyền thông")]

    agency = models.ForeignKey("units.Agency", on_delete=models.PROTECT, related_name="dx_activities",
                               verbose_name="đơn vị")
    kind = models.CharField("loại", max_length=16, choices=KINDS, default=TRAINING)
    date = models.DateField("ngày")
    title = models.CharField("nội dung", max_length=500)
    audience = models.CharField("đối tượng", max_length=255, blank=True)
    participants = models.PositiveIntegerField("số người tham gia", default=0)
    task = models.ForeignKey("transformation.Task", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="activities", verbose_name="thuộc nhiệm vụ")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người tạo", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [models.CheckConstraint(condition=Q(participants__gte=0), name="dx_activity_participants")]
        verbose_name = "hoạt động tập huấn, truyền thông"
        verbose_name_plural = "hoạt động tập huấn, truyền thông"

    def __str__(self):
        return self.title
