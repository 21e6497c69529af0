"""Handovers recorded before they kept their reason (0012): the ``dx.task_lead_merged`` audit entry that recorded each
(the task, its old units, the new one) says why — a reorganization plan's resolution, or a successor an administrator
recorded in the admin — and the DX plan page says it beside the task."""

from django.db import migrations


def backfill(apps, schema_editor):
    TaskHandover = apps.get_model("transformation", "TaskHandover")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    reasons: dict[tuple[str, str, str], str] = {}  # (task id, old code, new code) → reason
    for object_id, data in (AuditEntry.objects.filter(action="dx.task_lead_merged", object_type="dx_task")
                            .order_by("at", "id").values_list("object_id", "data")):
        data = data or {}
        for old in data.get("from") or ():
            if data.get("reason") and data.get("to"):
                reasons.setdefault((object_id, old, data["to"]), str(data["reason"])[:500])
    if not reasons:
        return
    for handover in TaskHandover.objects.filter(reason="").values("pk", "task_id", "from_agency__code",
                                                                 "to_agency__code"):
        reason = reasons.get((str(handover["task_id"]), handover["from_agency__code"], handover["to_agency__code"]))
        if reason:
            TaskHandover.objects.filter(pk=handover["pk"]).update(reason=reason)


class Migration(migrations.Migration):

    dependencies = [
        ("transformation", "0012_handover_reason"),
        ("audit", "0007_drop_like_twins"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
