"""The caller's own account and API tokens."""

from __future__ import annotations

from ninja import Router, Status

from motcua.accounts import permissions
from motcua.accounts.models import ApiToken
from motcua.core.errors import NotFound

from .auth import api_auth, issue_token, revoke_token
from .schemas import ErrorOut, MeOut, TokenCreatedOut, TokenIn, TokenOut

router = Router(tags=["accounts"], auth=api_auth)


def _token_out(t: ApiToken) -> dict:
    return {"id": t.pk, "name": t.name, "prefix": t.prefix, "created_at": t.created_at,
            "last_used_at": t.last_used_at, "revoked_at": t.revoked_at}


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


@router.delete("/tokens/{token_id}", response={200: TokenOut, 401: ErrorOut, 404: ErrorOut},
               summary="Thu hồi khóa API")
def delete_token(request, token_id: int):
    token = ApiToken.objects.filter(user=request.auth, pk=token_id).first()
    if token is None:
        raise NotFound("token_not_found", "Không tìm thấy khóa API.")
    revoke_token(token)
    return _token_out(token)
