from axes.models import AccessAttempt
from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    CITIZEN = "citizen", "Công dân/Doanh nghiệp"
    COUNTER_OFFICER = "counter_officer", "Công chức một cửa"
    SPECIALIST = "specialist", "Chuyên viên"
    DEPARTMENT_HEAD = "department_head", "Trưởng phòng"
    LEADER = "leader", "Lãnh đạo"
    UNIT_ADMIN = "unit_admin", "Quản trị đơn vị"
    PROVINCIAL_ADMIN = "provincial_admin", "Quản trị cấp tỉnh"
    AUDITOR = "auditor", "Thanh tra/Kiểm toán"


# Role groups: the one definition every app uses (never a list of role strings of its own).
# Officers work for one agency (or province-wide when the assignment has no agency).
OFFICER_ROLES = frozenset({Role.COUNTER_OFFICER, Role.SPECIALIST, Role.DEPARTMENT_HEAD, Role.LEADER,
                           Role.UNIT_ADMIN})
# Province-wide by nature: the provincial administrator and the auditor (who only reads).
PROVINCE_WIDE_ROLES = frozenset({Role.PROVINCIAL_ADMIN, Role.AUDITOR})
# Everyone working for the state: opens the back office, reads reports.
STAFF_ROLES = OFFICER_ROLES | PROVINCE_WIDE_ROLES
# May act on dossiers and their files: the officers and the provincial administrator (not the auditor).
ACTING_ROLES = OFFICER_ROLES | {Role.PROVINCIAL_ADMIN}
# Stand in for any officer of their scope (their agency / the province).
ADMIN_ROLES = frozenset({Role.UNIT_ADMIN, Role.PROVINCIAL_ADMIN})


class User(AbstractUser):
    """Officers and citizens share one account table; roles say what each may do, and where."""

    full_name = models.CharField("họ và tên", max_length=200, blank=True)
    id_number = models.CharField("số định danh cá nhân", max_length=12, blank=True, db_index=True)
    # The ID number the national e-ID vouched for when this account last signed in with it (integrations.eid); a
    # number typed at sign-up proves nothing. What is the person's own (data repository, population data, consent)
    # goes by this one (id_number_verified).
    verified_id_number = models.CharField("số định danh đã xác thực qua VNeID", max_length=12, blank=True,
                                          editable=False)
    phone = models.CharField("điện thoại", max_length=20, blank=True)
    address = models.CharField("địa chỉ", max_length=255, blank=True)

    class Meta:
        verbose_name = "tài khoản"
        verbose_name_plural = "tài khoản"

    def __str__(self):
        return self.full_name or self.username

    def id_number_verified(self, id_number: str | None = None) -> bool:
        """The account's ID number (or `id_number`) is the one the national e-ID vouched for."""
        wanted = self.id_number if id_number is None else id_number
        return bool(wanted) and self.verified_id_number == wanted == self.id_number


class RoleAssignment(models.Model):
    """A role held by a user in one agency (or province-wide when agency is empty)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments",
                             verbose_name="tài khoản")
    role = models.CharField("vai trò", max_length=32, choices=Role.choices)
    agency = models.ForeignKey("units.Agency", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="role_assignments", verbose_name="cơ quan")
    department = models.ForeignKey("units.Department", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="role_assignments", verbose_name="phòng ban")

    class Meta:
        unique_together = [("user", "role", "agency", "department")]
        verbose_name = "phân quyền"
        verbose_name_plural = "phân quyền"

    def __str__(self):
        where = self.agency or "toàn tỉnh"
        return f"{self.user} — {self.get_role_display()} — {where}"


class ApiToken(models.Model):
    """Bearer token for integrators; only the SHA-256 of the secret is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="tài khoản")
    name = models.CharField("tên", max_length=100)
    key_hash = models.CharField("mã băm của khóa", max_length=64, unique=True)
    prefix = models.CharField("tiền tố", max_length=8)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    last_used_at = models.DateTimeField("dùng lần cuối lúc", null=True, blank=True)
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)
    # The ID number the national e-ID vouched for at the sign-in that issued this token (a citizen app's VNeID
    # sign-in, POST /api/v1/accounts/tokens/eid); empty for a token made otherwise. What the portal's session
    # remembers of a VNeID sign-in (integrations.eid.verified_in_session), for dossiers submitted with the token.
    eid_id_number = models.CharField("số định danh xác thực qua VNeID khi cấp", max_length=12, blank=True, default="",
                                     editable=False)

    class Meta:
        verbose_name = "khóa API"
        verbose_name_plural = "khóa API"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class TwoFactorDevice(models.Model):
    """A TOTP authenticator (RFC 6238) enrolled by a user; see motcua.accounts.twofactor."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="twofactor",
                                verbose_name="tài khoản")
    secret = models.CharField("khóa bí mật (đã mã hóa)", max_length=255)
    confirmed_at = models.DateTimeField("ngày kích hoạt", null=True, blank=True)
    last_used_step = models.BigIntegerField("bước thời gian đã dùng", null=True, blank=True,
                                            help_text="Chống dùng lại một mã đã dùng.")
    recovery_codes = models.JSONField("mã dự phòng (đã băm)", default=list, blank=True)
    failed_attempts = models.PositiveSmallIntegerField("số lần nhập sai liên tiếp", default=0)
    locked_until = models.DateTimeField("khóa đến", null=True, blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        verbose_name = "xác thực hai lớp"
        verbose_name_plural = "xác thực hai lớp"

    def __str__(self):
        state = "đã kích hoạt" if self.confirmed_at else "chưa kích hoạt"
        return f"{self.user} — {state}"


class FailedSignIn(AccessAttempt):
    """django-axes' count of failed sign-ins per (account, address), shown in the admin (accounts/lockout.py)."""

    class Meta:
        proxy = True
        verbose_name = "lần đăng nhập sai"
        verbose_name_plural = "khóa đăng nhập (lần đăng nhập sai)"
