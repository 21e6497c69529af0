"""What a user types as a report's unit (its scope), checked in one place for every entry that takes one: the
reporting API (indicators, the Decision 766 index, drill-down lists, report files), the statistics pages and the
report builds of the back office.

The grammar (resolved into agencies by indicators.agency_codes_for): empty or ``province`` the whole province; an
agency's code (``H51.06``); ``lineage:<agency code>`` the agency with the units merged into it (continuity.py);
``unit:<administrative unit code>`` the agencies of a province or commune-level unit; ``level:province`` or
``level:commune`` (xã, phường, đặc khu). A scope naming nothing that exists is refused rather than read as a unit
with no dossiers («0 hồ sơ» a monitor would report). A unit closed or merged by a reorganization still exists in
the catalog (inactive, units/lifetime.py), so its past stays reportable.
"""

from __future__ import annotations

from motcua.core.errors import NotFound, ValidationFailed
from motcua.units.models import AdministrativeUnit, Agency

from .indicators import SCOPE_LEVELS

PROVINCE = "province"
LEVEL, UNIT, LINEAGE = "level:", "unit:", "lineage:"
LEVELS = {"province": "Cấp tỉnh", "commune": "Cấp xã"}  # level:commune covers xã, phường and đặc khu


def _shown(text: str) -> str:
    return f"«{text[:60]}»"  # what was typed, as typed (a page escapes it), cut short


def _invalid(text: str) -> ValidationFailed:
    return ValidationFailed("invalid_scope", f"Phạm vi báo cáo không hợp lệ: {_shown(text)}. Chọn toàn tỉnh, một cơ "
                                             "quan, một đơn vị hành chính hoặc một cấp (tỉnh, xã).")


def parse_scope(text: str | None) -> str | None:
    """The scope as typed when it names something that exists (None when empty: the province).

    Raises ValidationFailed ``invalid_scope`` (422) for a scope that does not follow the grammar (an unknown prefix,
    an empty code, an unknown level) and NotFound ``unit_not_found`` (404) for an agency or administrative unit that
    is not in the catalog."""
    text = (text or "").strip()  # « H51.06 » pasted with its spaces names the agency
    if not text:
        return None
    if text == PROVINCE:
        return text
    prefix, sep, rest = text.partition(":")
    if not sep:
        return _agency(text, text)
    if not rest:
        raise _invalid(text)
    if text.startswith(LEVEL):
        if rest not in SCOPE_LEVELS:
            raise _invalid(text)
        return text
    if text.startswith(UNIT):
        if not AdministrativeUnit.objects.filter(code=rest).exists():
            raise NotFound("unit_not_found", f"Không tìm thấy đơn vị hành chính có mã {_shown(rest)}.")
        return text
    if text.startswith(LINEAGE) and ":" not in rest:
        return _agency(rest, text)
    raise _invalid(text)


def _agency(code: str, scope: str) -> str:
    if not Agency.objects.filter(code=code).exists():
        raise NotFound("unit_not_found", f"Không tìm thấy đơn vị có mã {_shown(code)}.")
    return scope


def scope_label(scope: str | None) -> str | None:
    """The Vietnamese name of a level or administrative-unit scope (None for an agency's or the province's)."""
    if not scope:
        return None
    if scope.startswith(LEVEL):
        return LEVELS.get(scope.removeprefix(LEVEL))
    if scope.startswith(UNIT):
        return AdministrativeUnit.objects.filter(code=scope.removeprefix(UNIT)).values_list("name", flat=True).first()
    return None
