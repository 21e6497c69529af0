"""Seed the 2025–2026 schedule announced by notice (LEGAL.md §9).

Public holidays come from the `holidays` package; the days below are written down as well so the
known schedule does not depend on the package version, and the make-up Saturdays (which no
formula yields) become working days. Editable afterwards in the admin.
"""

import datetime as dt

from django.db import migrations

DAYS = [
    # 2025, 30/4–1/5: off Wed 30/04 – Sun 04/05, made up on Sat 26/04 (notice of MOLISA).
    (dt.date(2025, 5, 2), "off", "Nghỉ lễ 30/4–1/5 (làm bù thứ Bảy 26/04/2025)"),
    (dt.date(2025, 4, 26), "work", "Làm bù cho ngày nghỉ 02/05/2025"),
    # 2026, Tết: off 16–20/02 (Notice 9441/TB-BNV of 16/10/2025).
    (dt.date(2026, 2, 16), "off", "Nghỉ Tết Nguyên đán 2026"),
    (dt.date(2026, 2, 17), "off", "Nghỉ Tết Nguyên đán 2026"),
    (dt.date(2026, 2, 18), "off", "Nghỉ Tết Nguyên đán 2026"),
    (dt.date(2026, 2, 19), "off", "Nghỉ Tết Nguyên đán 2026"),
    (dt.date(2026, 2, 20), "off", "Nghỉ Tết Nguyên đán 2026"),
    # 2026, National Day: off Mon 31/08 – Wed 02/09, made up on Sat 22/08 (same notice).
    (dt.date(2026, 8, 31), "off", "Nghỉ Quốc khánh 2026 (làm bù thứ Bảy 22/08/2026)"),
    (dt.date(2026, 8, 22), "work", "Làm bù cho ngày nghỉ 31/08/2026"),
]


def seed(apps, schema_editor):
    CalendarException = apps.get_model("core", "CalendarException")
    for day, kind, note in DAYS:
        CalendarException.objects.get_or_create(date=day, defaults={"kind": kind, "note": note})


def unseed(apps, schema_editor):
    CalendarException = apps.get_model("core", "CalendarException")
    for day, kind, note in DAYS:
        CalendarException.objects.filter(date=day, kind=kind, note=note).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
