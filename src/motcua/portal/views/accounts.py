"""Portal pages of the citizen's account: sign in (username or ID number), sign out, sign up, and a password set after
a VNeID sign-in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.db.models import Case, When
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from motcua.accounts.middleware import second_factor_url
from motcua.accounts.services import register_citizen, set_password_after_eid
from motcua.core.errors import DomainError
from motcua.integrations import eid
from motcua.integrations.config import target_config
from motcua.web.pages import actor, page, place_domain_error, workplace

from ..forms import (
    LoginForm,
    SetPasswordForm,
    SignupForm,
)


def _safe_next(request, default="portal:my_dossiers"):
    nxt = request.POST.get("next") or request.GET.get("next")
    if nxt and url_has_allowed_host_and_scheme(nxt, {request.get_host()}, require_https=request.is_secure()):
        return nxt
    return default


def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"].strip()
        # Signing in by ID number: should several accounts carry it (one registered later by someone typing another
        # person's number), the account the national e-ID vouched for, else the first registered.
        by_id = (get_user_model().objects.filter(id_number=username)
                 .order_by(Case(When(verified_id_number=username, then=0), default=1), "pk")
                 .values_list("username", flat=True).first())
        user = authenticate(request, username=by_id or username, password=form.cleaned_data["password"])
        if user is None:
            form.add_error(None, "Tên đăng nhập hoặc mật khẩu không đúng.")
        else:
            login(request, user)
            messages.success(request, f"Xin chào {user}.")
            # One redirect: to the page asked for or where this person works, through the officer's second factor
            # first (its page then sends them on), not via the back office's front door.
            destination = _safe_next(request, workplace(user))
            return redirect(second_factor_url(request, destination) or destination)
    return page(request, "portal/login.html", {"form": form, "next": request.GET.get("next", ""), "nav": "login",
                                               "eid_url": _eid_url(request)},
                status=400 if form.errors else 200)


def _eid_url(request, next_url: str = "") -> str:
    """The national e-ID sign-in, offered first as on the national portal; none when it is not connected."""
    if not target_config("eid").get("url"):
        return ""
    nxt = next_url or _safe_next(request, "")
    return f"{reverse('integrations:eid_start')}?{urlencode({'next': nxt or reverse('portal:my_dossiers')})}"


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, "Bạn đã đăng xuất.")
    return redirect("portal:home")


def signup(request):
    form = SignupForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user = register_citizen(username=d["username"], password=d["password"], full_name=d["full_name"],
                                    id_number=d["id_number"], phone=d["phone"], email=d.get("email", ""))
        except DomainError as err:
            place_domain_error(form, err)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Đăng ký tài khoản thành công.")
            return redirect(_safe_next(request, "portal:my_dossiers"))
    status = 429 if form.refused else 400 if form.errors else 200
    return page(request, "portal/signup.html", {"form": form, "nav": "signup", "eid_url": _eid_url(request)},
                status=status)


@login_required
def set_password(request):
    """Set or change the password after a VNeID sign-in: the e-ID sign-in of the number's holder makes the password
    typed at sign-up unusable (accounts.vouch_id_number); this is the way back to signing in with ID number and
    password. A session signed in with a password only is refused: it proves nothing about the number."""
    user = actor(request)
    if not eid.holder_signed_in(request.session, user):
        return page(request, "portal/set_password.html", {
            "refused": True, "eid_url": _eid_url(request, reverse("portal:set_password")), "nav": "mine"}, status=403)
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            set_password_after_eid(user, form.cleaned_data["password"])
        except DomainError as err:
            place_domain_error(form, err)
        else:
            update_session_auth_hash(request, user)  # this session stays signed in; the others end
            messages.success(request, "Đã đặt mật khẩu. Từ nay bạn đăng nhập được bằng số định danh cá nhân và mật "
                                      "khẩu này, hoặc bằng VNeID.")
            return redirect("portal:my_dossiers")
    return page(request, "portal/set_password.html", {"form": form, "replacing": user.has_usable_password(),
                                                      "nav": "mine"}, status=400 if form.errors else 200)
