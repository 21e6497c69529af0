"""Sign-in with the national e-ID: two small views around motcua.integrations.eid."""

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from motcua.core.errors import DomainError

from . import eid


def _error(exc: DomainError) -> HttpResponse:
    html = (f'<!doctype html><html lang="vi"><meta charset="utf-8"><title>Không đăng nhập được</title>'
            f"<main><h1>Không đăng nhập được bằng định danh điện tử</h1><p>{escape(exc.message)}</p>"
            f'<p><a href="/tai-khoan/dang-nhap/">Đăng nhập bằng cách khác</a> · <a href="/">Về trang chủ</a></p>'
            f"</main></html>")
    return HttpResponse(html, status=exc.status)


@require_GET
def eid_start(request):
    next_url = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    try:
        return HttpResponseRedirect(eid.start(request, next_url=next_url, login_hint=request.GET.get("hint", "")))
    except DomainError as exc:
        return _error(exc)


@require_GET
def eid_callback(request):
    if request.GET.get("error"):
        return _error(eid.EidError("eid_denied", "Bạn đã hủy hoặc từ chối đăng nhập bằng định danh điện tử."))
    try:
        user, next_url = eid.finish(request, code=request.GET.get("code", ""), state=request.GET.get("state", ""))
    except DomainError as exc:
        return _error(exc)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[eid.VERIFIED_KEY] = user.verified_id_number  # which number it proved: eid.holder_signed_in
    if getattr(user, "password_cleared_by_eid", False):
        messages.info(request, format_html(
            "Số định danh cá nhân của tài khoản đã được xác thực bằng định danh điện tử. Mật khẩu đặt khi đăng ký và "
            "các khóa API cũ không còn dùng được. Đăng nhập bằng VNeID, hoặc <a href=\"{}\">đặt mật khẩu mới</a> để "
            "đăng nhập bằng số định danh và mật khẩu.", reverse("portal:set_password")))
    return HttpResponseRedirect(next_url)
