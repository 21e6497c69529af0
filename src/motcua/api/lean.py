"""The lean path: a bearer call to /api/ skips the middleware that only pages and browser sessions need.

An integrator's call (``Authorization: Bearer …`` under /api/) has no session, no CSRF cookie, no flash
messages, no htmx, no static file and no password sign-in, and Django admin's second factor does not apply
to it (accounts.middleware skips the API anyway). The middleware for those is listed in settings.MIDDLEWARE
through ``pages_only(...)`` subclasses defined here: for a bearer API call each one passes the request
straight on (and its ``process_view`` does nothing); for every other request it is the original class,
unchanged. So a browser calling the API with its session still goes through sessions, CSRF and the second
factor (api/auth.py ``SessionAuth``), and a bearer call gets no session or CSRF cookie.

What stays for every request: security headers and HTTPS redirect, the database-unavailable 503, host
validation (CommonMiddleware), gzip, X-Frame-Options, Content-Security-Policy, the replica router, and
django-axes' middleware (it only reads a flag its sign-in backend sets; its checks want it by name).

A bearer call with a token that is not valid is answered 401 like before; it no longer falls back to a
session cookie sent alongside (a caller presenting a token is judged by that token).
"""

from __future__ import annotations

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.middleware.csrf import CsrfViewMiddleware
from django_htmx.middleware import HtmxMiddleware
from whitenoise.middleware import WhiteNoiseMiddleware

from motcua.accounts.middleware import SecondFactorMiddleware

API_PREFIX = "/api/"


def is_bearer_api_call(request) -> bool:
    lean = getattr(request, "_motcua_lean", None)
    if lean is None:
        auth = request.META.get("HTTP_AUTHORIZATION", "")
        lean = request.path_info.startswith(API_PREFIX) and auth[:7].lower() == "bearer "
        request._motcua_lean = lean
    return lean


def pages_only(cls, on_skip=None):
    """A subclass of the middleware `cls` that a bearer API call passes through untouched."""

    class PagesOnly(cls):
        def __call__(self, request):
            if is_bearer_api_call(request):
                if on_skip is not None:
                    on_skip(request)
                return self.get_response(request)
            return super().__call__(request)

        if hasattr(cls, "process_view"):
            def process_view(self, request, view_func, view_args, view_kwargs):
                if is_bearer_api_call(request):
                    return None
                return super().process_view(request, view_func, view_args, view_kwargs)

    PagesOnly.__name__ = PagesOnly.__qualname__ = f"PagesOnly{cls.__name__}"
    return PagesOnly


def _anonymous(request) -> None:
    # Until the token is checked (api/auth.py TokenAuth sets the account), the caller is nobody.
    request.user = AnonymousUser()


WhiteNoise = pages_only(WhiteNoiseMiddleware)
Session = pages_only(SessionMiddleware)
Csrf = pages_only(CsrfViewMiddleware)
Authentication = pages_only(AuthenticationMiddleware, on_skip=_anonymous)
Messages = pages_only(MessageMiddleware)
Htmx = pages_only(HtmxMiddleware)
SecondFactor = pages_only(SecondFactorMiddleware)
