"""Public tracking of a dossier by its code and 4 digits, with an attempt limit per address and per code."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Q

from motcua.accounts.lockout import client_address
from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier
from motcua.web.pages import page

from ..forms import (
    TrackForm,
)

TRACK_LIMIT = 10  # failed look-ups per IP (and per code) in TRACK_WINDOW seconds
TRACK_WINDOW = 15 * 60


def _throttle_keys(request, code):
    # The visitor's address, as the sign-in lockout counts it (behind MOTCUA_PROXY_COUNT proxies, the one
    # they appended to X-Forwarded-For): a commune office behind one proxy does not share one counter.
    return [f"track:ip:{client_address(request) or '?'}", f"track:code:{code}"]


def track(request):
    """Public tracking. POST only for the look-up: the 4 digits never appear in a URL or an access log."""
    posted = request.method == "POST"
    form = TrackForm(request.POST) if posted else TrackForm()
    dossier = None
    status = 200
    if posted and form.is_valid():
        code, secret = form.cleaned_data["code"], form.cleaned_data["secret"]
        keys = _throttle_keys(request, code)
        if any((cache.get(k) or 0) >= TRACK_LIMIT for k in keys):
            form.add_error(None, "Bạn đã tra cứu sai quá nhiều lần. Vui lòng thử lại sau 15 phút.")
            status = 429
        else:
            dossier = (Dossier.objects.select_related("procedure", "agency", "current_agency")
                       .filter(code=code).filter(Q(applicant_id_number__endswith=secret)
                                                 | Q(applicant_phone__endswith=secret)).first())
            if dossier is None:
                for k in keys:
                    cache.add(k, 0, TRACK_WINDOW)
                    try:
                        cache.incr(k)
                    except ValueError:
                        cache.set(k, 1, TRACK_WINDOW)
                form.add_error(None, "Không tìm thấy hồ sơ với mã và 4 số đã nhập.")
                status = 404
    elif posted:
        status = 400
    ctx = {"form": form, "d": dossier, "events": dossier.events.all() if dossier else [], "nav": "track",
           "filed_with": lifecycle.filed_with(dossier) if dossier else None}
    resp = page(request, "portal/track.html", ctx, status=status)
    if posted:
        resp["Cache-Control"] = "no-store"  # a shared computer's back button must not replay someone's dossier
    return resp
