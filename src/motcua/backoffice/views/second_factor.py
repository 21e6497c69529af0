"""Officers' second sign-in step (TOTP): enrolment with a QR code and recovery codes, and verification."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.safestring import mark_safe

from motcua.accounts import twofactor
from motcua.core.errors import DomainError
from motcua.web.pages import actor, page

from ..forms import TwoFactorForm
from .common import next_url


@login_required
def twofa_verify(request):
    """Second sign-in step for officers: the 6-digit code from the authenticator app (or a recovery code)."""
    if not twofactor.is_required(request.user):
        return page(request, "backoffice/forbidden.html", {}, status=403)
    step = twofactor.needs_second_factor(request)
    if step == "enrol":
        return redirect(f"{reverse('backoffice:twofa_enrol')}?next={quote(next_url(request))}")
    if step is None:
        return redirect(next_url(request))
    form = TwoFactorForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            twofactor.check(actor(request), form.cleaned_data["code"])
        except DomainError as err:
            form.add_error("code", err.message)
            status = err.status
        else:
            twofactor.mark_session_verified(request)
            return redirect(next_url(request))
    elif request.method == "POST":
        status = 400
    return page(request, "backoffice/twofa_verify.html", {"form": form, "next": next_url(request)}, status=status)


ENROL_SESSION = "motcua_2fa_enrolment"


@login_required
def twofa_enrol(request):
    """Officers turn on 2FA once: scan the QR code, type the first code, keep the recovery codes."""
    if not twofactor.is_required(request.user):
        return page(request, "backoffice/forbidden.html", {}, status=403)
    if twofactor.is_enabled(request.user):
        return redirect(next_url(request))
    form = TwoFactorForm(request.POST or None)
    pending = request.session.get(ENROL_SESSION)
    status = 200
    if request.method == "POST" and pending and form.is_valid():
        try:
            codes = twofactor.confirm_enrolment(actor(request), form.cleaned_data["code"])
        except DomainError as err:
            form.add_error("code", err.message)
            status = err.status
        else:
            request.session.pop(ENROL_SESSION, None)
            twofactor.mark_session_verified(request)
            return page(request, "backoffice/twofa_codes.html", {"codes": codes, "next": next_url(request)})
    elif request.method == "POST":
        status = 400
    if request.method == "GET" or not pending:
        enrolment = twofactor.start_enrolment(actor(request))
        pending = {"secret": enrolment.secret, "uri": enrolment.uri}
        request.session[ENROL_SESSION] = pending
    import segno

    qr = segno.make(pending["uri"], error="m").svg_inline(scale=4, title="Mã QR xác thực hai lớp")
    grouped = " ".join(pending["secret"][i:i + 4] for i in range(0, len(pending["secret"]), 4))
    return page(request, "backoffice/twofa_enrol.html", {"form": form, "qr": mark_safe(qr), "secret": grouped,
                                                         "next": next_url(request)}, status=status)
