"""A community team's moves by mergers, one row each (``TeamMove``), instead of only its last former unit
(``CommunityTeam.former_agency`` / ``moved_on``, removed by 0009): a team moved by two successive mergers kept only
the second. The ``dx.team_moved`` audit entries say each move (from, to, the effective date), so a team moved twice
before this migration gets both back; a team moved without an entry keeps the move its fields recorded."""

import datetime as dt

import django.db.models.deletion
from django.db import migrations, models


def backfill(apps, schema_editor):
    Team = apps.get_model("transformation", "CommunityTeam")
    TeamMove = apps.get_model("transformation", "TeamMove")
    Agency = apps.get_model("units", "Agency")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    moves: dict[int, list[dict]] = {}
    for object_id, data in (AuditEntry.objects.filter(action="dx.team_moved", object_type="dx_team")
                            .order_by("at", "id").values_list("object_id", "data")):
        data = data or {}
        if object_id.isascii() and object_id.isdigit() and data.get("from") and data.get("to") and data.get("on"):
            moves.setdefault(int(object_id), []).append(data)
    codes = {d[k] for entries in moves.values() for d in entries for k in ("from", "to")}
    ids = dict(Agency.objects.filter(code__in=codes).values_list("code", "id"))
    for team in Team.objects.filter(models.Q(pk__in=moves) | models.Q(former_agency__isnull=False)):
        rows = [(ids.get(d["from"]), ids.get(d["to"]), dt.date.fromisoformat(d["on"])) for d in moves.get(team.pk, [])]
        rows = [r for r in rows if None not in r]
        if not rows and team.former_agency_id and team.moved_on:
            rows = [(team.former_agency_id, team.agency_id, team.moved_on)]
        seen = set()
        for source, target, on in rows:
            if source not in seen:
                seen.add(source)
                TeamMove.objects.create(team_id=team.pk, from_agency_id=source, to_agency_id=target, on=on)


class Migration(migrations.Migration):

    dependencies = [
        ("transformation", "0007_team_move_backfill"),
        ("units", "0004_vietnamese_labels"),
        ("audit", "0007_drop_like_twins"),
    ]

    operations = [
        migrations.CreateModel(
            name="TeamMove",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("on", models.DateField(verbose_name="thuộc đơn vị sau sắp xếp từ ngày")),
                ("from_agency", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                                  to="units.agency", verbose_name="đơn vị trước khi sắp xếp")),
                ("team", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="moves",
                                           to="transformation.communityteam", verbose_name="tổ")),
                ("to_agency", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                                to="units.agency", verbose_name="đơn vị sau sắp xếp")),
            ],
            options={
                "verbose_name": "lần chuyển tổ công nghệ số (sắp xếp đơn vị hành chính)",
                "verbose_name_plural": "các lần chuyển tổ công nghệ số (sắp xếp đơn vị hành chính)",
                "ordering": ["team", "on", "id"],
                "constraints": [models.UniqueConstraint(fields=("team", "from_agency"), name="dx_team_move_once")],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
