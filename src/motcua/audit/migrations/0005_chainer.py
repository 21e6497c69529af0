"""The chainer's columns (audit.chainer): content hash, inserting transaction, place in the chain; the chain
columns stay empty until the chainer fills them. After the time partitions (the columns and indexes go onto
the partitioned table and every partition)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0004_block_truncate'),
        ('motcua_db', '0003_partition_outbox'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ChainerState',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('waiting', models.BooleanField(default=False)),
                ('seen_at', models.DateTimeField(blank=True, null=True)),
                ('head_seq', models.BigIntegerField(blank=True, null=True)),
                ('head_hash', models.CharField(blank=True, max_length=64)),
            ],
            options={
                'verbose_name': 'trạng thái tiến trình nối chuỗi nhật ký',
            },
        ),
        migrations.AddField(
            model_name='auditentry',
            name='content_hash',
            field=models.CharField(blank=True, default='', max_length=64, verbose_name='mã băm nội dung'),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='seq',
            field=models.BigIntegerField(blank=True, db_index=True, null=True, verbose_name='số thứ tự trong chuỗi'),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='txid',
            field=models.BigIntegerField(blank=True, editable=False, null=True, verbose_name='giao dịch ghi'),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='hash',
            field=models.CharField(blank=True, max_length=64, null=True, unique=True, verbose_name='mã băm'),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='prev_hash',
            field=models.CharField(blank=True, max_length=64, null=True, verbose_name='mã băm trước'),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(condition=models.Q(('seq__isnull', True)), fields=['txid', 'id'], name='audit_unchained_idx'),
        ),
    ]
