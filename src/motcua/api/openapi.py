"""The OpenAPI document lists, for every operation, each status it can answer.

Routers declare what their own code answers (a 404 for an unknown dossier, a 409 for a refused transition,
415 for a file type, ...). The answers that come from the API's machinery rather than from an operation's
code are the same for every operation of a kind, so they are added here, in one place, with the ``ErrorOut``
schema (api/errors.py produces them):

- any operation touching the database: 503 (``database_busy``, ``database_unavailable``, with Retry-After);
- with authentication: 401 (no or unknown credentials), 403 (``twofactor_required``, ``csrf_failed``),
  429 (``too_many_attempts`` for an address guessing tokens);
- with parameters or a body: 422 (``invalid_input`` with ``details.fields``);
- with a path parameter: 404 (nothing of that kind under that name, or a name the route does not accept);
- with a body: 400 (``invalid_json``, ``malformed_multipart``, ``invalid_encoding``), 413
  (``payload_too_large``, ``too_many_parts``);
- a write (POST, PUT, PATCH, DELETE): 409 (``conflict``: another request changed the same data first).

tests/api/test_openapi_fuzz.py holds the API to it.
"""

from __future__ import annotations

from http import HTTPStatus

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
WRITES = {"post", "put", "patch", "delete"}
NO_DATABASE = {"/api/v1/health"}
DESCRIPTIONS = {
    "400": "Nội dung yêu cầu không đọc được (JSON, multipart, mã hóa ký tự).",
    "401": "Chưa xác thực.",
    "403": "Không có quyền, hoặc phiên cán bộ chưa xác thực hai lớp (`twofactor_required`).",
    "404": "Không tìm thấy.",
    "409": "Xung đột: trạng thái không cho phép, hoặc dữ liệu vừa bị yêu cầu khác thay đổi (`conflict`).",
    "413": "Nội dung gửi lên quá lớn.",
    "422": "Dữ liệu không hợp lệ (`details.fields` theo từng trường).",
    "429": "Quá nhiều lần thử sai (khóa API từ địa chỉ này, hoặc mã tra cứu với thông tin đi kèm); thử lại sau.",
    "503": "Cơ sở dữ liệu tạm thời bận hoặc không truy cập được; thử lại sau `Retry-After` giây.",
    "415": "Loại tệp không được nhận.",
    "502": "Hệ thống bên ngoài (cổng thanh toán) từ chối yêu cầu hoặc trả lời không đọc được; chưa ghi nhận gì.",
}
SUCCESS = {"200": "Thành công.", "201": "Đã tạo.", "202": "Đã nhận, đang xử lý.", "204": "Thành công, không có nội dung."}


def told(**texts: str) -> dict:
    """``openapi_extra`` of an operation that says, under a status, which of its own codes it answers there and when
    (``told(**{"409": "…"})``): after the status's general description."""
    return {"responses": {code: {"description": f"{DESCRIPTIONS[code]} {text}",
                                 "content": {"application/json": {"schema": ERROR_REF}}}
                          for code, text in texts.items()}}


def machinery_statuses(path: str, method: str, operation: dict) -> set[str]:
    params = {p.get("in") for p in operation.get("parameters", [])}
    body = "requestBody" in operation
    codes = set()
    if path not in NO_DATABASE:
        codes.add("503")
    if operation.get("security"):
        codes |= {"401", "403", "429"}
    if params or body:
        codes.add("422")
    if "path" in params:
        codes.add("404")
    if body:
        codes |= {"400", "413"}
    if method in WRITES:
        codes.add("409")
    return codes


def _error_response(code: str) -> dict:
    return {"description": DESCRIPTIONS[code], "content": {"application/json": {"schema": ERROR_REF}}}


def complete(schema: dict) -> dict:
    """Add the machinery's statuses to every operation that does not declare them yet."""
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            # ninja names the statuses an operation declares by number, ours by text: one key per status
            responses = {str(code): response for code, response in operation.get("responses", {}).items()}
            operation["responses"] = responses
            for code in sorted(machinery_statuses(path, method, operation)):
                responses.setdefault(code, _error_response(code))
            for code, response in responses.items():  # what ninja describes in English, in Vietnamese
                if response.get("description") == HTTPStatus(int(code)).phrase:
                    response["description"] = DESCRIPTIONS.get(code) or SUCCESS.get(code, response["description"])
    return schema


class MotcuaSchema(OpenAPISchema):
    def operation_security(self, operation):
        """An operation anyone may call that answers a signed-in caller more (api.auth.optional_auth) lists no
        credentials (``{}``) among its alternatives: OpenAPI's word for an optional sign-in."""
        security = super().operation_security(operation)
        if security and any(getattr(auth, "anonymous", False) for auth in operation.auth_callbacks):
            security.append({})
        return security


class MotcuaAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        schema = MotcuaSchema(self, path_prefix)
        if "ErrorOut" not in schema.get("components", {}).get("schemas", {}):  # pragma: no cover
            raise RuntimeError("ErrorOut must be in the OpenAPI components")
        return complete(schema)
