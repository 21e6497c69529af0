"""Accounts remember the ID number the national e-ID vouched for. Accounts the e-ID sign-in created (user name
``vneid-<number>``, no password of their own) had theirs vouched for; one registered with a password had not."""

from django.db import migrations, models
from django.db.models import F, Value
from django.db.models.functions import Concat


def mark_accounts_made_by_the_e_id(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    (User.objects.exclude(id_number="").filter(username=Concat(Value("vneid-"), F("id_number")), password__startswith="!")
     .update(verified_id_number=F("id_number")))


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0004_vietnamese_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="verified_id_number",
            field=models.CharField(blank=True, editable=False, max_length=12,
                                   verbose_name="số định danh đã xác thực qua VNeID"),
        ),
        migrations.RunPython(mark_accounts_made_by_the_e_id, migrations.RunPython.noop),
    ]
