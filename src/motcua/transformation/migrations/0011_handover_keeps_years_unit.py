"""A task a merger handed over within its plan's year counts, in that year's figures, for the unit that carried it when
the year ended (services/merger.py, ``stays_counted``). A later merger, after that year, used to record the next unit
and its date as the unit the task counts for: the date fell after the plan's year, so the task went back to the old
plan's figures and left the figures of the unit that had counted it (its roll-up row, round answer, annual report of
that year). For such a task the unit it counts for is again the one the handovers of its plan's year gave it, when
its plan's unit had been merged by the end of that year; its handovers (``TaskHandover``) stay as they are."""

import datetime as dt
from itertools import groupby

from django.db import migrations


def _carrier(part, moves):
    seen = {part}
    while part in moves and moves[part] not in seen:
        part = moves[part]
        seen.add(part)
    return part


def restore(apps, schema_editor):
    Task = apps.get_model("transformation", "Task")
    TaskHandover = apps.get_model("transformation", "TaskHandover")
    tasks = (Task.objects.filter(handed_over_to__isnull=False, plan__agency__successor__isnull=False)
             .select_related("plan__agency__admin_unit"))
    for task in tasks:
        plan = task.plan
        if task.handed_over_on.year <= plan.year:
            continue
        within = list(TaskHandover.objects.filter(task_id=task.pk, on__year__lte=plan.year).order_by("on", "id"))
        last_day = plan.agency.admin_unit.valid_to
        merged = (any(h.from_agency_id == plan.agency_id for h in within)
                  # as units.lifetime.ended_within: a last day of 31/12 ends the unit with the next year
                  or (last_day is not None and last_day < dt.date(plan.year, 12, 31)))
        if not within or not merged:
            continue
        # Each merger of the year as hand_over_task ran it: the unit carrying the plan's unit's part once that part
        # moved, else the one carrying the part that moved first.
        parts = list(task.lead_agencies.values_list("pk", flat=True)) or [plan.agency_id]
        moves, counted, since = {}, None, None
        for on, group in groupby(within, key=lambda h: h.on):
            moves.update({h.from_agency_id: h.to_agency_id for h in group})
            carriers = {part: _carrier(part, moves) for part in parts}
            own = carriers.get(plan.agency_id, plan.agency_id) != plan.agency_id
            key = plan.agency_id if own else within[0].from_agency_id
            unit = carriers.get(key) or moves.get(key)
            if unit is not None and unit != counted:
                counted, since = unit, on
        if counted is not None and counted != plan.agency_id:
            task.handed_over_to_id, task.handed_over_on = counted, since
            task.save(update_fields=["handed_over_to", "handed_over_on"])


class Migration(migrations.Migration):

    dependencies = [
        ("transformation", "0010_task_handovers"),
        ("units", "0004_vietnamese_labels"),
    ]

    operations = [migrations.RunPython(restore, migrations.RunPython.noop)]
