"""The caller's own account and API tokens."""

from __future__ import annotations

from django.db import transaction
from ninja import Router, Status

from motcua.accounts import lockout, permissions
from motcua.accounts.models import ApiToken
from motcua.core.errors import NotFound, PermissionDenied
from motcua.integrations import eid

from .auth import api_auth, issue_token, revoke_token
from .openapi import ERROR_REF
from .schemas import EidTokenIn, ErrorOut, MeOut, TokenCreatedOut, TokenIn, TokenOut

router = Router(tags=["accounts"], auth=api_auth)


def _token_out(t: ApiToken) -> dict:
    return {"id": t.pk, "name": t.name, "prefix": t.prefix, "created_at": t.created_at,
            "last_used_at": t.last_used_at, "revoked_at": t.revoked_at, "vneid": bool(t.eid_id_number)}


@router.get("/me", response={200: MeOut, 401: ErrorOut}, summary="Tài khoản đang gọi API và vai trò")
def me(request):
    user = request.auth
    return {"username": user.username, "full_name": user.full_name,
            "roles": [{"role": ra.role, "role_label": ra.get_role_display(),
                       "agency_code": ra.agency.code if ra.agency_id else None,
                       "agency_name": ra.agency.name if ra.agency_id else None}
                      for ra in permissions.roles_of(user)]}


@router.get("/tokens", response={200: list[TokenOut], 401: ErrorOut}, summary="Khóa API của tôi")
def list_tokens(request):
    return [_token_out(t) for t in ApiToken.objects.filter(user=request.auth).order_by("-created_at")]


@router.post("/tokens", response={201: TokenCreatedOut, 401: ErrorOut, 422: ErrorOut},
             summary="Tạo khóa API (chuỗi bí mật chỉ trả về một lần)")
def create_token(request, payload: TokenIn):
    token, raw = issue_token(request.auth, payload.name)
    return Status(201, {**_token_out(token), "token": raw})


EID_TOKEN_RULES = (
    "Ứng dụng của công dân (ứng dụng di động, ứng dụng của đối tác) đăng nhập bằng VNeID theo OpenID Connect, luồng "
    "mã ủy quyền + PKCE dành cho ứng dụng gốc (RFC 8252): ứng dụng tự mở yêu cầu ủy quyền của VNeID với `client_id` "
    "của hệ thống, địa chỉ chuyển hướng của mình, `state`, `nonce` và `code_challenge` (S256), rồi gửi mã ủy quyền "
    "nhận được cùng `code_verifier`, `redirect_uri`, `nonce` tới đây. Máy chủ đổi mã với VNeID, kiểm tra mã xác thực "
    "(ID token) và thông tin công dân như khi đăng nhập trên Cổng, xác nhận số định danh cho tài khoản công dân (tạo "
    "tài khoản nếu chưa có) và cấp một khóa API ghi nhận lần đăng nhập này (`vneid: true`). Hồ sơ nộp bằng khóa này "
    "cho chính người đã xác thực được tính là xác thực bằng VNeID (Quyết định 766, chỉ tiêu 4.5); hồ sơ nộp hộ người "
    "khác thì không. Khóa không hết hạn, thu hồi bằng `DELETE /accounts/tokens/{id}` như các khóa khác. Lỗi: 400 "
    "`eid_redirect_uri_not_allowed` (`redirect_uri` không phải địa chỉ chuyển hướng đã đăng ký cho ứng dụng; địa chỉ "
    "loopback `http://127.0.0.1` hoặc `http://[::1]` đã đăng ký được dùng với mọi cổng, RFC 8252 §7.3: VNeID không "
    "được hỏi, không ghi gì), "
    "`eid_code_invalid` (mã sai, đã dùng, hết hạn, hoặc `code_verifier`/`redirect_uri` không khớp), `eid_token_invalid`, "
    "`eid_token_expired` (mã xác thực sai chữ ký, không dành cho hệ thống, `nonce` không khớp, hết hạn), "
    "`eid_userinfo_failed`, `eid_subject_mismatch`, `eid_id_number_missing`; 403 `account_disabled` (tài khoản đã bị "
    "khóa: không cấp khóa, không ghi gì); 503 `eid_unavailable` (VNeID không trả lời), "
    "`eid_not_configured` (chưa kết nối VNeID). Mỗi lần bị từ chối 400 được tính vào số lần sai của địa chỉ gửi như "
    "khóa API sai: quá giới hạn, địa chỉ đó nhận 429 `too_many_attempts` một thời gian mà VNeID không được hỏi.")


@router.post("/tokens/eid", auth=None, response={201: TokenCreatedOut, 400: ErrorOut, 403: ErrorOut, 422: ErrorOut,
                                                    429: ErrorOut, 503: ErrorOut},
             summary="Đăng nhập bằng VNeID từ ứng dụng và nhận khóa API", description=EID_TOKEN_RULES,
             openapi_extra={"responses": {
                 "400": {"description": "Địa chỉ chuyển hướng chưa đăng ký (`eid_redirect_uri_not_allowed`), VNeID "
                                        "từ chối mã ủy quyền, hoặc mã xác thực/thông tin công dân không hợp lệ "
                                        "(`eid_code_invalid`, `eid_token_invalid`, …).",
                         "content": {"application/json": {"schema": ERROR_REF}}},
                 "503": {"description": "VNeID tạm thời không trả lời (`eid_unavailable`), chưa kết nối VNeID "
                                        "(`eid_not_configured`), hoặc cơ sở dữ liệu bận.",
                         "content": {"application/json": {"schema": ERROR_REF}}}}})
def create_token_with_eid(request, payload: EidTokenIn):
    # The provider is asked first, outside any transaction; the account and its token are written together. Every
    # refusal of the sign-in (a redirect URI not registered, checked before the provider is asked; a code the provider
    # refuses) counts as a bad token does: an address sending them stops reaching the provider for a while.
    lockout.refuse_token_guessing(request)
    try:
        eid.check_app_redirect_uri(request, payload.redirect_uri)
        person = eid.vouched_person(code=payload.code, redirect_uri=payload.redirect_uri,
                                    verifier=payload.code_verifier, nonce=payload.nonce)
    except eid.EidError as err:
        if err.status < 500:
            lockout.note_bad_token(request)
        raise
    with transaction.atomic():
        user = eid.citizen_for(person)  # its older tokens stop here when the number was only typed at sign-up
        if not user.is_active:  # its token would be refused on every call
            raise PermissionDenied("account_disabled", "Tài khoản của công dân này đã bị khóa; vui lòng liên hệ cơ "
                                                       "quan quản lý hệ thống.")
        token, raw = issue_token(user, payload.name, eid_id_number=user.verified_id_number)
    return Status(201, {**_token_out(token), "token": raw})


@router.delete("/tokens/{id:token_id}", response={200: TokenOut, 401: ErrorOut, 404: ErrorOut},
               summary="Thu hồi khóa API")
def delete_token(request, token_id: int):
    token = ApiToken.objects.filter(user=request.auth, pk=token_id).first()
    if token is None:
        raise NotFound("token_not_found", "Không tìm thấy khóa API.")
    revoke_token(token)
    return _token_out(token)
