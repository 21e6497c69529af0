"""Continuity: which agencies a reorganized agency succeeds, for statistics that include predecessors."""

from __future__ import annotations

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
