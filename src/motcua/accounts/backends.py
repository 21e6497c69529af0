"""Django permissions answered from our roles, so that lower apps ask ``user.has_perm(...)`` instead of
importing the roles (the audit trail's admin is one: the audit app sits below accounts; the reorganization of units is another).

``PERMISSION_CAPABILITIES`` maps a Django permission to a capability of
motcua.accounts.permissions.CAPABILITY_ROLES; Django's ModelBackend still answers for superusers and for
permissions granted in the admin.
"""

from __future__ import annotations

from .permissions import can

PERMISSION_CAPABILITIES = {
    "audit.view_auditentry": "view_audit",
    "units.manage_reorganization": "manage_reorganization",
}


class RoleBackend:
    """Authenticates nobody; grants the permissions in PERMISSION_CAPABILITIES to the roles that hold them."""

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        if not getattr(user_obj, "is_active", False):
            return False
        capability = PERMISSION_CAPABILITIES.get(perm)
        return capability is not None and can(user_obj, capability)

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        return any(self.has_perm(user_obj, perm) for perm in PERMISSION_CAPABILITIES
                   if perm.startswith(f"{app_label}."))
