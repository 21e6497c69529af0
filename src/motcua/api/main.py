"""The OpenAPI surface under /api/v1; each app contributes a router (motcua.api.<app>)."""

import json

import orjson
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from motcua.core.text import nfc, nfc_querydict, unique_keys

from . import (
    accounts,
    catalog,
    documents,
    dossiers,
    engagement,
    errors,
    integrations,
    openapi,
    payments,
    reporting,
    retry,
    transformation,
)
from . import feedback_tracking as _feedback_tracking  # noqa: F401  (adds feedback tracking to the engagement router)
from . import report_builds as _report_builds  # noqa: F401  (adds the background report builds to the reporting router)
from . import slips as _slips  # noqa: F401  (adds the slip downloads to the dossiers router)

DESCRIPTION = """
API của hệ thống Một Cửa Số cho các hệ thống tích hợp.

**Xác thực.** Gửi `Authorization: Bearer <khóa>`; khóa do quản trị tạo bằng
`manage.py create_api_token TÊN_ĐĂNG_NHẬP "tên khóa"` hoặc qua `POST /api/v1/accounts/tokens`. Ứng dụng của công
dân đăng nhập bằng VNeID (mã ủy quyền + PKCE) rồi đổi mã lấy khóa qua `POST /api/v1/accounts/tokens/eid`: hồ sơ nộp
bằng khóa đó cho chính người đã xác thực được tính là xác thực bằng VNeID (Quyết định 766, chỉ tiêu 4.5).
Trang web của hệ thống dùng phiên đăng nhập (kèm mã CSRF `X-CSRFToken` khi gửi dữ liệu); phiên của cán bộ
chưa nhập mã xác thực hai lớp nhận 403 `twofactor_required`. Một địa chỉ gửi quá nhiều khóa API sai bị từ
chối tạm thời: 429 `too_many_attempts`.
Tra cứu thủ tục (`/catalog`) không cần xác thực.

**Hồ sơ.** Hồ sơ được gọi bằng mã hồ sơ. Mỗi thao tác nghiệp vụ là một `POST /dossiers/{code}/<thao-tác>`,
thực hiện trọn vẹn hoặc không thay đổi gì, và trả về trạng thái mới cùng danh sách thao tác người gọi được làm tiếp
(`allowed_actions`). Khi nộp hồ sơ, gửi kèm `Idempotency-Key`: gửi lại cùng khóa trả về đúng hồ sơ đã tạo.

**Lỗi.** Mọi lỗi trả về JSON `{"code": "...", "message": "..."}` (thông điệp tiếng Việt), không bao giờ là
trang HTML: 400 `invalid_json`, `malformed_multipart`, `invalid_encoding`, `bad_request`; 401 `unauthenticated`;
403 `forbidden`, `twofactor_required`; 404 `dossier_not_found`, `not_found`; 409 `invalid_transition`,
`conflict` và các mã nghiệp vụ khác; 413 `payload_too_large`; 422 `invalid_input` với `details.fields` cho
từng trường (giá trị có/không: `true` hoặc `false` của JSON, trong chuỗi truy vấn hay biểu mẫu đúng chữ `true`
hoặc `false`; số nguyên: chỉ các chữ số 0–9; "yes", "1", "on", "1_0", "10.0" bị từ chối); 422 `duplicate_key`
khi một đối tượng JSON có một khóa gửi hai lần (y hệt nhau, hoặc một lần dạng dựng sẵn, một lần dạng tổ hợp);
429 `too_many_attempts`; 503 `database_busy` / `database_unavailable` kèm `Retry-After` (giây).
Yêu cầu GET/PUT/DELETE, yêu cầu có `Idempotency-Key` và các thao tác nghiệp vụ trên hồ sơ
(`POST /dossiers/{code}/<thao-tác>`) được hệ thống tự thử lại khi cơ sở dữ liệu báo xung đột đồng thời; các
yêu cầu khác nhận 503 và có thể gửi lại.
"""


class VietnameseJSONRenderer(JSONRenderer):
    """UTF-8 JSON: Vietnamese text as itself, not \\u escapes (about a third smaller on slow links).

    Encoded by orjson (several times faster than the standard library); dates, times, decimals and anything
    else orjson does not write the way Django's encoder does go through the encoder below (ninja's, i.e.
    Django's), so the answer's values are unchanged — only the insignificant spaces go. (orjson writes a plain
    ``enum.Enum`` as its value where the standard encoder wrote ``str()``; the API returns none: its choices
    are Django's ``TextChoices``, strings either way.)
    """

    json_dumps_params = {"ensure_ascii": False}
    _OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS

    def render(self, request, data, *, response_status):
        try:
            return orjson.dumps(data, default=self._default, option=self._OPTIONS)
        except (TypeError, orjson.JSONEncodeError):  # e.g. an integer over 64 bits: the standard library copes
            return super().render(request, data, response_status=response_status)

    _default = staticmethod(NinjaJSONEncoder().default)


class NfcParser(Parser):
    """The JSON body, query parameters and form fields an operation receives, with their Vietnamese text precomposed
    (core.text.nfc; password and secret fields as sent): the API's side of core.input.NfcInputMiddleware.
    request.body itself is left as sent (the payment callback checks its signature over it).

    A JSON object with a key sent twice, the same or once precomposed and once decomposed, is refused, 422
    ``duplicate_key`` (core.text.DuplicateKey, the first case seen while parsing: core.text.unique_keys; ninja wraps
    it in its 400, api.errors answers the cause); a query parameter or form field sent both ways is one, with the
    values of both (core.text.nfc_querydict), as on the pages."""

    def parse_body(self, request):
        return nfc(json.loads(request.body, object_pairs_hook=unique_keys))

    def parse_querydict(self, data, list_fields, request):
        return super().parse_querydict(nfc_querydict(data), list_fields, request)


api = openapi.MotcuaAPI(title="Một Cửa Số API", version="1", urls_namespace="api", description=DESCRIPTION,
               renderer=VietnameseJSONRenderer(), parser=NfcParser())


errors.install(api)  # every error → JSON ErrorOut (api/errors.py)
api.add_decorator(retry.retrying)  # serialization failures and deadlocks: tried again where safe (api/retry.py)


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
