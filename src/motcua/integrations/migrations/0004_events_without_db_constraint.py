# The fan-out and delivery rows keep their event field but lose the database's foreign key: on PostgreSQL
# the outbox table becomes partitioned by month (motcua_db 0003), with the primary key (id, created_at),
# which a foreign key on event_id alone cannot reference (see integrations/models.py).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('integrations', '0003_outboxevent_moved_to_outbox'),
        ('outbox', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='delivery',
            name='event',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='outbox.outboxevent'),
        ),
        migrations.AlterField(
            model_name='fanout',
            name='event',
            field=models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='fanout', serialize=False, to='outbox.outboxevent'),
        ),
    ]
