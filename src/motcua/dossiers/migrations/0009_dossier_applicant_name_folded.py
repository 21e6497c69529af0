# The applicant's name folded for the back-office search (Dossier.applicant_name_folded); filled by 0010.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('dossiers', '0008_successor_handover_stuck'),
    ]

    operations = [
        migrations.AddField(
            model_name='dossier',
            name='applicant_name_folded',
            field=models.CharField(blank=True, default='', editable=False, max_length=200, verbose_name='họ tên người nộp không dấu (tìm kiếm)'),
        ),
    ]
