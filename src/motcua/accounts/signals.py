"""Sign-in, sign-out and failed sign-in attempts are written to the audit trail (never the password)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from motcua.audit.services import record

from .lockout import client_address


def _client(request) -> dict:
    if request is None:
        return {}
    return {"ip": client_address(request) or "",
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:200]}


@receiver(user_logged_in, dispatch_uid="motcua_audit_login")
def _logged_in(sender, request, user, **kwargs):
    record(user, "account.login", "user", user.pk, _client(request))


@receiver(user_logged_out, dispatch_uid="motcua_audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(user, "account.logout", "user", user.pk, _client(request))


@receiver(user_login_failed, dispatch_uid="motcua_audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:64]
    record(None, "account.login_failed", "user", username, _client(request))
