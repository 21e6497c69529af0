"""What every back-office page needs: the officer check (role and second factor) and the page frame."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from motcua.accounts.middleware import second_factor_url
from motcua.accounts.permissions import is_officer
from motcua.web.pages import officer_frame, page, workplace

PER_PAGE = 30
QUEUE_MAX = 200  # longest list a queue shows; the search page pages through the rest


def officer_required(view):
    """Signed in, holding an officer role, and past the second factor (TOTP) in this session."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_officer(request.user):
            return page(request, "backoffice/forbidden.html", {}, status=403)
        gate = second_factor_url(request, request.get_full_path())
        if gate:
            return redirect(gate)
        return view(request, *args, **kwargs)

    return wrapper


def next_url(request):
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    # Back to the page the second-factor gate (accounts.middleware) sent the officer from: any page here.
    if nxt.startswith("/") and url_has_allowed_host_and_scheme(nxt, {request.get_host()}):
        return nxt
    return workplace(request.user)


def page_context(request, **kw):
    return officer_frame(request, **kw)


def bo_page(request, template, ctx=None, status=200):
    return page(request, template, page_context(request, **(ctx or {})), status=status)
