"""The public copy of a published feedback item (engagement.privacy.public_copy): what the Portal shows and searches."""

from django.db import migrations, models

PUBLIC_FIELDS = (
    ("public_answer", models.TextField(blank=True, verbose_name="kết quả xử lý công khai")),
    ("public_content", models.TextField(blank=True, verbose_name="nội dung công khai")),
    ("public_title", models.CharField(blank=True, max_length=300, verbose_name="tiêu đề công khai")),
)


class Migration(migrations.Migration):

    dependencies = [
        ("engagement", "0005_feedback_received_agency_backfill"),
    ]

    operations = [migrations.AddField(model_name="feedback", name=name, field=field) for name, field in PUBLIC_FIELDS]
