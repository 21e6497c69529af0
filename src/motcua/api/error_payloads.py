"""The API's error answers for what the caller sent: pydantic/ninja validation errors and ninja's HTTP errors,
turned into ``{code, message, details?}`` with Vietnamese messages (api/errors.py decides which applies)."""

from __future__ import annotations

from motcua.core.money import format_number

from .values import MAX_FORM_BYTES

_MESSAGES = {
    "missing": "Thiếu thông tin bắt buộc.",
    "string_type": "Phải là một chuỗi ký tự.",
    "string_too_short": "Không được để trống.",
    "string_too_long": "Quá dài: tối đa {max_length} ký tự.",
    "int_type": "Phải là một số nguyên.",
    "int_parsing": "Phải là một số nguyên.",
    "int_from_float": "Phải là một số nguyên.",
    "float_type": "Phải là một số.",
    "float_parsing": "Phải là một số.",
    "greater_than_equal": "Phải lớn hơn hoặc bằng {ge}.",
    "less_than_equal": "Phải nhỏ hơn hoặc bằng {le}.",
    "bool_type": "Phải là true hoặc false.",
    "bool_parsing": "Phải là true hoặc false.",
    "dict_type": "Phải là một đối tượng JSON.",
    "model_type": "Phải là một đối tượng JSON.",
    "model_attributes_type": "Phải là một đối tượng JSON.",
    "list_type": "Phải là một danh sách.",
    "too_short": "Cần ít nhất {min_length} phần tử.",
    "too_long": "Tối đa {max_length} phần tử.",
    "literal_error": "Giá trị không hợp lệ; chấp nhận: {expected}.",
    "datetime_type": "Phải là ngày giờ (ISO 8601).",
    "datetime_parsing": "Phải là ngày giờ (ISO 8601).",
    "datetime_from_date_parsing": "Phải là ngày (YYYY-MM-DD) hoặc ngày giờ ISO 8601.",
    "date_parsing": "Phải là ngày (YYYY-MM-DD).",
    "date_from_datetime_parsing": "Phải là ngày (YYYY-MM-DD).",
    "json_invalid": "Nội dung JSON không hợp lệ.",
    "extra_forbidden": "Trường không được phép.",
}
_VALUE_ERRORS = {"form_too_large": f"Nội dung tờ khai quá lớn (tối đa {MAX_FORM_BYTES // 1024} KB).",
                 "nul_character": "Có ký tự không hợp lệ (NUL)."}
_LOC_SKIP = {"body", "payload", "query", "path", "header", "cookie", "form", "data"}
# Names pydantic adds to the location for each member of a union (e.g. new_due_at.datetime).
_UNION_TAGS = {"datetime", "date", "str", "int", "float", "bool", "dict", "list", "none", "ApplicantIn"}


def _field_name(loc) -> str:
    parts = [str(p) for p in loc or () if str(p) not in _LOC_SKIP and str(p) not in _UNION_TAGS
             and "[" not in str(p)]
    return ".".join(parts) or "body"


def _shown(value):
    """A limit in a message as people read it: «tối đa 5.000 ký tự», «nhỏ hơn hoặc bằng 0,5»."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return format_number(value)
    return f"{value:g}".replace(".", ",") if isinstance(value, float) else value


def _message(err: dict) -> str:
    kind = err.get("type", "")
    if kind == "value_error":
        ctx_error = str((err.get("ctx") or {}).get("error", ""))
        return _VALUE_ERRORS.get(ctx_error, "Giá trị không hợp lệ.")
    template = _MESSAGES.get(kind)
    if template is None:
        return "Giá trị không hợp lệ."
    try:
        return template.format(**{k: _shown(v) for k, v in (err.get("ctx") or {}).items()})
    except (KeyError, IndexError, ValueError):
        return template.split(":")[0] + "."


def validation_payload(errors: list[dict]) -> dict:
    """ninja/pydantic errors → {code: invalid_input, message, fields: {name: Vietnamese message}}."""
    fields: dict[str, str] = {}
    for err in errors:
        fields.setdefault(_field_name(err.get("loc")), _message(err))
    return {
        "code": "invalid_input",
        "message": "Dữ liệu gửi lên không hợp lệ: " + "; ".join(f"{k}: {v}" for k, v in fields.items()),
        "details": {"fields": fields},
    }


def http_error_payload(exc) -> dict:
    status = getattr(exc, "status_code", 400)
    text = str(exc)
    if text == "csrf_failed" or "CSRF" in text:
        return {"code": "csrf_failed", "message": "Thiếu hoặc sai mã chống giả mạo (CSRF) của phiên đăng nhập."}
    if status == 400 and "parse request body" in text:
        return {"code": "invalid_json", "message": "Nội dung yêu cầu không phải JSON hợp lệ."}
    if status == 403:
        return {"code": "forbidden", "message": "Không có quyền thực hiện thao tác này."}
    if status == 404:
        return {"code": "not_found", "message": "Không tìm thấy."}
    if status == 429:
        return {"code": "throttled", "message": "Quá nhiều yêu cầu; vui lòng thử lại sau."}
    return {"code": "bad_request", "message": "Yêu cầu không hợp lệ."}
