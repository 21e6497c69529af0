"""The searchable, folded applicant name (Dossier.applicant_name_folded) of the dossiers saved before it existed.

The folding is copied from motcua.core.text.fold at the time of writing, so that this migration writes what it wrote
then whatever that module becomes. Rows are read and written in batches of BATCH, by primary key."""

import unicodedata

from django.db import migrations

BATCH = 500
_SPECIAL = str.maketrans({"đ": "d", "Đ": "d"})


def _fold(text):
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.translate(_SPECIAL))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())[:200]


def fill(apps, column, of_name, batch=None):
    """Dossier.<column> = of_name(applicant_name) for every dossier, by batches (also dossiers 0013's)."""
    Dossier = apps.get_model("dossiers", "Dossier")
    last = 0
    while True:
        rows = list(Dossier.objects.filter(pk__gt=last).order_by("pk").only("pk", "applicant_name")[:batch or BATCH])
        if not rows:
            return
        for d in rows:
            setattr(d, column, of_name(d.applicant_name))
        Dossier.objects.bulk_update(rows, [column])
        last = rows[-1].pk


def backfill(apps, schema_editor):
    fill(apps, "applicant_name_folded", _fold)


class Migration(migrations.Migration):

    dependencies = [
        ("dossiers", "0009_dossier_applicant_name_folded"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
