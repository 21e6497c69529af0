"""Public tracking of a dossier by its code and 4 digits, with an attempt limit per address and per code (a window,
and a day for the code: accounts.lockout)."""

from __future__ import annotations

from django.db.models import Q

from motcua.accounts.lockout import lookup_refusal, note_wrong_lookup
from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier
from motcua.web.pages import page

from ..forms import (
    TrackForm,
)


def track(request):
    """Public tracking. POST only for the look-up: the 4 digits never appear in a URL or an access log."""
    posted = request.method == "POST"
    form = TrackForm(request.POST) if posted else TrackForm()
    dossier = None
    status = 200
    if posted and form.is_valid():
        code, secret = form.cleaned_data["code"], form.cleaned_data["secret"]
        refusal = lookup_refusal(request, "dossier", code)  # per address and per code (accounts.lockout)
        if refusal:
            form.add_error(None, refusal)
            status = 429
        else:
            dossier = (Dossier.objects.select_related("procedure", "agency", "current_agency")
                       .filter(code=code).filter(Q(applicant_id_number__endswith=secret)
                                                 | Q(applicant_phone__endswith=secret)).first())
            if dossier is None:
                note_wrong_lookup(request, "dossier", code)
                form.add_error(None, "Không tìm thấy hồ sơ với mã và 4 số đã nhập.")
                status = 404
    elif posted:
        status = 400
    filed_with = lifecycle.filed_with(dossier) if dossier else None
    events = dossier.events.select_related("to_agency") if dossier else []  # a hand-over names its agency
    ctx = {"form": form, "d": dossier, "events": events, "nav": "track",
           "filed_with": filed_with, "moved_because": lifecycle.moved_because(dossier) if filed_with else ""}
    resp = page(request, "portal/track.html", ctx, status=status)
    if posted:
        resp["Cache-Control"] = "no-store"  # a shared computer's back button must not replay someone's dossier
    return resp
