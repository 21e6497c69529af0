"""The project's admin site (``audit.apps.AdminConfig``): the core one (``core.admin_site``: forged related values
are form errors), whose every addition, change and deletion — a role given, an account made superuser, a password
set, a row deleted — is also an entry of the audit trail, written in the request's transaction. Django's own
admin log stays as it is, but anyone who can write to the database can rewrite it; the trail is hash-chained."""

import json

from django.conf import settings
from django.contrib.admin import ModelAdmin
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db.models.base import ModelBase
from django.utils import translation

from motcua.core import event_labels
from motcua.core.admin_site import AdminSite as CoreAdminSite
from motcua.core.admin_site import with_mixin

from .services import record

ACTIONS = {ADDITION: "admin.add", CHANGE: "admin.change", DELETION: "admin.delete"}


def object_type(model) -> str:
    """``accounts.roleassignment``: the kind of row, as the trail names it (read as the model's Vietnamese name)."""
    return model._meta.label_lower


def _record(request, flag: int, obj, message) -> None:
    data = {"object": str(obj)[:200]}
    if message:  # as the admin's history page reads it: «Đã thay đổi …», «Đã thêm phân quyền “…”»
        with translation.override(settings.LANGUAGE_CODE):
            text = LogEntry(change_message=message if isinstance(message, str) else json.dumps(message))
            data["changes"] = text.get_change_message()
    record(request.user, ACTIONS[flag], object_type(type(obj)), obj.pk, data)


class AuditedChanges:
    """ModelAdmin mixin: what the admin logs, the audit trail records too (the change message lists the fields
    changed and the inline rows added, changed or deleted, never their values)."""

    def log_addition(self, request, obj, message):
        _record(request, ADDITION, obj, message)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        _record(request, CHANGE, obj, message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:  # called before the deletion, while the rows are still there
            _record(request, DELETION, obj, "")
        return super().log_deletions(request, queryset)


class AdminSite(CoreAdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = with_mixin(admin_class or ModelAdmin, AuditedChanges)
        models = [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else model_or_iterable
        for model in models:
            event_labels.OBJECT_TYPES.setdefault(object_type(model), str(model._meta.verbose_name))
        super().register(models, admin_class, **options)
