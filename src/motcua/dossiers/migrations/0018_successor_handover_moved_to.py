"""``SuccessorHandover.moved_to``: the dossiers moved, by successor. A handover recorded before it counted its moves in
``moved`` only: they are all counted toward its current successor (what the messages said of them until now), those
moved to a successor it was re-pointed from included."""

from django.db import migrations, models


def counted_toward_the_current_successor(apps, schema_editor):
    SuccessorHandover = apps.get_model("dossiers", "SuccessorHandover")
    for handover in SuccessorHandover.objects.filter(moved__gt=0).only("pk", "successor_id", "moved"):
        SuccessorHandover.objects.filter(pk=handover.pk).update(
            moved_to=[{"agency": handover.successor_id, "moved": handover.moved}])


class Migration(migrations.Migration):

    dependencies = [
        ("dossiers", "0017_dossier_created_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="successorhandover",
            name="moved_to",
            field=models.JSONField(blank=True, default=list, verbose_name="số hồ sơ đã chuyển theo cơ quan kế thừa"),
        ),
        migrations.RunPython(counted_toward_the_current_successor, migrations.RunPython.noop),
    ]
