"""Password and token guessing: lockout per account and per client address, and the administrators' unlock.

Password sign-ins (citizen and officer page, ``/admin/login/``) go through django-axes
(``LockoutBackend`` first in AUTHENTICATION_BACKENDS, ``AxesMiddleware`` last): every failed
``authenticate`` is counted per (account, address); a sign-in is refused, even with the right password,
while the account has ``MOTCUA_LOGIN_FAILURE_LIMIT`` failures or the client address has
``MOTCUA_LOGIN_ADDRESS_FAILURE_LIMIT`` failures within ``MOTCUA_LOGIN_LOCKOUT_MINUTES`` (the address limit
is higher: a commune office signs in from one address). The refusal is a Vietnamese page (or JSON), 429.

``LockoutHandler`` is axes' database handler with two limits instead of one, and a success that clears
only the failures of that account from that address (axes' own reset would also clear other accounts'
failures from the address, letting a guesser with one valid account reset the counters).

Bearer tokens: an address that sent ``MOTCUA_TOKEN_FAILURE_LIMIT`` unknown tokens is refused (429) for the
same time (``token_guessing_blocked`` / ``note_bad_token``, counted in the shared cache).

Audit: ``account.locked_out`` (account or address, once per lockout), ``api.token_guessing_blocked``,
``account.unlocked`` (``unlock``: the admin action on *Lần đăng nhập sai* and ``manage.py unlock_login``).
"""

from __future__ import annotations

import hashlib

from axes.attempts import get_cool_off_threshold
from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Sum
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import render

from motcua.audit.services import record
from motcua.core.errors import DomainError

from .permissions import has_role


def failure_limit(request=None, credentials=None) -> int:
    return int(settings.MOTCUA_LOGIN_FAILURE_LIMIT)


def lockout_minutes() -> int:
    return int(settings.MOTCUA_LOGIN_LOCKOUT_MINUTES)


LOCKED_MESSAGE = ("Tài khoản hoặc địa chỉ mạng này tạm thời bị khóa do nhập sai mật khẩu quá nhiều lần. "
                  "Vui lòng thử lại sau {minutes} phút hoặc liên hệ quản trị viên để được mở khóa.")
TOKEN_MESSAGE = ("Địa chỉ mạng này đã gửi quá nhiều khóa API hoặc mã đăng nhập VNeID không hợp lệ và tạm thời bị "
                 "từ chối. "
                 "Vui lòng thử lại sau {minutes} phút hoặc liên hệ quản trị viên.")


def client_username(request, credentials=None) -> str | None:
    """The account name a failed sign-in is counted under (django-axes' AXES_USERNAME_CALLABLE): what was typed,
    cut to the longest name an account can have. Django's sign-in forms do not enforce that length, and a longer
    name — which no account has — would not fit in the attempts table (a 500 on PostgreSQL)."""
    username = credentials.get("username") if credentials else request.POST.get("username")
    if not isinstance(username, str):
        return None
    return username[:get_user_model()._meta.get_field("username").max_length]


def client_address(request) -> str | None:
    """The caller's address: REMOTE_ADDR, or behind MOTCUA_PROXY_COUNT proxies the entry they appended.

    The one answer to "who is calling" for every per-address limit and record: sign-in lockout (django-axes'
    AXES_CLIENT_IP_CALLABLE), unknown bearer tokens, the public tracking page's limit, the sign-in audit.
    """
    count = settings.MOTCUA_PROXY_COUNT
    if count:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR") or None


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out account or address before the password is checked (first authentication backend).

    A call without a request (a shell, a test client's ``login``) comes from no address a guesser could use
    and is not counted.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def _failures(attempts) -> int:
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        """Failures measured against the account limit: the address count is scaled to its own limit."""
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        username = get_client_username(request, credentials)
        by_account = _failures(recent.filter(username=username)) if username else 0
        address = getattr(request, "axes_ip_address", None)
        by_address = _failures(recent.filter(ip_address=address)) if address else 0
        account_limit = failure_limit()
        address_limit = int(settings.MOTCUA_LOGIN_ADDRESS_FAILURE_LIMIT)
        # Which limit this very attempt reached (the audit entry is written once per lockout).
        request.motcua_lock_reached = [name for name, count, limit in (("account", by_account, account_limit),
                                                                      ("address", by_address, address_limit))
                                       if count == limit]
        return max(by_account, by_address * account_limit // address_limit)

    def reset_user_attempts(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address).delete()
        return count


@receiver(user_locked_out, dispatch_uid="motcua_audit_locked_out")
def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    for reason in getattr(request, "motcua_lock_reached", []):
        record(None, "account.locked_out", "user", username or "", {
            "reason": reason, "ip": ip_address or "", "minutes": lockout_minutes(),
            "path": getattr(request, "path", "")[:200]})


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out sign-in gets: the Vietnamese page, or JSON when the caller asked for JSON; 429."""
    message = LOCKED_MESSAGE.format(minutes=lockout_minutes())
    wants_json = ("application/json" in request.headers.get("Accept", "")
                  or request.headers.get("X-Requested-With") == "XMLHttpRequest")
    if wants_json:
        response = JsonResponse({"code": "login_locked", "message": message}, status=429,
                                json_dumps_params={"ensure_ascii": False})
    else:
        response = render(request, "accounts/locked_out.html",
                          {"message": message, "province_name": settings.MOTCUA_PROVINCE_NAME}, status=429)
    response["Retry-After"] = str(lockout_minutes() * 60)
    return response


# --- bearer tokens -------------------------------------------------------------------------------------------

def _token_key(address: str | None) -> str:
    return f"motcua:bad-token:{address or '?'}"


def token_guessing_blocked(request) -> bool:
    return (cache.get(_token_key(client_address(request))) or 0) >= settings.MOTCUA_TOKEN_FAILURE_LIMIT


def bump(key: str, seconds: int) -> int:
    """One more on the counter `key`, which starts at the first and lasts `seconds` (shared cache); the new value."""
    cache.add(key, 0, seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)
        return 1


def note_bad_token(request) -> None:
    address = client_address(request)
    count = bump(_token_key(address), lockout_minutes() * 60)
    if count == settings.MOTCUA_TOKEN_FAILURE_LIMIT:
        record(None, "api.token_guessing_blocked", "address", address or "?", {"minutes": lockout_minutes()})


def refuse_token_guessing(request) -> None:
    if token_guessing_blocked(request):
        raise DomainError("too_many_attempts", TOKEN_MESSAGE.format(minutes=lockout_minutes()), status=429)


# --- public look-ups by a code and a secret ------------------------------------------------------------------
# A dossier's code and the last 4 digits of the applicant's ID or phone number (portal tracking), a feedback's code
# and its sender's phone or e-mail (API), an ID number that already has an account at sign-up (portal): wrong
# guesses are counted per address and per code; per code also over a day, so that guesses spread over many addresses
# do not get through the 4 digits (10 every 15 minutes was 960 a day).

LOOKUP_WINDOW = 15 * 60
LOOKUP_LIMIT = 10  # wrong guesses per address, and per code, in LOOKUP_WINDOW seconds
LOOKUP_DAY = 24 * 3600
LOOKUP_DAILY_LIMIT = 30  # wrong guesses per code in LOOKUP_DAY seconds, from every address together
LOOKUP_MESSAGE = "Bạn đã tra cứu sai quá nhiều lần. Vui lòng thử lại sau 15 phút."
LOOKUP_DAILY_MESSAGE = ("Mã này đã bị tra cứu sai quá nhiều lần trong ngày; để bảo vệ thông tin của người nộp, việc tra "
                        "cứu công khai mã này tạm dừng trong 24 giờ. Người nộp đăng nhập Cổng dịch vụ công để xem.")


def lookup_key(kind: str, scope: str, code: str) -> str:
    """The cache key counting wrong guesses of `code` (as typed: any characters, up to 64) over `scope` ("code" or
    "day"): its digest, so a key holds no space, control or non-ASCII character a cache such as memcached refuses."""
    digest = hashlib.sha256(code.strip().upper()[:64].encode("utf-8", "surrogatepass")).hexdigest()
    return f"motcua:lookup:{kind}:{scope}:{digest}"


# Sign-up with an ID number that already has an account (portal.forms.SignupForm): each such attempt counts as a wrong
# guess under kind "signup", the ID number standing for the code, so that nobody can try thousands of numbers to learn
# which have an account (Decree 13/2023/ND-CP art. 3(6): personal data protected against unlawful processing).
SIGNUP_MESSAGE = ("Quá nhiều lần thử đăng ký bằng số định danh đã có tài khoản. Vui lòng thử lại sau 15 phút. Nếu đó "
                  "là số định danh của bạn, hãy đăng nhập, hoặc đăng nhập bằng VNeID để đặt lại mật khẩu.")
SIGNUP_DAILY_MESSAGE = ("Quá nhiều lần thử đăng ký bằng số định danh này trong ngày; vui lòng thử lại sau 1440 phút (24 "
                        "giờ). Nếu đó là số định danh của bạn, hãy đăng nhập, hoặc đăng nhập bằng VNeID để đặt lại mật "
                        "khẩu.")
_KIND_MESSAGES = {"signup": (SIGNUP_MESSAGE, SIGNUP_DAILY_MESSAGE)}


def _lookup_counters(request, kind: str, code: str) -> list[tuple[str, int, int, str]]:
    window, day = _KIND_MESSAGES.get(kind, (LOOKUP_MESSAGE, LOOKUP_DAILY_MESSAGE))
    return [(f"motcua:lookup:{kind}:ip:{client_address(request) or '?'}", LOOKUP_LIMIT, LOOKUP_WINDOW, window),
            (lookup_key(kind, "code", code), LOOKUP_LIMIT, LOOKUP_WINDOW, window),
            (lookup_key(kind, "day", code), LOOKUP_DAILY_LIMIT, LOOKUP_DAY, day)]


def lookup_refusal(request, kind: str, code: str) -> str | None:
    """The Vietnamese reason a public look-up of `code` is refused now (too many wrong guesses), or None."""
    full = [message for key, limit, _, message in _lookup_counters(request, kind, code) if (cache.get(key) or 0) >= limit]
    return full[-1] if full else None


def note_wrong_lookup(request, kind: str, code: str) -> None:
    for key, _, seconds, _ in _lookup_counters(request, kind, code):
        bump(key, seconds)


# Heavy work anyone may ask for without an account: checking the signatures of a PDF of up to 20 MB (the signature
# check page, POST /api/v1/documents/verify). Counted per address, so that one address cannot keep the server busy.
HEAVY_LIMIT = 30  # requests per address in LOOKUP_WINDOW seconds
HEAVY_MESSAGE = "Bạn đã gửi quá nhiều tệp để kiểm tra chữ ký từ địa chỉ này. Vui lòng thử lại sau 15 phút."


def refuse_heavy_use(request, kind: str) -> None:
    """Count one more `kind` request from this address; 429 ``too_many_attempts`` past HEAVY_LIMIT."""
    if bump(f"motcua:heavy:{kind}:{client_address(request) or '?'}", LOOKUP_WINDOW) > HEAVY_LIMIT:
        raise DomainError("too_many_attempts", HEAVY_MESSAGE, status=429)


# --- unlock --------------------------------------------------------------------------------------------------

def can_unlock(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or has_role(user, "provincial_admin")


def unlock(by, *, username: str | None = None, address: str | None = None) -> int:
    """Clear the failures of an account (all addresses) and/or of an address; audited. Returns rows cleared."""
    if not username and not address:
        raise ValueError("username or address")
    cleared = 0
    if username:
        cleared += AccessAttempt.objects.filter(username=username).delete()[0]
    if address:
        cleared += AccessAttempt.objects.filter(ip_address=address).delete()[0]
        cache.delete(_token_key(address))
    record(by, "account.unlocked", "user" if username else "address", username or address,
           {"username": username or "", "address": address or "", "attempts_cleared": cleared})
    return cleared
