"""The public copy of the feedback items published before it existed (engagement.privacy.public_copy): until then
the Portal showed the text as sent, with whatever personal data the sender typed into it."""

from django.db import migrations

from motcua.engagement.privacy import public_copy


def backfill(apps, schema_editor):
    Feedback = apps.get_model("engagement", "Feedback")
    for fb in Feedback.objects.filter(published_at__isnull=False).select_related("dossier").iterator(chunk_size=500):
        public_copy(fb)
        fb.save(update_fields=["public_title", "public_content", "public_answer"])


class Migration(migrations.Migration):

    dependencies = [
        ("engagement", "0006_feedback_public_copy"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
