"""Previewing and applying an approved plan.

``preview(plan)`` asks every registered step what it would do and changes nothing. ``apply(plan, actor)``
does it, resumably:

1. one transaction marks the plan ``applying`` (an ``applied`` plan returns its report and writes nothing:
   applying twice changes nothing the second time);
2. each step in order lists its pending items; each item runs in its own transaction together with its
   ``ReorganizationProgress`` row (unique per plan, step and item), under a lock on the plan row. A process
   killed in the middle loses at most the item it was writing; the next run skips every item that has a
   progress row, and the items themselves are read from the database as it is now (a dossier already moved
   is no longer on an old unit);
3. one transaction marks the plan ``applied``.

The report of a run is the count of progress rows per step and outcome, the same shape as the preview's
``counts``: for a plan nobody else touched meanwhile both are equal.

``settings.MOTCUA_REORGANIZATION_PAUSE`` (tests only, e.g. ``{"step": "dossiers.in_flight", "after": 3,
"file": "/tmp/x"}``) makes a run stop inside the transaction of the item after the first ``after`` items of
that step, create ``file`` and wait there, so that a test can kill the process at a known point.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from motcua.audit.services import record
from motcua.core.errors import InvalidTransition, ValidationFailed

from ..models import ReorganizationPlan, ReorganizationProgress
from .base import Section, Targets, ordered_steps
from .plans import load_targets, require_manager, validate


@dataclass
class Preview:
    plan: ReorganizationPlan
    targets: Targets
    sections: list[tuple[str, Section]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, dict[str, int]]:
        """{step: {outcome: number of items}} — what applying will report."""
        return {name: {k: v for k, v in s.counts.items() if v} for name, s in self.sections
                if any(s.counts.values())}


def preview(plan: ReorganizationPlan) -> Preview:
    """What applying `plan` would do, step by step (nothing is written)."""
    targets = load_targets(plan)
    result = Preview(plan=plan, targets=targets)
    if plan.status in (ReorganizationPlan.DRAFT, ReorganizationPlan.APPROVED):
        result.problems = validate(plan, targets)
    for name, step in ordered_steps():
        result.sections.append((name, step.preview(targets)))
    return result


def report(plan: ReorganizationPlan) -> dict[str, dict[str, int]]:
    """{step: {outcome: items done}} from the progress rows of `plan`, in the order the steps run."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for step, outcome, n in _progress_counts(plan):
        out[step][outcome] = n
    rank = {name: i for i, (name, _step) in enumerate(ordered_steps())}
    return dict(sorted(out.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0])))


def _progress_counts(plan):
    rows = (ReorganizationProgress.objects.filter(plan=plan).values("step", "outcome").annotate(n=Count("id"))
            .order_by("step", "outcome"))
    return [(r["step"], r["outcome"], r["n"]) for r in rows]


class _Pause:
    """The test hook of MOTCUA_REORGANIZATION_PAUSE (see the module docstring)."""

    def __init__(self):
        self.config = dict(settings.MOTCUA_REORGANIZATION_PAUSE or {})
        self.done: dict[str, int] = defaultdict(int)

    def before_commit(self, step: str) -> None:
        if self.config.get("step") == step and self.done[step] == int(self.config.get("after", 0)):
            Path(self.config["file"]).write_text(f"{step} {self.done[step]}\n")
            deadline = time.monotonic() + float(self.config.get("wait_s", 120))
            while time.monotonic() < deadline:  # the test kills the process here
                time.sleep(0.05)
            raise RuntimeError("reorganization pause was not ended by a kill")

    def committed(self, step: str) -> None:
        self.done[step] += 1


def _begin(plan: ReorganizationPlan, actor) -> tuple[ReorganizationPlan, bool]:
    with transaction.atomic():
        plan = ReorganizationPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.status == ReorganizationPlan.APPLIED:
            return plan, False
        if plan.status == ReorganizationPlan.DRAFT:
            raise InvalidTransition("plan_not_approved", "Phương án chưa được phê duyệt.")
        if plan.status == ReorganizationPlan.APPROVED:
            if timezone.localdate() < plan.effective_date:
                raise InvalidTransition("plan_not_effective",
                                        f"Nghị quyết có hiệu lực từ ngày {plan.effective_date:%d/%m/%Y}; "
                                        "chưa thể thực hiện sắp xếp.")
            problems = validate(plan)
            if problems:
                raise ValidationFailed("plan_not_valid", "Không thể thực hiện: " + " ".join(problems),
                                       details={"problems": problems})
        targets = load_targets(plan)
        for _name, step in ordered_steps():
            step.preflight(targets, actor)
        if plan.status == ReorganizationPlan.APPROVED:
            plan.status, plan.applied_by, plan.started_at = ReorganizationPlan.APPLYING, actor, timezone.now()
            plan.save(update_fields=["status", "applied_by", "started_at"])
            record(actor, "units.reorganization_started", "units.ReorganizationPlan", plan.pk,
                   {"resolution": plan.resolution_number})
    return plan, True


def _run_item(targets: Targets, name: str, step, key: str, item, actor, pause: _Pause) -> None:
    with transaction.atomic():
        plan = ReorganizationPlan.objects.select_for_update().get(pk=targets.plan.pk)
        if ReorganizationProgress.objects.filter(plan=plan, step=name, key=key).exists():
            return  # done by an earlier run
        result = step.apply(targets, key, item, actor)
        if result is None:
            return
        outcome, detail = result
        pause.before_commit(name)
        ReorganizationProgress.objects.create(plan=plan, step=name, key=key, outcome=outcome, detail=detail or {})
    pause.committed(name)


def apply(plan: ReorganizationPlan, actor) -> dict[str, dict[str, int]]:
    """Carry out an approved plan (or finish one a stopped run left ``applying``); returns ``report(plan)``."""
    require_manager(actor)
    plan, todo = _begin(plan, actor)
    if not todo:
        return report(plan)
    pause = _Pause()
    for name, step in ordered_steps():
        plan.refresh_from_db()
        targets = load_targets(plan)  # the new unit exists once the first step has run
        for key, item in step.pending(targets):
            _run_item(targets, name, step, str(key), item, actor, pause)
    with transaction.atomic():
        plan = ReorganizationPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.status != ReorganizationPlan.APPLIED:
            plan.status, plan.applied_at = ReorganizationPlan.APPLIED, timezone.now()
            plan.save(update_fields=["status", "applied_at"])
            record(actor, "units.reorganization_applied", "units.ReorganizationPlan", plan.pk, report(plan))
    return report(plan)
