"""Tasks a merger moved before the handover was recorded beside them (0005): the merger then replaced the old
unit by the new one among the task's lead units. The ``dx.task_lead_merged`` audit entries say what it did: the
last one gives the unit carrying the task, from the day the merger that created that unit took effect (as
hand_over_task records it; a merger may be applied months later), else the entry's own day; the first one the lead
units as the plan had them, which come back (a migration of its own: on PostgreSQL the rows cannot be updated in
the transaction that added the column's foreign key)."""

from django.db import migrations
from django.utils import timezone


def backfill(apps, schema_editor):
    Task = apps.get_model("transformation", "Task")
    Agency = apps.get_model("units", "Agency")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    ReorganizationPlan = apps.get_model("units", "ReorganizationPlan")
    moves: dict[int, list] = {}
    for object_id, at, data in (AuditEntry.objects.filter(action="dx.task_lead_merged", object_type="dx_task")
                                .order_by("at", "id").values_list("object_id", "at", "data")):
        if object_id.isascii() and object_id.isdigit() and (data or {}).get("to"):
            moves.setdefault(int(object_id), []).append((at, data))
    codes = {c for entries in moves.values() for _, d in entries for c in [d["to"], *(d.get("from") or [])]}
    ids = dict(Agency.objects.filter(code__in=codes).values_list("code", "id"))
    effective = dict(ReorganizationPlan.objects.filter(new_agency__code__in=codes).values_list("new_agency__code",
                                                                                               "effective_date"))
    for task in Task.objects.filter(pk__in=moves, handed_over_to__isnull=True).select_related("plan"):
        entries = moves[task.pk]
        at, last = entries[-1]
        carrier = ids.get(last["to"])
        if carrier is None:
            continue
        task.handed_over_to_id = carrier
        task.handed_over_on = effective.get(last["to"]) or timezone.localtime(at).date()
        task.save(update_fields=["handed_over_to", "handed_over_on"])
        leads = set(task.lead_agencies.values_list("pk", flat=True))
        if carrier not in leads:
            continue  # the lead units were chosen again since: they stay
        added = {ids.get(d["to"]) for _, d in entries}
        written = {ids.get(c) for c in entries[0][1].get("from") or []} - {None}
        if written == {task.plan.agency_id} and not leads - added:
            written = set()  # it named no lead unit: its plan's unit carried it
        task.lead_agencies.set((leads - added) | written)


class Migration(migrations.Migration):

    dependencies = [
        ("transformation", "0005_merger_handover"),
        ("audit", "0007_drop_like_twins"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
