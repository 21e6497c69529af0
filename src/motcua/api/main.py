"""The OpenAPI surface under /api/v1; each app contributes a router (motcua.api.<app>)."""

from django.core.exceptions import RequestDataTooBig
from django.db import DataError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer

from motcua.core.errors import DomainError

from . import accounts, catalog, documents, dossiers, engagement, integrations, payments, reporting, transformation
from . import slips as _slips  # noqa: F401  (adds the slip downloads to the dossiers router)
from .schemas import http_error_payload, validation_payload

DESCRIPTION = """
API của hệ thống Một Cửa Số cho các hệ thống tích hợp.

**Xác thực.** Gửi `Authorization: Bearer <khóa>`; khóa do quản trị tạo bằng
`manage.py create_api_token TÊN_ĐĂNG_NHẬP "tên khóa"` hoặc qua `POST /api/v1/accounts/tokens`.
Trang web của hệ thống dùng phiên đăng nhập (kèm mã CSRF `X-CSRFToken` khi gửi dữ liệu); phiên của cán bộ
chưa nhập mã xác thực hai lớp nhận 403 `twofactor_required`. Một địa chỉ gửi quá nhiều khóa API sai bị từ
chối tạm thời: 429 `too_many_attempts`.
Tra cứu thủ tục (`/catalog`) không cần xác thực.

**Hồ sơ.** Hồ sơ được gọi bằng mã hồ sơ. Mỗi thao tác nghiệp vụ là một `POST /dossiers/{code}/<thao-tác>`,
thực hiện trọn vẹn hoặc không thay đổi gì, và trả về trạng thái mới cùng danh sách thao tác người gọi được làm tiếp
(`allowed_actions`). Khi nộp hồ sơ, gửi kèm `Idempotency-Key`: gửi lại cùng khóa trả về đúng hồ sơ đã tạo.

**Lỗi.** Mọi lỗi trả về `{"code": "...", "message": "..."}` (thông điệp tiếng Việt): 401 `unauthenticated`,
403 `forbidden`, 404 `dossier_not_found`, 409 `invalid_transition` và các mã nghiệp vụ khác,
422 `invalid_input` với `details.fields` cho từng trường.
"""


class VietnameseJSONRenderer(JSONRenderer):
    """UTF-8 JSON: Vietnamese text as itself, not \\u escapes (about a third smaller on slow links)."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(title="Một Cửa Số API", version="1", urls_namespace="api", description=DESCRIPTION,
               renderer=VietnameseJSONRenderer())


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    return api.create_response(request, validation_payload(exc.errors), status=422)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(request, {"code": "unauthenticated", "message": "Chưa xác thực: cần khóa API "
                               "(Authorization: Bearer …) hoặc phiên đăng nhập hợp lệ."}, status=401)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return api.create_response(request, http_error_payload(exc), status=exc.status_code)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"code": "not_found", "message": "Không tìm thấy."}, status=404)


@api.exception_handler(DataError)
def data_error(request, exc):
    # Last line of defence: a value the database cannot store (NUL byte, out-of-range number) is
    # the caller's input, not a server fault. The failed statement's transaction is already rolled back.
    return api.create_response(request, {"code": "invalid_input", "message": "Dữ liệu gửi lên chứa giá trị không "
                               "lưu được (ký tự hoặc số không hợp lệ)."}, status=422)


@api.exception_handler(RequestDataTooBig)
def too_big(request, exc):
    return api.create_response(request, {"code": "payload_too_large", "message": "Nội dung gửi lên quá lớn; "
                               "tệp đính kèm hãy gửi qua API tài liệu."}, status=413)


@api.get("/health", tags=["system"])
def health(request):
    return {"status": "ok"}


api.add_router("/accounts", accounts.router)
api.add_router("/catalog", catalog.router)
api.add_router("/dossiers", dossiers.router)
api.add_router("/documents", documents.router)
api.add_router("/payments", payments.router)
api.add_router("/engagement", engagement.router)
api.add_router("/integrations", integrations.router)
api.add_router("/reporting", reporting.router)
api.add_router("/transformation", transformation.router)
