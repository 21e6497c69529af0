"""Account services: local citizen sign-up and role management.

- ``register_citizen(username, password, full_name, id_number, phone, email="")`` validates every field
  (Vietnamese messages, all problems reported together in ``details``), creates the account and its
  province-wide ``citizen`` RoleAssignment in one transaction and writes an audit entry.
- ``normalize_phone(raw)`` — Vietnamese phone numbers: +84/84 prefixes become 0; mobile 10 digits
  (03/05/07/08/09), landline 11 digits (02x); ``check_phone_and_email(phone, email, errors)`` checks both
  for a form that reports every problem at once.
- ``vouch_id_number(user, id_number)`` — the national e-ID proved that the person signing in holds ``id_number``
  (integrations.eid): the account's ID number is verified from now on. A citizen account whose number was only typed
  at sign-up loses its password and API tokens: whoever typed someone else's number is out, the holder signs in
  with the e-ID.
- ``set_password_after_eid(user, password)`` — the holder, signed in by the national e-ID (the portal's view checks
  the session), sets or changes the password of their own citizen account: Django's password validators, hashed,
  audited. The way back to signing in with ID number and password after ``vouch_id_number`` cleared it.
- ``assign_role(by, user, role, agency=None)`` / ``revoke_role(by, assignment)`` — a unit admin manages
  officer roles of their own agency, a provincial admin any role anywhere; audited.
"""

from __future__ import annotations

import re

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from motcua.audit.services import record
from motcua.core.cccd import parse_id_number
from motcua.core.digits import ascii_digits
from motcua.core.errors import PermissionDenied, ValidationFailed

from .models import PROVINCE_WIDE_ROLES, Role, RoleAssignment, User
from .permissions import forget_roles, has_role

_USERNAME = re.compile(r"^[A-Za-z0-9._-]{3,150}$")
_MOBILE = re.compile(r"^0[35789]\d{8}$")
_LANDLINE = re.compile(r"^02\d{9}$")


def normalize_phone(raw: str) -> str:
    """Return the phone in national form (0xxxxxxxxx) or raise ValidationFailed('phone_invalid')."""
    value = re.sub(r"[\s.()-]", "", raw or "")
    if value.startswith("+84"):
        value = "0" + value[3:]
    elif value.startswith("84") and len(value) in (11, 12):
        value = "0" + value[2:]
    if not (ascii_digits(value) and (_MOBILE.match(value) or _LANDLINE.match(value))):
        raise ValidationFailed("phone_invalid", "Số điện thoại không hợp lệ (ví dụ: 0912345678).")
    return value


def check_phone_and_email(phone: str, email: str, errors: dict, *, phone_required: bool = False) -> str:
    """The phone in national form (an empty one stays empty unless required) after checking it and the
    e-mail; each problem is added to `errors` under "phone" / "email" (Vietnamese message)."""
    if phone or phone_required:
        try:
            phone = normalize_phone(phone)
        except ValidationFailed as exc:
            errors["phone"] = exc.message
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = "Địa chỉ thư điện tử không hợp lệ."
    return phone


def register_citizen(username: str, password: str, full_name: str, id_number: str, phone: str,
                     email: str = "") -> User:
    errors: dict[str, str] = {}
    username = (username or "").strip()
    full_name = " ".join((full_name or "").replace("\x00", "").split())
    email = (email or "").replace("\x00", "").strip().lower()

    if not _USERNAME.match(username):
        errors["username"] = ("Tên đăng nhập gồm 3–150 ký tự: chữ cái không dấu, chữ số, dấu chấm, "
                              "gạch dưới hoặc gạch ngang.")
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = "Tên đăng nhập đã được sử dụng."
    if len(full_name) < 2:
        errors["full_name"] = "Vui lòng nhập họ và tên."
    try:
        id_value = parse_id_number(id_number).value
    except ValidationFailed as exc:
        errors["id_number"] = exc.message
    else:
        if RoleAssignment.objects.filter(role=Role.CITIZEN, user__id_number=id_value).exists():
            errors["id_number"] = "Số định danh cá nhân này đã có tài khoản. Vui lòng đăng nhập hoặc lấy lại mật khẩu."
    phone = check_phone_and_email(phone, email, errors, phone_required=True)
    try:
        validate_password(password or "", User(username=username, full_name=full_name, email=email))
    except ValidationError as exc:
        errors["password"] = " ".join(str(m) for m in exc.messages)

    if errors:
        first = next(iter(errors.values()))
        raise ValidationFailed("registration_invalid", first, details=errors)

    with transaction.atomic():
        user = User(username=username, full_name=full_name, id_number=id_value, phone=phone, email=email)
        user.set_password(password)
        user.save()
        RoleAssignment.objects.create(user=user, role=Role.CITIZEN)
        record(user, "account.registered", "user", user.pk, {"username": username, "role": Role.CITIZEN})
    return user


def vouch_id_number(user: User, id_number: str) -> bool:
    """Mark ``id_number`` as proven for ``user`` by the national e-ID; returns True when the password typed at
    sign-up (and the API tokens minted with it) stopped working because the number had not been proven before."""
    if user.verified_id_number == id_number == user.id_number:
        return False
    from django.utils import timezone

    from .models import ApiToken

    cleared = user.has_usable_password() and _citizen_only(user)
    with transaction.atomic():
        fields = ["verified_id_number", "id_number"]
        user.id_number = user.verified_id_number = id_number
        if cleared:
            user.set_unusable_password()  # also ends the sessions signed in with it (their hash no longer matches)
            fields.append("password")
            ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        user.save(update_fields=fields)  # the token cache forgets the account (api.tokencache)
        record(user, "account.id_number_verified", "user", user.pk, {"source": "vneid", "password_cleared": cleared})
    return cleared


def _citizen_only(user: User) -> bool:
    """No role but citizen: an officer's or admin's password is theirs to keep, and not set through the e-ID."""
    return not any(ra.role != Role.CITIZEN for ra in user.role_assignments.all())


def password_settable_after_eid(user: User) -> bool:
    """A citizen account (no other role, not staff) whose ID number the national e-ID proved."""
    return user.id_number_verified() and not user.is_staff and not user.is_superuser and _citizen_only(user)


def set_password_after_eid(user: User, password: str) -> None:
    """Set the password of a citizen account whose ID number the national e-ID proved; the caller has checked that
    the holder signed in with it in this session (integrations.eid.holder_signed_in)."""
    if not password_settable_after_eid(user):
        raise PermissionDenied("password_not_settable", "Tài khoản này không đặt mật khẩu bằng VNeID được; tài khoản "
                                                        "cán bộ đổi mật khẩu qua quản trị viên.")
    try:
        validate_password(password or "", user)
    except ValidationError as exc:
        message = " ".join(str(m) for m in exc.messages)
        raise ValidationFailed("password_invalid", message, details={"password": message}) from None
    replaced = user.has_usable_password()
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        record(user, "account.password_set", "user", user.pk, {"source": "vneid", "replaced": replaced})


def _may_manage(by, role: str, agency) -> bool:
    if getattr(by, "is_superuser", False) or has_role(by, Role.PROVINCIAL_ADMIN):
        return True
    if role in PROVINCE_WIDE_ROLES or role == Role.UNIT_ADMIN or agency is None:
        return False
    return has_role(by, Role.UNIT_ADMIN, agency)


def assign_role(by, user: User, role: str, agency=None, department=None) -> RoleAssignment:
    if role not in Role.values:
        raise ValidationFailed("role_invalid", "Vai trò không hợp lệ.")
    if not _may_manage(by, role, agency):
        raise PermissionDenied("forbidden", "Bạn không có quyền phân quyền này.")
    if department is not None and agency is not None and department.agency_id != getattr(agency, "pk", agency):
        raise ValidationFailed("department_mismatch", "Phòng ban không thuộc cơ quan đã chọn.")
    with transaction.atomic():
        ra, created = RoleAssignment.objects.get_or_create(user=user, role=role, agency=agency, department=department)
        if created:
            record(by, "account.role_assigned", "user", user.pk,
                   {"role": role, "agency": getattr(agency, "pk", agency), "department": getattr(department, "pk", None)})
    forget_roles(user)
    return ra


def revoke_role(by, assignment: RoleAssignment) -> None:
    if not _may_manage(by, assignment.role, assignment.agency):
        raise PermissionDenied("forbidden", "Bạn không có quyền thu hồi phân quyền này.")
    with transaction.atomic():
        record(by, "account.role_revoked", "user", assignment.user_id,
               {"role": assignment.role, "agency": assignment.agency_id})
        assignment.delete()
    forget_roles(assignment.user)
