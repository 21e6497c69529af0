# The OutboxEvent model moved here from the integrations app. Its table keeps the name it was created
# with (integrations_outboxevent, by integrations/0001_initial), so this migration only changes Django's
# state: no table is created, renamed or copied, and an existing database keeps every event.

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('integrations', '0002_fanout_postalshipment_webhooksubscription_delivery'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='OutboxEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('topic', models.CharField(db_index=True, max_length=64)),
                        ('aggregate_type', models.CharField(max_length=32)),
                        ('aggregate_id', models.CharField(db_index=True, max_length=64)),
                        ('payload', models.JSONField(default=dict)),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                    ],
                    options={
                        'db_table': 'integrations_outboxevent',
                        'ordering': ['id'],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
