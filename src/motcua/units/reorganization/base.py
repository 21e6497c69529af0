"""The extension point of a reorganization: one ``Step`` per kind of thing that hangs on an agency.

Units sit below the apps whose data follows a reorganization (procedures, roles, dossiers, feedback,
statistics, integrations), so each of those apps declares what moves, and how, as a ``Step`` registered
in ``steps`` from its ``AppConfig.ready``::

    @steps.register("accounts.roles")
    class RoleStep(Step):
        order = 20
        title = "Cán bộ và phân quyền"
        def preview(self, targets) -> Section: ...
        def pending(self, targets) -> list[tuple[str, object]]: ...
        def apply(self, targets, key, item, actor) -> tuple[str, dict] | None: ...

``preview`` says what applying would do without changing anything: rows for people and ``counts``, the
number of items per outcome ("moved", "ended" …) that ``apply`` will report. ``pending`` lists the items
still to do, read from the database as it is now (an item done is no longer pending, or is skipped by
its progress row); ``apply`` does one item in the orchestrator's transaction and returns its outcome,
or None when there is nothing left to do for it. A step with nothing to apply only previews (statistics,
public pages, integration configuration).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from motcua.core.plugins import Registry

from ..models import AdministrativeUnit, Agency, ReorganizationPlan


@dataclass
class Section:
    """One part of the preview: rows for people, counts of what applying will do, facts and warnings."""

    title: str
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    facts: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    outcome_labels: dict[str, str] = field(default_factory=dict)

    def count_lines(self) -> list[tuple[str, int]]:
        return [(self.outcome_labels.get(k, k), v) for k, v in self.counts.items() if v]


@dataclass
class Targets:
    """Where things go under a plan: the old units and agencies, the new unit and agency (real once the
    plan started, otherwise unsaved with the code it will get), and which agency takes each procedure."""

    plan: ReorganizationPlan
    province: AdministrativeUnit | None
    old_units: list[AdministrativeUnit]
    old_agencies: list[Agency]
    new_unit: AdministrativeUnit
    new_agency: Agency
    assignments: dict[str, Agency]

    @property
    def old_agency_ids(self) -> set[int]:
        return {a.pk for a in self.old_agencies}

    @property
    def started(self) -> bool:
        return self.new_agency.pk is not None

    def taker(self, procedure_code: str) -> Agency:
        """The agency that receives `procedure_code` after the reorganization."""
        return self.assignments.get(procedure_code) or self.new_agency

    def unit_of(self, agency_id) -> AdministrativeUnit | None:
        for agency in self.old_agencies:
            if agency.pk == agency_id:
                return next((u for u in self.old_units if u.pk == agency.admin_unit_id), None)
        return None


def agency_label(agency: Agency | None) -> str:
    if agency is None:
        return "—"
    return f"{agency.name} ({agency.code})"


class Step:
    """A part of applying a plan (see the module docstring). Subclasses set ``order`` (smaller first),
    ``title`` and ``outcome_labels`` and override what they need."""

    order = 50
    title = ""
    outcome_labels: dict[str, str] = {}

    def section(self, **kw) -> Section:
        return Section(title=self.title, outcome_labels=dict(self.outcome_labels), **kw)

    def validate(self, targets: Targets) -> list[str]:
        """Problems that forbid approving (and applying) the plan, in Vietnamese."""
        return []

    def preflight(self, targets: Targets, actor) -> None:
        """Raise a DomainError before anything is written when `actor` could not finish this step."""

    def preview(self, targets: Targets) -> Section:  # pragma: no cover - interface
        raise NotImplementedError

    def pending(self, targets: Targets) -> list[tuple[str, object]]:
        return []

    def apply(self, targets: Targets, key: str, item, actor) -> tuple[str, dict] | None:  # pragma: no cover
        raise NotImplementedError


steps: Registry[type[Step]] = Registry("reorganization step")


def ordered_steps() -> list[tuple[str, Step]]:
    return sorted(((name, cls()) for name, cls in steps.items()), key=lambda pair: (pair[1].order, pair[0]))
