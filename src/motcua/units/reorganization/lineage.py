"""Continuity: which agencies a reorganized agency succeeds, for statistics that include predecessors."""

from __future__ import annotations

import datetime as dt

from ..lifetime import of_unit
from ..models import Agency


def lineage_codes(agency_code: str) -> list[str]:
    """The agency's own code followed by the codes of every agency it succeeded, at any depth (a commune
    merged in 2025 into one that was merged again later counts for the latest one)."""
    codes = [agency_code]
    frontier = [agency_code]
    while frontier:
        found = [c for c in Agency.objects.filter(successor__code__in=frontier).order_by("code")
                 .values_list("code", flat=True) if c not in codes]
        codes.extend(found)
        frontier = found
    return codes


def predecessors(agency: Agency) -> list[Agency]:
    """The agencies `agency` succeeded, at any depth, by code."""
    codes = lineage_codes(agency.code)[1:]
    return list(Agency.objects.filter(code__in=codes).select_related("admin_unit").order_by("code"))


def former_names(agencies) -> dict[int, str]:
    """{agency pk: the agencies it succeeded directly, by short name} — for lists where an applicant looks for
    the commune they know (a merged one's name is gone from every list)."""
    out: dict[int, list[str]] = {}
    for successor_id, short, name in (Agency.objects.filter(successor__in=agencies).order_by("code")
                                      .values_list("successor_id", "short_name", "name")):
        out.setdefault(successor_id, []).append(short or name)
    return {pk: ", ".join(names) for pk, names in out.items()}


def predecessor_ids(agency_ids) -> set[int]:
    """The ids of every agency that the agencies `agency_ids` succeeded, at any depth (not their own)."""
    found: set[int] = set()
    frontier = set(agency_ids)
    while frontier:
        frontier = set(Agency.objects.filter(successor_id__in=frontier).values_list("pk", flat=True)) - found
        found |= frontier
    return found


def latest_successor(agency: Agency) -> Agency | None:
    """The agency that now stands for `agency`: its successor's successor … (None for one never merged)."""
    seen, current = {agency.pk}, agency
    while current.successor_id is not None and current.successor_id not in seen:
        seen.add(current.successor_id)
        current = current.successor
    return None if current.pk == agency.pk else current


def successor_on(agency: Agency, day: dt.date) -> Agency | None:
    """The agency that answers on ``day`` for ``agency`` whose unit had ended before it (units.lifetime): its
    successor (a merger's plan records it), or, merged again since, the one whose unit exists that day. None while
    its unit exists on ``day``, and for one dissolved (no successor: nobody took it over)."""
    seen, current = {agency.pk}, agency
    while of_unit(current.admin_unit).ended_before(day) and current.successor_id not in (None, *seen):
        seen.add(current.successor_id)
        current = current.successor
    return None if current.pk == agency.pk else current
