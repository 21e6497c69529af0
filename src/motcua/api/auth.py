"""Who is calling the API: integrators with a bearer token, the web front end with its session.

Tokens look like ``mcs_<prefix>_<secret>``; only the SHA-256 of the whole string is stored
(accounts.ApiToken.key_hash) with the 8-character prefix for people to recognise it. A revoked
token, or one whose account is disabled, is refused. A token a citizen app got by signing in with VNeID
(``POST /accounts/tokens/eid``) records the ID number the e-ID proved (``ApiToken.eid_id_number``); the request
keeps its row (``request.api_token``) so that a submission can tell (``eid_signed_in``). ``last_used_at`` is written at most once a
minute per token so that a busy integrator does not turn every read into a write.

Session calls (the portal and back office calling the API from the browser) must carry Django's
CSRF token on unsafe methods; bearer calls need none, they cannot be forged by a browser. A session that
has not passed the officer's second factor gets 403 ``twofactor_required`` (accounts.twofactor.pending_step),
so it can neither read data nor mint a token. An address that sends too many unknown bearer tokens gets
429 ``too_many_attempts`` for a while (accounts.lockout).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer

from motcua.accounts import lockout, twofactor
from motcua.accounts.models import ApiToken
from motcua.core.errors import PermissionDenied
from motcua.integrations import eid

from . import tokencache

TOKEN_PREFIX = "mcs"
LAST_USED_EVERY = timedelta(minutes=1)
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def issue_token(user, name: str, *, eid_id_number: str = "") -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the row and the secret, which is shown only this once. `eid_id_number`:
    the number a VNeID sign-in just proved for `user` (POST /accounts/tokens/eid), remembered by the token."""
    prefix = secrets.token_hex(4)  # 8 hex characters
    raw = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name[:100], key_hash=hash_token(raw), prefix=prefix,
                                    eid_id_number=eid_id_number)
    return token, raw


def revoke_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


class TokenAuth(HttpBearer):
    """``Authorization: Bearer mcs_…`` — integrators and scripts."""

    def authenticate(self, request: HttpRequest, token: str):
        lockout.refuse_token_guessing(request)  # 429 for an address that sent too many unknown tokens
        token = token.strip()
        found = tokencache.lookup(hash_token(token)) if token and len(token) <= 200 else None
        if found is None:
            lockout.note_bad_token(request)
            return None
        row, user = found
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at >= LAST_USED_EVERY:
            # Conditional: concurrent requests within the same minute write once (across processes too).
            ApiToken.objects.filter(pk=row.pk).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_EVERY)
            ).update(last_used_at=now)
            row.last_used_at = now  # the cached row: this process writes again a minute from now
        request.user = user
        request.api_token = row  # read only (the cached row is shared): eid_signed_in
        return user


def eid_signed_in(request) -> bool:
    """The caller signed in with the national e-ID (Decision 766 4.5, integrations.eid.applicant_vouched): a token
    issued by a VNeID sign-in (POST /accounts/tokens/eid) for the number the account still has as proven, or a portal
    session signed in with VNeID. A token made otherwise says no, whatever session comes with it."""
    token = getattr(request, "api_token", None)
    if token is not None:
        return bool(token.eid_id_number) and request.auth.id_number_verified(token.eid_id_number)
    session = getattr(request, "session", None)
    return session is not None and eid.verified_in_session(session)


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request, reason):
        return reason


class SessionAuth(APIKeyCookie):
    """The logged-in Django session; unsafe methods must pass Django's CSRF check.

    Unlike ninja's own SessionAuth, an anonymous caller is simply "not authenticated" (401), never
    a CSRF failure, so a caller with a wrong bearer token gets the right answer.
    """

    param_name = "sessionid"

    def __init__(self):
        super().__init__(csrf=False)

    def __call__(self, request: HttpRequest):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        step = twofactor.pending_step(request)
        if step is not None:  # password typed, second factor not yet: no officer data, no token minting
            raise PermissionDenied("twofactor_required", twofactor.REQUIRED_MESSAGE, details={"step": step})
        if request.method not in SAFE_METHODS and not getattr(request, "_ninja_csrf_exempt", False):
            check = _CsrfCheck(lambda req: None)
            check.process_request(request)
            reason = check.process_view(request, None, (), {})
            if reason:
                raise HttpError(403, "csrf_failed")
        return user

    def authenticate(self, request: HttpRequest, key):  # pragma: no cover - __call__ does the work
        return None


token_auth = TokenAuth()
session_auth = SessionAuth()
#: Use on any router or operation that needs a signed-in caller: ``Router(auth=api_auth)``.
api_auth = [token_auth, session_auth]


def _anonymous(request):
    return AnonymousUser()


_anonymous.anonymous = True  # the OpenAPI document lists no credentials among the alternatives (api.openapi)


#: An operation anyone may call that answers a signed-in caller more (``request.auth``: the user, or AnonymousUser).
optional_auth = [token_auth, session_auth, _anonymous]
