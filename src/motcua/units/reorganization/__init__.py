"""Reorganizing administrative units (sắp xếp đơn vị hành chính): the plan, its preview and its resumable
application.

A ``ReorganizationPlan`` (units.models) records the resolution (number, date, effective date), the old
commune-level units and the new one (code, name, level), which agency takes over which procedure (default:
the new unit's People's Committee) and which officers' role assignments end instead of moving. A provincial
administrator drafts it, approves it (``plans.approve``: only when ``plans.validate`` finds nothing wrong)
and applies it (``run.apply``), after reading ``run.preview``.

What follows the units lives with the app that owns it, as a ``Step`` (base.py) registered in ``steps``:
units (open the new unit, its counters, close the old ones, notify), catalog (procedures and process
steps), accounts (role assignments), dossiers (dossiers in progress, through the lifecycle), engagement
(open feedback), transformation (open reporting rounds, unfinished tasks and community
teams of digital transformation), reporting (statistics that change owner), web (public pages), integrations (the
national portal's agency codes). ``lineage.lineage_codes`` gives an agency's predecessors for statistics
that include them, ``lineage.successor_on`` the agency answering for a closed one on a day.
"""

from .base import Section, Step, Targets, agency_label, steps
from .lineage import former_names, latest_successor, lineage_codes, predecessor_ids, predecessors, successor_on
from .plans import approve, load_targets, parse_assignments, reopen, require_manager, save_draft, validate
from .run import Preview, apply, preview, report

__all__ = ["Preview", "Section", "Step", "Targets", "agency_label", "apply", "approve", "former_names", "latest_successor",
           "lineage_codes", "load_targets", "parse_assignments", "predecessor_ids", "predecessors", "preview", "reopen",
           "report", "require_manager", "save_draft", "steps", "successor_on", "validate"]
