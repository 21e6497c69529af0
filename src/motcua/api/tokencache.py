"""Bearer tokens resolved once per process for a few seconds, with the caller's account and roles.

Without it every API call reads the token row (joined with the account) and then the account's role
assignments: two statements and their ORM work on every call of a busy integrator. Here a token that
was found valid is kept, with its account and roles, for ``MOTCUA_API_AUTH_CACHE_SECONDS`` (default 5 s;
0 turns the cache off):

- in the process that changes it, a revocation, a disabled account or a role change takes effect at once:
  saving or deleting an ApiToken, User or RoleAssignment (and changing a user's groups or permissions)
  drops that account's entries (``connect_signals``, called by ApiConfig.ready);
- in the other worker processes it takes effect when their entry expires, at most that many seconds later;
  so does a change written without model signals (``QuerySet.update``, raw SQL, another host).

The cached token row carries what the token itself records, such as the VNeID sign-in that issued it
(``ApiToken.eid_id_number``, read by auth.eid_signed_in for Decision 766 4.5): a cached call sees it as a read
from the database. Unknown or revoked tokens are never cached: each one is looked up and counted
(accounts.lockout). Every request gets its own copy of the account and of the role list, so a request never sees
another one's per-request state.
"""

from __future__ import annotations

import copy
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from motcua.accounts.models import ApiToken, RoleAssignment, User
from motcua.accounts.permissions import remember_roles

_clock = time.monotonic  # tests move it forward


@dataclass
class _Entry:
    expires: float
    token: ApiToken
    user: User
    roles: list[RoleAssignment]


_entries: dict[str, _Entry] = {}
_lock = threading.Lock()
_generation = 0  # bumped by every invalidation: a look-up that raced with one is not stored


def ttl() -> float:
    return float(settings.MOTCUA_API_AUTH_CACHE_SECONDS)


def _load(key_hash: str) -> _Entry | None:
    row = (ApiToken.objects.select_related("user")
           .filter(key_hash=key_hash, revoked_at__isnull=True).first())
    if row is None or not row.user.is_active:
        return None
    roles = list(RoleAssignment.objects.filter(user_id=row.user_id).select_related("agency"))
    return _Entry(0.0, row, row.user, roles)


def lookup(key_hash: str) -> tuple[ApiToken, User] | None:
    """The valid token with this hash and a fresh copy of its account (roles preloaded), or None."""
    now = _clock()
    entry = _entries.get(key_hash)
    if entry is None or entry.expires <= now:
        generation = _generation
        entry = _load(key_hash)
        if entry is None:
            _entries.pop(key_hash, None)
            return None
        seconds = ttl()
        if seconds > 0:
            entry.expires = now + seconds
            with _lock:
                if generation == _generation:
                    _entries[key_hash] = entry
    user = copy.copy(entry.user)
    remember_roles(user, entry.roles)
    return entry.token, user


def forget_user(user_id) -> None:
    """Drop every cached token of this account (its token, activity or roles changed)."""
    global _generation
    with _lock:
        _generation += 1
        for key in [k for k, e in _entries.items() if e.user.pk == user_id]:
            del _entries[key]


def clear() -> None:
    global _generation
    with _lock:
        _generation += 1
        _entries.clear()


def _forget_now_and_at_commit(user_id) -> None:
    # Now, and again once the change is committed: a concurrent request of this process may have read
    # the old rows, still visible to it, between the two (outside a transaction on_commit runs at once).
    forget_user(user_id)
    transaction.on_commit(lambda: forget_user(user_id))


def _token_changed(sender, instance, **kwargs):
    _forget_now_and_at_commit(instance.user_id)


def _user_changed(sender, instance, **kwargs):
    _forget_now_and_at_commit(instance.pk)


def _user_m2m_changed(sender, instance, **kwargs):
    if isinstance(instance, User):
        _forget_now_and_at_commit(instance.pk)
    else:  # a group or permission changed from its own side: whose accounts is not known cheaply
        clear()


def connect_signals() -> None:
    for model, handler in ((ApiToken, _token_changed), (RoleAssignment, _token_changed), (User, _user_changed)):
        post_save.connect(handler, sender=model, dispatch_uid=f"motcua_tokencache_save_{model.__name__}")
        post_delete.connect(handler, sender=model, dispatch_uid=f"motcua_tokencache_delete_{model.__name__}")
    for through in (User.groups.through, User.user_permissions.through):
        m2m_changed.connect(_user_m2m_changed, sender=through, dispatch_uid=f"motcua_tokencache_{through.__name__}")
