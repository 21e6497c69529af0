"""The applicant's name in small letters (Dossier.applicant_name_lower: the back-office search typed with diacritics)
of the dossiers saved before it existed.

The lowering is copied from motcua.core.text.lowered at the time of writing, so that this migration writes what it
wrote then whatever that module becomes. Rows are read and written in batches of BATCH, by primary key (the loop
of 0010)."""

import importlib
import unicodedata

from django.db import migrations

_folded = importlib.import_module("motcua.dossiers.migrations.0010_dossier_applicant_name_folded_backfill")

BATCH = 500


def _lowered(text):
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())[:200] if text else ""


def backfill(apps, schema_editor):
    _folded.fill(apps, "applicant_name_lower", _lowered, BATCH)


class Migration(migrations.Migration):

    dependencies = [
        ("dossiers", "0012_dossier_applicant_name_lower"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
