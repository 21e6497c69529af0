"""The one place that turns an error reaching the API into its documented answer: JSON ``ErrorOut``
(``{"code", "message", "details"?}``, Vietnamese message), a 4xx for what the caller sent, a 503 with
``Retry-After`` for a database that is away or busy — never an HTML page.

``describe(exc)`` decides, for:

- domain errors (``core.errors``) and ninja's validation, authentication and HTTP errors;
- request parsing: a multipart body Django cannot read (a 1.000-character file name overflows the part's
  header limit), too many fields or files, a body over the size limit, bytes that are not UTF-8, any other
  "suspicious" request;
- the database: a value it cannot store (``DataError`` → 422), a uniqueness race (``IntegrityError`` → 409),
  a serialization failure, deadlock or lock timeout (``database_busy``, 503: ``api.retry`` has already tried
  again where that is safe), a lost connection (``database_unavailable``, 503), anything else it raises
  (``database_error``, 503).

It is installed twice: as ninja exception handlers (errors raised inside an operation) and as Django's
``handler400/403/404/500`` for paths under /api/ (errors raised before an operation runs — authentication,
middleware — and unknown API paths). A bug is still logged with its traceback and answered 500, in JSON.
"""

from __future__ import annotations

import logging
import sys

from django.contrib import admin
from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import DatabaseError, DataError, IntegrityError, OperationalError
from django.http import Http404, HttpResponseForbidden, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views import csrf, defaults
from ninja.errors import AuthenticationError, HttpError, ValidationError

from motcua.core.errors import DomainError
from motcua.db.middleware import UNAVAILABLE_MESSAGE
from motcua.db.outage import connection_lost

from .error_payloads import http_error_payload, validation_payload

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
RETRY_AFTER_S = 2
# PostgreSQL SQLSTATEs worth trying again: serialization_failure, deadlock_detected, lock_not_available.
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
SQLITE_BUSY = ("database is locked", "database table is locked")

UNAVAILABLE = UNAVAILABLE_MESSAGE  # the same words as the pages' 503 (motcua.db.middleware)
BUSY = ("Hệ thống đang bận vì nhiều yêu cầu đồng thời trên cùng dữ liệu; vui lòng gửi lại sau ít giây "
        "(kèm cùng Idempotency-Key nếu có).")

Answer = tuple[int, dict, dict]


def _error(status: int, code: str, message: str, **headers) -> Answer:
    return status, {"code": code, "message": message}, headers


def is_transient(exc: BaseException) -> bool:
    """A serialization failure, deadlock or lock wait that the same request may pass on a second try."""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if state in TRANSIENT_SQLSTATES:
        return True
    text = str(exc).lower()
    return any(marker in text for marker in SQLITE_BUSY)


def _database(exc: DatabaseError) -> Answer:
    if isinstance(exc, DataError):
        # A value the database cannot store (NUL byte, out-of-range number): the caller's input. The failed
        # statement's transaction is already rolled back.
        return _error(422, "invalid_input", "Dữ liệu gửi lên chứa giá trị không lưu được (ký tự hoặc số không hợp lệ).")
    if isinstance(exc, IntegrityError):
        return _error(409, "conflict", "Dữ liệu vừa được một yêu cầu khác thay đổi; vui lòng tải lại rồi thử lại.")
    retry = {"Retry-After": str(RETRY_AFTER_S)}
    if is_transient(exc):
        return _error(503, "database_busy", BUSY, **retry)
    # Logged with its traceback: a database that stays away is an operator's problem, not the caller's.
    log.error("database error under the API: %s", exc, exc_info=exc)
    if connection_lost(exc):
        return _error(503, "database_unavailable", UNAVAILABLE, **retry)
    return _error(503, "database_error", "Cơ sở dữ liệu không thực hiện được yêu cầu; vui lòng thử lại sau.", **retry)


def _parsing(exc: Exception) -> Answer | None:
    if isinstance(exc, RequestDataTooBig):
        return _error(413, "payload_too_large", "Nội dung gửi lên quá lớn; tệp đính kèm hãy gửi qua API tài liệu.")
    if isinstance(exc, (TooManyFieldsSent, TooManyFilesSent)):
        return _error(413, "too_many_parts", "Yêu cầu có quá nhiều trường hoặc tệp.")
    if isinstance(exc, MultiPartParserError):
        return _error(400, "malformed_multipart", "Không đọc được nội dung multipart/form-data (ranh giới, tên tệp "
                                                  "hoặc phần đầu của một phần quá dài hay sai dạng).")
    if isinstance(exc, UnicodeDecodeError):
        return _error(400, "invalid_encoding", "Nội dung gửi lên không phải văn bản UTF-8 hợp lệ.")
    if isinstance(exc, UnreadablePostError):
        return _error(400, "request_unreadable", "Không đọc được nội dung yêu cầu (kết nối bị ngắt giữa chừng).")
    if isinstance(exc, (SuspiciousOperation, BadRequest)):
        return _error(400, "bad_request", "Yêu cầu không hợp lệ.")
    return None


def describe(exc: BaseException) -> Answer | None:
    """(status, ErrorOut payload, headers) for an error the API answers by contract; None for a bug."""
    if isinstance(exc, DomainError):
        return exc.status, exc.as_dict(), {}
    if isinstance(exc, ValidationError):
        return 422, validation_payload(exc.errors), {}
    if isinstance(exc, AuthenticationError):
        return _error(401, "unauthenticated", "Chưa xác thực: cần khóa API (Authorization: Bearer …) hoặc phiên "
                                              "đăng nhập hợp lệ.")
    if isinstance(exc, HttpError):
        if isinstance(exc.__cause__, DomainError):  # raised while ninja parsed the body (api.main.NfcParser)
            return describe(exc.__cause__)
        return exc.status_code, http_error_payload(exc), {}
    if isinstance(exc, Http404):
        return _error(404, "not_found", "Không tìm thấy.")
    if isinstance(exc, DjangoPermissionDenied):
        return _error(403, "forbidden", "Không có quyền thực hiện thao tác này.")
    if isinstance(exc, DatabaseError):
        return _database(exc)
    return _parsing(exc) if isinstance(exc, Exception) else None


HANDLED = (DomainError, ValidationError, AuthenticationError, HttpError, Http404, DjangoPermissionDenied,
           DatabaseError, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent, MultiPartParserError,
           UnicodeDecodeError, UnreadablePostError, SuspiciousOperation, BadRequest)


def json_answer(answer: Answer) -> JsonResponse:
    status, payload, headers = answer
    response = JsonResponse(payload, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in headers.items():
        response[name] = value
    return response


def install(api) -> None:
    """Register the mapping as the ninja API's exception handlers."""

    def handle(request, exc):
        answer = describe(exc)
        if answer is None:  # pragma: no cover - only HANDLED classes are registered
            raise exc
        status, payload, headers = answer
        response = api.create_response(request, payload, status=status)
        for name, value in headers.items():
            response[name] = value
        return response

    for cls in HANDLED:
        api.add_exception_handler(cls, handle)


# ---------------------------------------------------------------- Django's error views (root urls.py)

def _for_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def bad_request(request, exception=None):
    if _for_api(request):
        return json_answer(describe(exception) or _error(400, "bad_request", "Yêu cầu không hợp lệ."))
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if _for_api(request):
        return json_answer(_error(403, "forbidden", "Không có quyền thực hiện thao tác này."))
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if _for_api(request):
        return json_answer(_error(404, "not_found", "Không tìm thấy địa chỉ API này."))
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _for_api(request):
        answer = describe(sys.exc_info()[1]) if sys.exc_info()[1] is not None else None
        return json_answer(answer or _error(500, "server_error", "Lỗi hệ thống; sự cố đã được ghi lại để xử lý."))
    return defaults.server_error(request)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form sent without its anti-forgery cookie or token. Under Django's admin the page has the
    admin's own look and header (admin/403_csrf.html); elsewhere the portal's frame (403_csrf.html), as Django's view."""
    if request.path.startswith(reverse("admin:index")):
        context = {**admin.site.each_context(request), "title": "Phiên làm việc đã hết hạn"}
        return HttpResponseForbidden(render_to_string("admin/403_csrf.html", context, request))
    return csrf.csrf_failure(request, reason)


class MethodNotAllowedPage:
    """A page asked with a method it does not take — a GET of a form's address (a bookmark, a reload, a link
    shared from the address bar): the Vietnamese page with its ``Allow`` header, instead of Django's empty 405.
    The API answers its own 405s."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.content or _for_api(request):
            return response
        page = render(request, "405.html", status=405)
        page["Allow"] = response.get("Allow", "")
        return page
