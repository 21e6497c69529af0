"""Community teams of the units a merger closed before teams moved with a merger (the step transformation.teams,
0005): they stayed on the closed unit, so the new unit neither listed nor counted them. Each merger already
applied moves them as the step does (services/merger.py teams_of_units, move_team): a team of an old unit not
dissolved by the effective date belongs to the new unit from that day, its old unit kept as ``former_agency``;
mergers in the order they took effect, so a team moved twice remembers its last former unit (a migration of its
own: on PostgreSQL the rows cannot be updated in the transaction that added the columns' foreign key)."""

from django.db import migrations
from django.db.models import Q


def backfill(apps, schema_editor):
    ReorganizationPlan = apps.get_model("units", "ReorganizationPlan")
    Agency = apps.get_model("units", "Agency")
    CommunityTeam = apps.get_model("transformation", "CommunityTeam")
    for plan in ReorganizationPlan.objects.filter(status="applied", new_agency__isnull=False).order_by(
            "effective_date", "pk"):
        on = plan.effective_date
        old = Agency.objects.filter(admin_unit__in=plan.old_units.all()).values("pk")
        teams = CommunityTeam.objects.filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=on), agency_id__in=old)
        for team in teams:
            team.former_agency_id, team.agency_id, team.moved_on = team.agency_id, plan.new_agency_id, on
            team.save(update_fields=["former_agency", "agency", "moved_on"])


class Migration(migrations.Migration):

    dependencies = [
        ("transformation", "0006_task_handover_backfill"),
        ("units", "0004_vietnamese_labels"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
