"""National Population Database (CSDL quốc gia về dân cư): look up a person by ID number to pre-fill forms."""

from __future__ import annotations

from django.core.cache import cache

from motcua.core.cccd import parse_id_number
from motcua.core.errors import DomainError, NotFound

from .adapters.base import Adapter, PermanentError, TransientError
from .config import target_config

FIELDS = ("id_number", "full_name", "date_of_birth", "gender", "permanent_address", "current_address",
          "place_of_origin", "ethnicity", "nationality")


class PopulationUnavailable(DomainError):
    status = 503


def lookup(id_number: str) -> dict:
    """Residence fields of the person with this ID number, for pre-filling (never stored here)."""
    value = parse_id_number(id_number).value
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
