"""Fill in the receiving agency of the feedback items already there (a migration of its own: on PostgreSQL the
rows cannot be updated in the transaction that added the column's foreign key)."""

from django.db import migrations
from django.db.models import F


def backfill(apps, schema_editor):
    """The receiving agency of items already there: the agency a reorganization moved an item from (the first
    ``engagement.feedback_transferred`` audit entry names it), else the item's agency."""
    Feedback = apps.get_model("engagement", "Feedback")
    Agency = apps.get_model("units", "Agency")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    Feedback.objects.update(received_agency=F("agency"))
    first_from: dict[str, str] = {}
    for object_id, data in (AuditEntry.objects.filter(action="engagement.feedback_transferred", object_type="feedback")
                            .order_by("at", "id").values_list("object_id", "data")):
        first_from.setdefault(object_id, (data or {}).get("from"))
    ids = dict(Agency.objects.filter(code__in={c for c in first_from.values() if c}).values_list("code", "id"))
    for object_id, code in first_from.items():
        if object_id.isascii() and object_id.isdigit():
            Feedback.objects.filter(pk=int(object_id)).update(received_agency_id=ids.get(code))


class Migration(migrations.Migration):

    dependencies = [
        ('engagement', '0004_feedback_received_agency'),
        ('audit', '0007_drop_like_twins'),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
