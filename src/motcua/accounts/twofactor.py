"""Two-factor authentication with time-based one-time passwords (TOTP, RFC 6238; any authenticator app).

Required for officers (every staff role), optional for citizens. Functions for the web pages:

- ``is_required(user)`` — officers must have 2FA before using the back office;
- ``is_enabled(user)`` — a confirmed device exists;
- ``start_enrolment(user) -> Enrolment`` — new secret + ``otpauth://`` URI (render it as a QR code) and the
  secret grouped for manual typing; replaces an unconfirmed device; refuses if 2FA is already on;
- ``confirm_enrolment(user, code) -> list[str]`` — checks the first code, turns 2FA on and returns ten
  one-time recovery codes to show once (only their HMAC is stored);
- ``verify(user, code) -> bool`` — a login step: accepts the current code (±30 s), refuses a code already
  used (replay), locks for 15 minutes after 5 failures in a row; recovery codes are accepted too and burn;
- ``check(user, code)`` — same, raising ValidationFailed ('twofactor_invalid' / 'twofactor_locked');
- ``disable(user, code)`` — needs a valid code;
- ``needs_second_factor(request)`` -> None / 'enrol' / 'verify', and ``pending_step(request)``, the same
  when the officer second factor is on (``MOTCUA_OFFICER_2FA``): the one gate of every officer surface
  (back office, API sessions and so token minting, Django admin with the audit log);
  ``mark_session_verified(request)`` after a successful ``check`` (``session_verified(request)``).
The TOTP secret is stored encrypted (Fernet) under the installation's TOTP key (accounts/keys.py), not
SECRET_KEY; secrets encrypted by older versions under a SECRET_KEY derivation still decrypt, and
``manage.py reencrypt_totp`` moves them to the TOTP key. Enrolment, confirmation, disabling and lock-outs are written to the audit trail.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

import pyotp
from cryptography.fernet import InvalidToken
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from motcua.audit.services import record
from motcua.core.digits import ascii_digits
from motcua.core.errors import ValidationFailed

from . import keys
from .models import TwoFactorDevice
from .permissions import is_officer

ISSUER = "Một Cửa Số"
MAX_FAILURES = 5
LOCK_MINUTES = 15
RECOVERY_CODES = 10


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str

    @property
    def secret_grouped(self) -> str:
        return " ".join(self.secret[i:i + 4] for i in range(0, len(self.secret), 4))


def _encrypt(secret: str) -> str:
    return keys.fernet().encrypt(secret.encode()).decode()


def _decrypt(token: str) -> str:
    try:
        return keys.fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValidationFailed("twofactor_reenrol", "Khóa xác thực hai lớp không còn hợp lệ, vui lòng đăng ký lại.",
                               status=409) from exc


def _code_digests(code: str) -> list[str]:
    """Digests of a recovery code: the first is stored for new codes, the others match older ones."""
    return keys.code_digests(code.replace("-", "").replace(" ", "").lower())


def is_required(user) -> bool:
    """Officers, and anyone who may open Django admin."""
    return is_officer(user) or bool(getattr(user, "is_staff", False))


def is_enabled(user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


@transaction.atomic
def start_enrolment(user) -> Enrolment:
    if is_enabled(user):
        raise ValidationFailed("twofactor_already_enabled", "Tài khoản đã bật xác thực hai lớp.", status=409)
    secret = pyotp.random_base32()
    TwoFactorDevice.objects.update_or_create(
        user=user, defaults={"secret": _encrypt(secret), "confirmed_at": None, "last_used_step": None,
                             "recovery_codes": [], "failed_attempts": 0, "locked_until": None})
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.get_username(), issuer_name=ISSUER)
    return Enrolment(secret=secret, uri=uri)


def _clean(code: str) -> str:
    return (code or "").replace(" ", "").strip()


def _matching_step(totp: pyotp.TOTP, code: str, now) -> int | None:
    if not ascii_digits(code) or len(code) != totp.digits:
        return None
    step = totp.timecode(now)
    for candidate in (step, step - 1, step + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


@transaction.atomic
def confirm_enrolment(user, code: str, at=None) -> list[str]:
    device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
    if device is None:
        raise ValidationFailed("twofactor_not_started", "Chưa bắt đầu đăng ký xác thực hai lớp.")
    if device.confirmed_at:
        raise ValidationFailed("twofactor_already_enabled", "Tài khoản đã bật xác thực hai lớp.", status=409)
    now = at or timezone.now()
    step = _matching_step(pyotp.TOTP(_decrypt(device.secret)), _clean(code), now)
    if step is None:
        raise ValidationFailed("twofactor_invalid", "Mã xác thực không đúng hoặc đã hết hạn.")
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    device.recovery_codes = [_code_digests(c)[0] for c in codes]
    device.confirmed_at = now
    device.last_used_step = step
    device.failed_attempts = 0
    device.save()
    record(user, "twofactor.enabled", "user", user.pk)
    return codes


@transaction.atomic
def _verify(user, code: str, at=None) -> tuple[bool, str]:
    device = TwoFactorDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        return False, "twofactor_not_enabled"
    now = at or timezone.now()
    if device.locked_until and device.locked_until > now:
        return False, "twofactor_locked"
    code = _clean(code)
    step = _matching_step(pyotp.TOTP(_decrypt(device.secret)), code, now)
    ok = False
    if step is not None and (device.last_used_step is None or step > device.last_used_step):
        device.last_used_step = step
        ok = True
    elif step is None:
        digest = next((d for d in _code_digests(code) if d in device.recovery_codes), None)
        if digest is not None:
            device.recovery_codes = [d for d in device.recovery_codes if d != digest]
            record(user, "twofactor.recovery_code_used", "user", user.pk,
                   {"remaining": len(device.recovery_codes)})
            ok = True
    if ok:
        device.failed_attempts = 0
        device.locked_until = None
    else:
        device.failed_attempts += 1
        if device.failed_attempts >= MAX_FAILURES:
            device.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            device.failed_attempts = 0
            record(user, "twofactor.locked", "user", user.pk)
    device.save()
    return ok, "" if ok else "twofactor_invalid"


def verify(user, code: str, at=None) -> bool:
    """True when `code` is a fresh TOTP code or an unused recovery code of the user's confirmed device."""
    return _verify(user, code, at)[0]


def check(user, code: str, at=None) -> None:
    ok, reason = _verify(user, code, at)
    if ok:
        return
    if reason == "twofactor_locked":
        raise ValidationFailed(reason, f"Nhập sai quá nhiều lần. Vui lòng thử lại sau {LOCK_MINUTES} phút.",
                               status=429)
    if reason == "twofactor_not_enabled":
        raise ValidationFailed(reason, "Tài khoản chưa bật xác thực hai lớp.")
    raise ValidationFailed("twofactor_invalid", "Mã xác thực không đúng hoặc đã được sử dụng.")


@transaction.atomic
def disable(user, code: str, at=None) -> None:
    check(user, code, at)
    TwoFactorDevice.objects.filter(user=user).delete()
    record(user, "twofactor.disabled", "user", user.pk)


# --- session helpers for the web pages ---------------------------------------------------------------------

SESSION_KEY = "motcua_2fa_verified_for"


def mark_session_verified(request) -> None:
    """Call after a successful ``check(request.user, code)`` on the login's second step."""
    request.session[SESSION_KEY] = request.user.pk
    request.session.cycle_key()


def session_verified(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and request.session.get(SESSION_KEY) == user.pk)


def needs_second_factor(request) -> str | None:
    """What the back office must do before serving an officer: None (go on), 'enrol' or 'verify'."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated or session_verified(request):
        return None
    if is_enabled(user):
        return "verify"
    return "enrol" if is_required(user) else None


def pending_step(request) -> str | None:
    """The gate of every officer surface: None when the session may go on, else 'enrol' or 'verify'."""
    user = getattr(request, "user", None)
    if not settings.MOTCUA_OFFICER_2FA or not user or not user.is_authenticated:
        return None
    if not is_required(user):  # citizens: the second factor is theirs to choose
        return None
    return needs_second_factor(request)


REQUIRED_MESSAGE = ("Cần xác thực hai lớp: phiên đăng nhập này mới nhập mật khẩu. Hãy nhập mã từ ứng dụng xác "
                    "thực tại trang Cán bộ (/can-bo/xac-thuc-hai-lop/) rồi thử lại.")
