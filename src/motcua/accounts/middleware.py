"""One gate for every officer surface: a session that has only typed the password goes to the second factor.

Officers (and anyone who may open Django admin) who signed in with a password but have not yet confirmed a
TOTP code (``twofactor.pending_step``) are sent to the enrolment or verification page from any page: back
office, Django admin with the audit log, statistics, document downloads. The API answers such a session
itself, in JSON (api/auth.py ``SessionAuth``: 403 ``twofactor_required``). Open to them: the two second-
factor pages, signing in and out.
"""

from __future__ import annotations

from urllib.parse import quote

from django.shortcuts import redirect
from django.urls import reverse

from . import twofactor

OPEN_VIEWS = {"backoffice:twofa_verify", "backoffice:twofa_enrol", "portal:login", "portal:logout",
              "admin:login", "admin:logout"}


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.view_name in OPEN_VIEWS or match.namespace == "api":
            return None
        gate = second_factor_url(request, request.get_full_path())
        return redirect(gate) if gate else None


def second_factor_url(request, destination: str) -> str | None:
    """Where this session must go first on its way to `destination`: the enrolment or the code page, which then
    sends it on; None when it may go straight there."""
    step = twofactor.pending_step(request)
    if step is None:
        return None
    target = "backoffice:twofa_enrol" if step == "enrol" else "backoffice:twofa_verify"
    return f"{reverse(target)}?next={quote(destination)}"
