"""Request-level database behaviour: replica reads with read-your-own-writes, and outages as 503.

``ReplicaReadsMiddleware`` (installed only with a replica)
    A GET/HEAD of a view named in ``MOTCUA_REPLICA_VIEWS`` reads from the replica (see router.py), unless
    the browser wrote something in the last ``MOTCUA_READ_YOUR_WRITES_S`` seconds: every successful
    POST/PUT/PATCH/DELETE sets a short-lived cookie that keeps that browser's reads on the leader. The
    window is longer than the largest lag the replica may have (settings enforce it), so once it ends
    the replica holds the write too. A page whose replica query fails is served again from the leader.

``NulCharacterMiddleware``
    PostgreSQL text cannot hold the NUL character: a query parameter, form field or cookie carrying one would
    fail as the page filters or saves with it, a 500 wherever a view passes it on. A page request carrying one
    is refused first with a 400 (``NulCharacter``: the 400 page). Not under /api/: the API's schemas and
    handlers deal with NUL themselves, by its documented contract (422 for a text field, 404 for a code,
    ignored in a search: tests/api/test_errors.py).

``DatabaseUnavailableMiddleware``
    While the leader is lost (a failover takes seconds) a page fails with a connection error: the browser
    gets 503 with ``Retry-After`` and a Vietnamese message instead of a 500. Under /api/ the API's own
    error contract answers (``api.errors``: JSON ``database_unavailable``, the same message), and the
    caller retries (an idempotent retry: same ``Idempotency-Key``). Django closes
    the broken connection at the end of the request and the next request connects to the new leader
    (``CONN_HEALTH_CHECKS`` checks a reused connection first).
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.exceptions import BadRequest
from django.db import DatabaseError
from django.http import HttpResponse

from . import health
from .outage import connection_lost
from .router import _replica_reads

STICKY_COOKIE = "motcua_leader"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
UNAVAILABLE_MESSAGE = "Hệ thống tạm thời không truy cập được cơ sở dữ liệu. Vui lòng thử lại sau ít giây."
RETRY_AFTER_S = 2
API_PREFIX = "/api/"  # answered by the API's error contract (api.errors), which uses the message above
log = logging.getLogger(__name__)


class NulCharacter(BadRequest):
    """A request whose parameters, form fields or cookies carry the NUL character."""


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class NulCharacterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/"):
            return self.get_response(request)
        fields = [request.GET, request.COOKIES]
        if request.content_type in FORM_TYPES:
            fields.append(request.POST)
        if "\x00" in request.path or any("\x00" in key or any("\x00" in v for v in _values(source, key))
                                          for source in fields for key in source):
            raise NulCharacter("Dữ liệu gửi lên có ký tự NUL (\\x00), không hợp lệ.")
        return self.get_response(request)


def _values(source, key) -> list[str]:
    return source.getlist(key) if hasattr(source, "getlist") else [source[key]]


def sticky_window() -> float:
    return settings.MOTCUA_READ_YOUR_WRITES_S


def wrote_recently(request, now: float | None = None) -> bool:
    try:
        until = float(request.COOKIES.get(STICKY_COOKIE, "0"))
    except ValueError:
        return False
    return until > (time.time() if now is None else now)


def replica_view(request) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name in settings.MOTCUA_REPLICA_VIEWS


class ReplicaReadsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.motcua_replica = False
        token = _replica_reads.set(False)
        try:
            response = self.get_response(request)
        finally:
            _replica_reads.reset(token)
        if request.method not in SAFE_METHODS and response.status_code < 400:
            window = sticky_window()
            response.set_cookie(STICKY_COOKIE, str(int(time.time() + window) + 1), max_age=int(window) + 1,
                                httponly=True, samesite="Lax", secure=request.is_secure())
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in ("GET", "HEAD") and replica_view(request) and not wrote_recently(request):
            request.motcua_replica = health.usable()
            _replica_reads.set(request.motcua_replica)
            request.motcua_view = (view_func, view_args, view_kwargs)
        return None

    def process_exception(self, request, exception):
        if not (getattr(request, "motcua_replica", False) and connection_lost(exception)):
            return None
        health.mark_down()  # the replica failed mid-page: this page and the next ones read the leader
        request.motcua_replica = False
        _replica_reads.set(False)
        view_func, args, kwargs = request.motcua_view
        try:
            return view_func(request, *args, **kwargs)
        except DatabaseError as exc:
            if connection_lost(exc):
                return None  # the leader is away too: DatabaseUnavailableMiddleware answers 503
            raise


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not connection_lost(exception) or request.path.startswith(API_PREFIX):
            return None
        # Logged with its traceback: a database that stays away is an operator's problem, not a caller's.
        log.error("database unavailable for %s %s", request.method, request.path, exc_info=exception)
        response = HttpResponse(f"<!doctype html><html lang=vi><meta charset=utf-8><title>Tạm gián đoạn"
                                f"</title><p>{UNAVAILABLE_MESSAGE}</p></html>", status=503)
        response["Retry-After"] = str(RETRY_AFTER_S)
        return response
