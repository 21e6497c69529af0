# OutboxEvent now belongs to the outbox app (same table, see outbox/0001_initial). The foreign keys of
# FanOut and Delivery point at the same table as before, so the database is not touched; only Django's
# state follows the model, and the admin's content type is handed over to the new app.

import django.db.models.deletion
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label="outbox", model="outboxevent").exists():
        ContentType.objects.using(db).filter(app_label="integrations", model="outboxevent").update(app_label="outbox")


def restore_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label="integrations", model="outboxevent").exists():
        ContentType.objects.using(db).filter(app_label="outbox", model="outboxevent").update(app_label="integrations")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('integrations', '0002_fanout_postalshipment_webhooksubscription_delivery'),
        ('outbox', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='fanout',
                    name='event',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='fanout', serialize=False, to='outbox.outboxevent'),
                ),
                migrations.AlterField(
                    model_name='delivery',
                    name='event',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='outbox.outboxevent'),
                ),
                migrations.DeleteModel(
                    name='OutboxEvent',
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, restore_content_type),
    ]
