"""National Population Database (CSDL quốc gia về dân cư): look up a person by ID number to pre-fill forms."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from motcua.accounts import lockout
from motcua.accounts.models import Role
from motcua.accounts.permissions import has_role
from motcua.audit.services import record
from motcua.core.cccd import parse_id_number
from motcua.core.errors import DomainError, NotFound
from motcua.core.money import format_number

from .adapters.base import Adapter, PermanentError, TransientError
from .config import target_config

FIELDS = ("id_number", "full_name", "date_of_birth", "gender", "permanent_address", "current_address",
          "place_of_origin", "ethnicity", "nationality")


class PopulationUnavailable(DomainError):
    status = 503


# Who reads the national register, and how much: the counter officers who receive people (and a citizen their own
# record), each at most MOTCUA_POPULATION_DAILY_LIMIT look-ups a day — enough for a counter's day, not for copying
# the register out. Decree 13/2023/ND-CP art. 3: personal data processed only to the extent its purpose needs.
LIMIT_MESSAGE = ("Tài khoản này đã tra cứu CSDL quốc gia về dân cư {limit} lần trong ngày, mức tối đa cho phép; "
                 "vui lòng nhập thông tin hoặc thử lại vào ngày mai.")


def may_look_up(user) -> bool:
    """Officers who receive people at the counter; a citizen only for their own number (the caller's check)."""
    return has_role(user, Role.COUNTER_OFFICER)


def _count_look_up(user) -> None:
    """One more look-up today by `user`; refused (429 ``population_limit``, audited) past the daily limit."""
    if getattr(user, "pk", None) is None:
        return
    limit = settings.MOTCUA_POPULATION_DAILY_LIMIT
    count = lockout.bump(f"motcua:population_lookups:{user.pk}:{timezone.localdate():%Y%m%d}", 24 * 3600)
    if count > limit:
        if count == limit + 1:
            record(user, "population.limit_reached", "user", user.pk, {"limit": limit})
        raise DomainError("population_limit", LIMIT_MESSAGE.format(limit=format_number(limit)), status=429)


def lookup(id_number: str, *, by=None) -> dict:
    """Residence fields of the person with this ID number, for pre-filling (never stored here); ``by``: the account
    asking, counted against its daily limit."""
    value = parse_id_number(id_number).value
    _count_look_up(by)
    config = target_config("population")
    if not config.get("url"):
        raise PopulationUnavailable("population_not_configured",
                                    "Chưa kết nối CSDL quốc gia về dân cư; vui lòng nhập thông tin.")
    client = Adapter(config, "population")
    try:
        answer = client.get(f"/citizens/{value}")
    except TransientError:
        raise PopulationUnavailable("population_unavailable",
                                    "CSDL quốc gia về dân cư tạm thời không trả lời; vui lòng thử lại sau.") from None
    except PermanentError as exc:
        if "HTTP 404" in str(exc):
            raise NotFound("citizen_not_found", "Không tìm thấy công dân có số định danh này.") from None
        raise PopulationUnavailable("population_error", "CSDL quốc gia về dân cư từ chối yêu cầu.") from None
    return {k: answer.get(k, "") for k in FIELDS}


# An account remembers, for a working day, the ID numbers whose data it read from the population database, so the
# dossier it then submits or receives for that person says so (Decision 766 4.5: data from the population database)
# — on the portal, at the counter and over the API alike (kept in the shared cache, not in a browser session).
REMEMBER_SECONDS = 8 * 3600
REMEMBER_MOST = 50


def _key(user) -> str:
    return f"motcua:population_checked:{user.pk}"


def remember_checked(user, id_number: str) -> None:
    if getattr(user, "pk", None) is None:
        return
    checked = [n for n in cache.get(_key(user), []) if n != id_number][-(REMEMBER_MOST - 1):]
    cache.set(_key(user), [*checked, id_number], REMEMBER_SECONDS)


def checked_by(user, id_number: str) -> bool:
    return bool(id_number) and getattr(user, "pk", None) is not None and id_number in cache.get(_key(user), [])
